"""Which cases may be referred to legal aid, and what each workflow says about them.

A workflow declares its cases in its own ``legalaid.py`` (autodiscovered by
LegalAidConfig.ready()), so this app knows no workflow::

    register(Source("disputes", Dispute, _("Wage dispute"), states=(...), workers=...,
                    grounds=..., permissions=("disputes.mediate_dispute",),
                    visible_to=disputes_visible_to, detail_url="disputes:detail"))

``workers(case)`` gives the persons who may be referred (a dispute's applicants, a
named complainant); ``grounds(case)`` the green-channel grounds the case's matter
qualifies for (a wage claim: casework.legalaid.models.Ground.WAGES), the first being
the default; ``matter(case)`` the matter in a line, as the letter states it.
Registering a source also registers its referral letter (a document kind whose readers
among staff need the case's view permission).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework.documents.registry import DocumentKind
from casework.documents.registry import register as register_kind
from casework.legalaid.documents import LetterContext
from casework.parties.models import Person

Text = str | Promise
LETTER_TEMPLATE = "pdf/legalaid/referral_letter.html"


@dataclass(frozen=True)
class Source:
    slug: str  # the workflow's, as in its URLs
    model: Any
    title: Text  # the kind of case, as staff read it in the list
    kind_zh: str  # the kind of case in the letter's own Chinese (劳动争议调解案件)
    states: tuple[str, ...]  # the case states in which a referral may be made
    workers: Callable[[Any], list[Person]]
    grounds: Callable[[Any], tuple[str, ...]]
    matter: Callable[[Any], str]
    # Any of these lets a member of staff of the case's market refer and record answers.
    permissions: tuple[str, ...]
    visible_to: Callable[[Any], QuerySet]  # the cases a user may open (markets, permission)
    detail_url: str  # the staff page of a case, a URL name taking its code

    @property
    def view_permission(self) -> str:
        opts = self.model._meta
        return f"{opts.app_label}.view_{opts.model_name}"

    @property
    def letter_kind(self) -> str:
        return f"legalaid_letter_{self.slug}"

    def may_act(self, user) -> bool:
        return any(user.has_perm(perm) for perm in self.permissions)

    def green_grounds(self, case) -> tuple[str, ...]:
        """The case's green-channel grounds that the settings keep open."""
        allowed = settings.LEGAL_AID_GREEN_CHANNEL_GROUNDS
        return tuple(ground for ground in self.grounds(case) if ground in allowed)


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    _SOURCES[source.slug] = source
    register_kind(
        DocumentKind(
            slug=source.letter_kind,
            title=_("Legal-aid referral letter"),
            template=LETTER_TEMPLATE,
            context=LetterContext(source.kind_zh, source.matter),
            seal=True,
            # Staff read a letter only if they may see the case it comes from.
            permission=source.view_permission,
        )
    )
    return source


def sources() -> list[Source]:
    return list(_SOURCES.values())


def get_source(slug: str) -> Source | None:
    return _SOURCES.get(slug)


def source_of(case: models.Model) -> Source:
    for source in _SOURCES.values():
        if isinstance(case, source.model):
            return source
    raise LookupError(f"no legal-aid source is declared for {type(case).__name__}")
