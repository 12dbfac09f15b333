"""Which markets hold a case of a person: every workflow says where it names people.

Staff may see a person's full ID and mobile number only when that person has a case
in one of their markets (docs/workflows.md, "Personal data"). The parties app cannot
know the workflows' case models, so each workflow registers, from its
AppConfig.ready(), its case model and the fields that point at a Person.
"""

from django.db.models import Model, Q

from casework.parties.models import Person

_SOURCES: list[tuple[type[Model], tuple[str, ...]]] = []


def register(model: type[Model], *person_fields: str) -> None:
    """``model`` has a ``market`` and names people in ``person_fields``."""
    _SOURCES.append((model, person_fields))


def case_markets(person: Person) -> set[int]:
    """The ids of the markets where ``person`` has a case of any workflow."""
    markets: set[int] = set()
    for model, fields in _SOURCES:
        named = Q()
        for field in fields:
            named |= Q(**{field: person})
        markets.update(model._default_manager.filter(named).values_list("market_id", flat=True))
    return markets
