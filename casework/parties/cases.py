"""The workflows' cases as the parties layer sees them: where a case names people and
organisations, who may see it, and its page.

The parties app cannot know the workflows' case models, so each workflow registers, from
its AppConfig.ready(), its case model, the fields that point at a Person (and at an
Organization) and, for search and the party pages, the queryset of its cases a user may
see and the name of its case page::

    cases.register(Dispute, "applicants", "respondent_person",
                   organisations=("respondent_organization",),
                   visible_to=disputes_visible_to, url_name="disputes:detail")

Uses: staff may see a person's full ID and mobile number only when that person has a
case in one of their markets (docs/workflows.md, "Personal data"); the search box finds a
case by its number; a person's or an organisation's page lists their cases
(docs/workflows.md, "Search").
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet
from django.urls import reverse

from casework.parties.models import Organization, Person


@dataclass(frozen=True)
class CaseSource:
    model: type[Model]
    person_fields: tuple[str, ...]
    organisation_fields: tuple[str, ...] = ()
    visible_to: Callable[[object], QuerySet] | None = None
    url_name: str = ""

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def url(self, case) -> str:
        return reverse(self.url_name, args=[case.code])


_SOURCES: list[CaseSource] = []


def register(
    model: type[Model],
    *person_fields: str,
    organisations: tuple[str, ...] = (),
    visible_to: Callable[[object], QuerySet] | None = None,
    url_name: str = "",
) -> None:
    """``model`` has a ``market`` and names people in ``person_fields`` (organisations in
    ``organisations``); ``visible_to(user)`` gives the cases a staff member may open at
    ``url_name`` (a URL taking the case's code)."""
    _SOURCES.append(CaseSource(model, person_fields, organisations, visible_to, url_name))


def sources() -> list[CaseSource]:
    return list(_SOURCES)


def _naming(fields: tuple[str, ...], party) -> Q:
    named = Q(pk__in=[])
    for field in fields:
        named |= Q(**{field: party})
    return named


def case_markets(person: Person) -> set[int]:
    """The ids of the markets where ``person`` has a case of any workflow."""
    markets: set[int] = set()
    for source in _SOURCES:
        named = _naming(source.person_fields, person)
        rows = source.model._default_manager.filter(named).values_list("market_id", flat=True)
        markets.update(rows)
    return markets


@dataclass(frozen=True)
class FoundCase:
    kind: str
    case: Model
    url: str


def cases_of(party: Person | Organization, user, *, limit: int = 50) -> list[FoundCase]:
    """The cases naming ``party`` that ``user`` may open, newest first per workflow."""
    return _cases_naming([party], user, limit=limit)[party.pk]


def cases_of_people(people: list[Person], user, *, limit: int = 50) -> dict[int, list[FoundCase]]:
    """cases_of() for many people at once (a search's results): a few queries per
    workflow, however many people."""
    return _cases_naming(people, user, limit=limit)


def _cases_naming(parties: list, user, *, limit: int) -> dict[int, list[FoundCase]]:
    ids = [party.pk for party in parties]
    found: dict[int, list[FoundCase]] = {pk: [] for pk in ids}
    people = bool(parties) and isinstance(parties[0], Person)
    for source in _SOURCES:
        fields = source.person_fields if people else source.organisation_fields
        if not fields or source.visible_to is None:
            continue
        visible = source.visible_to(user)
        naming: dict[int, set[int]] = {}  # case -> the parties it names
        for field in fields:
            pairs = visible.filter(**{f"{field}__in": ids}).values_list("pk", field)
            for case_id, party_id in pairs:
                naming.setdefault(case_id, set()).add(party_id)
        rows = source.model._default_manager.filter(pk__in=naming).select_related("market")
        taken: dict[int, int] = {}
        for case in rows.order_by("-pk"):
            for party_id in naming[case.pk]:
                if taken.get(party_id, 0) < limit:
                    taken[party_id] = taken.get(party_id, 0) + 1
                    found[party_id].append(FoundCase(source.label, case, source.url(case)))
    return found


def case_by_code(code: str, user) -> FoundCase | None:
    """The case numbered ``code`` (any workflow) if ``user`` may open it, else None."""
    for source in _SOURCES:
        prefix = getattr(source.model, "CODE_PREFIX", "")
        if source.visible_to is None or (prefix and not code.startswith(f"{prefix}-")):
            continue
        case = source.visible_to(user).filter(code=code).first()
        if case is not None:
            return FoundCase(source.label, case, source.url(case))
    return None
