"""The eligibility engine: which categories of a rule set a person falls into on a day.

``evaluate(rule_set, facts, on)`` applies each category's test to the facts and
returns every matched category with its reason in words; ``service_tier``
turns the matches into a service level. Nothing here reads or writes the
database beyond the rule set's categories and the retirement table.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from assistance.models import Category, Fact, RuleSet, Test, Tier
from assistance.retirement import months_between, retirement_date
from casework.parties.models import Sex


@dataclass(frozen=True)
class Facts:
    """What the engine knows about a person (from the case and its sensitive facts)."""

    birth_date: datetime.date
    sex: str
    retirement_group: str
    disability_certificate: bool = False
    dibao_family: bool = False
    zero_employment_family: bool = False
    land_requisitioned: bool = False
    single_parent_of_minors: bool = False
    unemployment_registered_on: datetime.date | None = None
    other_reason: str = ""

    def age_on(self, day: datetime.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def months_unemployed(self, day: datetime.date) -> int | None:
        start = self.unemployment_registered_on
        if start is None or start > day:
            return None
        return months_between(start, day) - (day.day < start.day)


@dataclass(frozen=True)
class Match:
    code: str
    name: str
    reason: str
    sensitive: bool


def _age(category: Category, facts: Facts, on: datetime.date) -> str | None:
    threshold = category.women_age if facts.sex == Sex.FEMALE else category.men_age
    age = facts.age_on(on)
    if threshold is None or age < threshold:
        return None
    return _("aged %(age)s on %(day)s (from %(threshold)s)") % {
        "age": age,
        "day": on.isoformat(),
        "threshold": threshold,
    }


def _near_retirement(category: Category, facts: Facts, on: datetime.date) -> str | None:
    retires = retirement_date(facts.birth_date, facts.retirement_group)
    if category.years is None or on >= retires or _plus_years(on, category.years) < retires:
        return None
    return _("statutory retirement on %(day)s, within %(years)s years") % {
        "day": retires.isoformat(),
        "years": category.years,
    }


def _plus_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _fact(category: Category, facts: Facts, on: datetime.date) -> str | None:
    if not getattr(facts, category.fact, False):
        return None
    return str(Fact(category.fact).label)


def _unemployed(category: Category, facts: Facts, on: datetime.date) -> str | None:
    months = facts.months_unemployed(on)
    if months is None or category.months is None or months < category.months:
        return None
    return _("registered unemployed for %(months)s months (from %(threshold)s)") % {
        "months": months,
        "threshold": category.months,
    }


def _other(category: Category, facts: Facts, on: datetime.date) -> str | None:
    return facts.other_reason.strip() or None


TESTS = {
    Test.AGE: _age,
    Test.NEAR_RETIREMENT: _near_retirement,
    Test.FACT: _fact,
    Test.UNEMPLOYED: _unemployed,
    Test.OTHER: _other,
}


def evaluate(rule_set: RuleSet, facts: Facts, on: datetime.date) -> list[Match]:
    """Every category of ``rule_set`` that ``facts`` meet on ``on``, with the reason."""
    matches = []
    for category in rule_set.categories.all():
        reason = TESTS[category.test](category, facts, on)
        if reason:
            matches.append(Match(category.code, category.name, reason, category.sensitive))
    return matches


def service_tier(rule_set: RuleSet, matches: list[Match], facts: Facts, on: datetime.date) -> str:
    """Level A, B or C (分级服务) from the number of categories and months unemployed."""
    count, months = len(matches), facts.months_unemployed(on) or 0
    if count >= rule_set.tier_a_categories or months >= rule_set.tier_a_unemployed_months:
        return Tier.A
    if count >= rule_set.tier_b_categories or months >= rule_set.tier_b_unemployed_months:
        return Tier.B
    return Tier.C
