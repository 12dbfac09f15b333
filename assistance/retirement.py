"""Statutory retirement dates from the configurable ``RetirementRule`` table.

The 2024 decision on gradually raising the statutory retirement age
(渐进式延迟法定退休年龄, in force 2025-01-01) raises it one month per four
months of birth for men (60 → 63) and for women whose age was 55 (→ 58), and
one month per two months of birth for women whose age was 50 (→ 55). The
fixture ``fixtures/retirement_rules.json`` holds those parameters; supervisors
can correct them in the admin, and the code only reads the table.
"""

import datetime

from assistance.models import RetirementGroup, RetirementRule
from casework.parties.models import Person, Sex


def default_group(person: Person) -> str:
    # Gig workers are mostly manual workers: women's original age was 50.
    return RetirementGroup.MALE if person.sex == Sex.MALE else RetirementGroup.FEMALE_50


def months_between(first: datetime.date, later: datetime.date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    # Born on the 31st: the month without that day ends on its last day.
    for last in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, last)
        except ValueError:
            continue
    raise ValueError(day)


def retirement_age_months(rule: RetirementRule, birth_date: datetime.date) -> int:
    if birth_date < rule.reform_born_from:
        return rule.base_age_months
    steps = months_between(rule.reform_born_from, birth_date) // rule.every_months + 1
    return rule.base_age_months + min(steps * rule.step_months, rule.max_extra_months)


def retirement_date(birth_date: datetime.date, group: str) -> datetime.date:
    """The day the person reaches statutory retirement age."""
    rule = RetirementRule.objects.get(group=group)
    return add_months(birth_date, retirement_age_months(rule, birth_date))
