"""Directory figures a workflow derives from its own records.

The directory sits below the workflows and imports none of them. A workflow that knows
one of the figures (gig agreements signed in a month, say) registers a function in its
own ``directory.py`` (autodiscovered by DirectoryConfig.ready())::

    register(DerivedFigure("daily_placements", _("gig agreements signed"), placements))

``compute(market, month)`` returns the figure for that month (its first day), or None
when it does not know it. A figure a supervisor entered for the same month wins.
"""

import datetime
from collections.abc import Callable
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
