"""Real-name status of parties, and the pluggable identity-verification service (双实名).

A party counts as verified when its most recent real-name check passed and its
identifier is still valid: a person's resident ID number (GB 11643), an
organisation's credit code (GB 32100; a failed check digit only with a recorded
override). An organisation's handling person is checked as a person.

IDENTITY_VERIFICATION_BACKEND names a class with ``verify(person) ->
IdentityResult`` that raises IdentityServiceUnavailable when the service cannot answer;
production points it at the province's identity service or Tencent Cloud's
(casework.parties.tencent_identity, docs/gateways.md). The
demo backend accepts exactly the demo people (and demo registrants) of casework/parties/seed.py.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from casework.parties import identifiers
from casework.parties.models import Organization, Person, RealNameCheck


@dataclass(frozen=True)
class IdentityResult:
    passed: bool
    reference: str = ""
    note: str = ""


class IdentityServiceUnavailable(Exception):
    """The identity service could not answer (its trouble, a limit, a timeout or our
    configuration); nothing is known about the person, and no check is recorded.
    ``retry``: whether asking again later may get an answer."""

    def __init__(self, code: str, detail: str = "", *, retry: bool) -> None:
        super().__init__(f"{code} {detail}".strip())
        self.code, self.detail, self.retry = code, detail, retry


class DemoIdentityBackend:
    """Accepts the demo people and registrants (by name and ID number); refuses everyone
    else."""

    demo = True  # check --deploy refuses it (casework.core.checks)

    def verify(self, person: Person) -> IdentityResult:
        from casework.parties.seed import PEOPLE, REGISTRANTS

        known = {(row[2], row[3]) for row in PEOPLE} | {(row[0], row[1]) for row in REGISTRANTS}
        if (person.name, person.id_number) in known:
            return IdentityResult(True, reference=f"DEMO-{person.id_number[-4:]}")
        return IdentityResult(
            False, note=_("The demo identity service only knows the demo people.")
        )


def identity_backend():
    return import_string(settings.IDENTITY_VERIFICATION_BACKEND)()


def latest_check(party: Person | Organization) -> RealNameCheck | None:
    return party.real_name_checks.order_by("-checked_at", "-pk").first()


def identifier_problem(party: Person | Organization) -> str:
    """Why the party's ID number or credit code is not acceptable, or ''."""
    if isinstance(party, Person):
        try:
            identifiers.normalise_ric(party.id_number)
        except ValidationError as error:
            return error.messages[0]
        return ""
    _code, problem = identifiers.check_uscc(party.credit_code)
    if problem is not None and not party.credit_code_override_reason.strip():
        return problem.messages[0]
    return ""


def passed_check(party: Person | Organization) -> RealNameCheck | None:
    """The party's latest check if it passed and its identifier is valid, else None."""
    check = latest_check(party)
    if check is None or check.result != RealNameCheck.Result.PASSED:
        return None
    return None if identifier_problem(party) else check
