"""Where a worker's online application for mediation can start from: the public
interface other workflows use to pre-fill it (docs/architecture.md lists it).

A gig agreement that was not paid opens a wage dispute: the agreements app
registers an origin (``register_origin("agreement", find)``), and
``/portal/disputes/new/?agreement=<code>`` starts filled in from it. The disputes
app imports nothing of the workflow that registers.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casework.disputes.models import ClaimType, Dispute
from casework.parties.models import Organization, Person

# The claim an origin usually pre-fills.
UNPAID_WAGES = ClaimType.UNPAID_WAGES


@dataclass(frozen=True)
class Origin:
    """A record the application starts from, e.g. a gig agreement that was not paid.

    The form starts filled in (``initial``, ``claims_initial``) against the fixed
    ``respondent``; ``open(**details)`` files it (with the details
    ``services.dispute_file_online`` takes besides the parties) and links it to the
    record. ``dispute``: the dispute already opened from the record, if any.
    """

    code: str
    respondent: Organization | Person
    initial: dict
    claims_initial: list[dict]
    open: Callable[..., Dispute]
    notice: str  # above the form: where it was filled in from
    respondent_note: str  # under the fixed respondent's name
    dispute: Dispute | None = None
    already_opened: str = ""  # the message when ``dispute`` is set


_ORIGINS: dict[str, Callable[[Any, str], Origin]] = {}


def register_origin(param: str, find: Callable[[Any, str], Origin]) -> None:
    """``disputes/new/?<param>=<code>`` starts from ``find(request, code)``, which raises
    Http404 unless the record is the user's own and may start an application."""
    _ORIGINS[param] = find


def application_origin(request) -> Origin | None:
    for param, find in _ORIGINS.items():
        code = request.GET.get(param)
        if code is not None:
            return find(request, code)
    return None
