"""Directory figures a workflow derives from its own records.

The directory sits below the workflows and imports none of them. A workflow that knows
one of the figures (gig agreements signed in a month, say) registers a function in its
own ``directory.py`` (autodiscovered by DirectoryConfig.ready())::

    register(DerivedFigure("daily_placements", _("gig agreements signed"), placements))

``compute(market, month)`` returns the figure for that month (its first day), or None
when it does not know it; ``compute_many(markets, month)``, if given, returns the known
figures of many markets by market id in one go (the directory lists every market). A
figure a supervisor entered for the same month wins.
"""

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise

from casework.core.models import Market

# The figures the directory shows, by key (also the keys of its JSON feeds).
FIGURE_KEYS = ("job_seekers", "daily_placements")

Value = int | Decimal


@dataclass(frozen=True)
class DerivedFigure:
    key: str  # one of FIGURE_KEYS
    source: str | Promise  # what it is computed from, shown on the page
    compute: Callable[[Market, datetime.date], Value | None]
    compute_many: Callable[[list[Market], datetime.date], Mapping[int, Value]] | None = None

    def values(self, markets: list[Market], month: datetime.date) -> Mapping[int, Value]:
        """The known figures of ``markets`` for ``month``, by market id."""
        if self.compute_many is not None:
            return self.compute_many(markets, month)
        found = {market.pk: self.compute(market, month) for market in markets}
        return {pk: value for pk, value in found.items() if value is not None}


_figures: dict[str, DerivedFigure] = {}


def register(figure: DerivedFigure) -> DerivedFigure:
    if figure.key not in FIGURE_KEYS:
        raise ValueError(f"unknown directory figure {figure.key!r}")
    _figures[figure.key] = figure
    return figure


def unregister(key: str) -> None:
    _figures.pop(key, None)


def derived(key: str) -> DerivedFigure | None:
    return _figures.get(key)
