"""Which cases are surveyed and whom each asks (docs/surveys.md).

A workflow declares its survey in its own ``surveys.py`` (autodiscovered by
SurveysConfig.ready()), so this app knows no workflow::

    register(SurveyKind("disputes", Dispute, _("Wage dispute"), _("Mediator"),
                        parties=dispute_parties, detail_url="disputes:detail"))

``parties(case)`` gives the parties asked: each with a mobile number gets one invitation.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise

from casework.parties.models import Person

Text = str | Promise


@dataclass(frozen=True)
class Party:
    """One party asked about a case: a person on record, or only a number (a complainant
    who gave a name and a number but has no person record)."""

    person: Person | None
    mobile: str


@dataclass(frozen=True)
class SurveyKind:
    slug: str  # the workflow's, as its statistics are named (casework.reports)
    model: Any
    title: Text  # the kind of case, as the party reads it on the survey page
    handler_title: Text  # who handled it: mediator, caseworker, complaint officer
    parties: Callable[[Any], list[Party]]
    detail_url: str  # the staff page of a case, a URL name taking its code


_KINDS: dict[str, SurveyKind] = {}


def register(kind: SurveyKind) -> SurveyKind:
    _KINDS[kind.slug] = kind
    return kind


def kinds() -> list[SurveyKind]:
    return list(_KINDS.values())


def get_kind(slug: str) -> SurveyKind | None:
    return _KINDS.get(slug)


def kind_of(case: models.Model) -> SurveyKind:
    for kind in _KINDS.values():
        if isinstance(case, kind.model):
            return kind
    raise LookupError(f"no survey is declared for {type(case).__name__}")
