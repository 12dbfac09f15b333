"""The eligibility engine, table by table: ages on the day, the province-style rule set,
the statutory retirement table of the 2024 reform, the fact categories, the service
level, and the expiry of a certification (docs/domain.md, "Hardship assistance").

Expected dates are worked out by hand from the rules, not by calling the code under test.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric

from assistance import services
from assistance.models import AssistanceCase, RetirementGroup, RuleSet, Tier
from assistance.retirement import retirement_date
from assistance.rules import Facts, Match, evaluate, service_tier
from casework.core.flows import open_task
from casework.parties.models import Sex
from tests.assistance.fixtures import actor
from tests.conftest import make_person

S = AssistanceCase.State
D = datetime.date
M, F = Sex.MALE, Sex.FEMALE
MALE, F50, F55 = RetirementGroup.MALE, RetirementGroup.FEMALE_50, RetirementGroup.FEMALE_55
DEFAULT, PROVINCE = "default-2025", "province-example-2025"
TODAY = D(2026, 11, 22)

# -- resident ID numbers (GB 11643, ISO 7064 MOD 11-2 check; docs/domain.md, "Identifiers") ----

RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(born: datetime.date, sex: str, serial: int = 0, area: str = "110105") -> str:
    """A valid 18-character number; the 17th digit is odd for men, even for women.

    stdnum's ``calc_check_digit`` expects the check character already appended, so the
    sum is computed here directly.
    """
    last = 2 * (serial % 5) + (1 if sex == M else 0)
    body = f"{area}{born:%Y%m%d}{serial // 5 % 100:02d}{last}"
    total = sum(int(digit) * weight for digit, weight in zip(body, RIC_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def test_the_id_helper_gives_the_standard_example_and_numbers_stdnum_accepts():
    # The standard's example 11010519491231002X: serial "002" (a woman).
    assert id_number(D(1949, 12, 31), F, serial=1) == "11010519491231002X"
    for serial in range(12):
        for sex in (M, F):
            number = id_number(D(1984, 2, 29), sex, serial)
            assert ric.is_valid(number), number
            assert (int(number[16]) % 2 == 1) == (sex == M)


# -- helpers ------------------------------------------------------------------------------


def rules(code: str) -> RuleSet:
    return RuleSet.objects.get(code=code)


def facts(born, sex=F, group=None, **extra) -> Facts:
    group = group or (MALE if sex == M else F50)
    return Facts(birth_date=born, sex=sex, retirement_group=group, **extra)


def codes(code: str, person: Facts, on: datetime.date) -> set[str]:
    return {match.code for match in evaluate(rules(code), person, on)}


def one(code: str, person: Facts, on: datetime.date, category: str) -> Match | None:
    return next((m for m in evaluate(rules(code), person, on) if m.code == category), None)


# -- "4050": ages on the day, by the calendar birthday -------------------------------------------


@pytest.mark.parametrize(
    ("born", "sex", "on", "older"),
    [
        # A woman the day before and on her 40th birthday.
        (D(1986, 11, 22), F, D(2026, 11, 21), False),
        (D(1986, 11, 22), F, D(2026, 11, 22), True),
        # A man the day before and on his 50th birthday.
        (D(1976, 11, 22), M, D(2026, 11, 21), False),
        (D(1976, 11, 22), M, D(2026, 11, 22), True),
        # A man of 40 is not "older": the men's threshold is 50.
        (D(1986, 11, 22), M, D(2026, 11, 22), False),
        (D(1977, 11, 22), M, D(2026, 11, 22), False),
        # Born on 29 February: in a leap year the birthday is 29 February ...
        (D(1984, 2, 29), F, D(2024, 2, 28), False),
        (D(1984, 2, 29), F, D(2024, 2, 29), True),
        # ... in other years the age turns on 1 March, not on 28 February.
        (D(1976, 2, 29), M, D(2026, 2, 28), False),
        (D(1976, 2, 29), M, D(2026, 3, 1), True),
        (D(1985, 2, 28), F, D(2025, 2, 27), False),
        (D(1985, 2, 28), F, D(2025, 2, 28), True),
    ],
)
def test_the_older_worker_category_turns_on_the_calendar_birthday(db, born, sex, on, older):
    match = one(DEFAULT, facts(born, sex), on, "older")
    assert (match is not None) is older
    if older:
        age = 40 if sex == F else 50
        assert str(age) in match.reason and on.isoformat() in match.reason
        assert not match.sensitive


@pytest.mark.parametrize(
    ("born", "sex", "day_before", "birthday"),
    [
        (D(1986, 11, 22), F, D(2026, 11, 21), D(2026, 11, 22)),
        (D(1976, 11, 22), M, D(2026, 11, 21), D(2026, 11, 22)),
        (D(1976, 2, 29), M, D(2026, 2, 28), D(2026, 3, 1)),
    ],
)
def test_a_case_evaluates_the_person_its_id_number_describes(
    market, carol_caseworker, born, sex, day_before, birthday
):
    person = make_person("钱淑珍" if sex == F else "钱振国", id_number(born, sex), "13600136009")
    assert (person.birth_date, person.sex) == (born, sex)
    case = services.case_apply(market=market, person=person, actor=actor(carol_caseworker))
    assert services.case_evaluate(case, day_before).matches == []
    assert services.case_evaluate(case, day_before).tier == Tier.C
    [match] = services.case_evaluate(case, birthday).matches
    assert match.code == "older"


# -- the alternative province set: "within 10 years of statutory retirement" -----------------


@pytest.mark.parametrize(
    ("label", "person", "default_set", "province_set"),
    [
        # 41, women workers retire at 55 from those born 1984-11 on: 2040-06-01, far away.
        ("woman of 41", facts(D(1985, 6, 1), F), {"older"}, set()),
        # 53; men born 1973-06: 60 + 26 months = 62y2m, retiring 2035-08-01 (within 10 years).
        ("man of 53", facts(D(1973, 6, 1), M), {"older"}, {"near_retirement"}),
        # 50; men born from 1976-09 retire at 63: 2039-06-01, more than 10 years away
        # (at the old age of 60 he would have been within 10 years).
        ("man of 50", facts(D(1976, 6, 1), M), {"older"}, set()),
        # 48; women born 1978-06: 50 + 21 months, retiring 2030-03-01.
        ("woman of 48", facts(D(1978, 6, 1), F), {"older"}, {"near_retirement"}),
        # A woman of 52 in the women-staff group (55 → 58): born 1974-06, 53 months after
        # 1970-01, so 55 + 14 months = 56y2m, retiring 2030-08-01.
        ("woman staff of 52", facts(D(1974, 6, 1), F, F55), {"older"}, {"near_retirement"}),
        # 30, registered unemployed 6 months: the province counts 6 months, the default 12.
        (
            "unemployed 6 months",
            facts(D(1996, 3, 3), M, unemployment_registered_on=D(2026, 5, 22)),
            set(),
            {"long_unemployed"},
        ),
        # The province set has no single-parent category.
        (
            "single parent",
            facts(D(1992, 3, 3), F, single_parent_of_minors=True),
            {"single_parent"},
            set(),
        ),
    ],
)
def test_the_province_set_gives_other_categories_for_the_same_person(
    db, label, person, default_set, province_set
):
    assert codes(DEFAULT, person, TODAY) == default_set, label
    assert codes(PROVINCE, person, TODAY) == province_set, label


def test_the_province_reason_names_the_retirement_day(db):
    match = one(PROVINCE, facts(D(1973, 6, 1), M), TODAY, "near_retirement")
    assert "2035-08-01" in match.reason and "10" in match.reason


@pytest.mark.parametrize(
    ("on", "near"),
    [
        # Retiring 2035-08-01 (a man born 1973-06-01).
        (D(2025, 7, 31), False),  # ten years and a day
        (D(2025, 8, 1), True),  # exactly ten years
        (D(2035, 7, 31), True),  # the day before retiring
        (D(2035, 8, 1), False),  # retired
    ],
)
def test_within_ten_years_of_retirement_at_the_boundaries(db, on, near):
    assert (one(PROVINCE, facts(D(1973, 6, 1), M), on, "near_retirement") is not None) is near


# -- the retirement table (渐进式延迟法定退休年龄) -----------------------------------------


@pytest.mark.parametrize(
    ("born", "group", "retires"),
    [
        # Men: 60 for those born before 1965; from 1965-01, one month more per 4 months of
        # birth, up to 63.
        (D(1964, 12, 15), MALE, D(2024, 12, 15)),  # 60
        (D(1965, 1, 15), MALE, D(2025, 2, 15)),  # 60y1m
        (D(1965, 4, 30), MALE, D(2025, 5, 30)),  # 60y1m (still the first four months)
        (D(1965, 5, 1), MALE, D(2025, 7, 1)),  # 60y2m
        (D(1965, 5, 20), MALE, D(2025, 7, 20)),  # 60y2m
        (D(1976, 8, 10), MALE, D(2039, 7, 10)),  # 139 months after 1965-01: 35 steps, 62y11m
        (D(1976, 9, 10), MALE, D(2039, 9, 10)),  # 36 steps: 63
        (D(1977, 3, 10), MALE, D(2040, 3, 10)),  # 63
        (D(1990, 1, 1), MALE, D(2053, 1, 1)),  # 63 at most
        (D(1965, 1, 31), MALE, D(2025, 2, 28)),  # 60y1m; February has no 31st
        # Women workers (50): from 1975-01, one month per 2 months of birth, up to 55.
        (D(1974, 12, 31), F50, D(2024, 12, 31)),  # 50
        (D(1975, 1, 15), F50, D(2025, 2, 15)),  # 50y1m
        (D(1975, 2, 28), F50, D(2025, 3, 28)),  # 50y1m
        (D(1975, 3, 10), F50, D(2025, 5, 10)),  # 50y2m
        (D(1984, 10, 5), F50, D(2039, 9, 5)),  # 117 months: 59 steps, 54y11m
        (D(1984, 11, 5), F50, D(2039, 11, 5)),  # 60 steps: 55
        (D(1972, 2, 29), F50, D(2022, 2, 28)),  # 50; 2022 has no 29 February
        # Women staff (55): from 1970-01, one month per 4 months of birth, up to 58.
        (D(1969, 12, 31), F55, D(2024, 12, 31)),  # 55
        (D(1970, 1, 15), F55, D(2025, 2, 15)),  # 55y1m
        (D(1970, 5, 10), F55, D(2025, 7, 10)),  # 55y2m
        (D(1981, 8, 1), F55, D(2039, 7, 1)),  # 139 months: 35 steps, 57y11m
        (D(1981, 9, 1), F55, D(2039, 9, 1)),  # 58
        (D(1985, 1, 1), F55, D(2043, 1, 1)),  # 58 at most
    ],
)
def test_the_retirement_table_of_the_reform(db, born, group, retires):
    assert retirement_date(born, group) == retires


def test_the_retirement_table_is_data(db):
    from assistance.models import RetirementRule

    RetirementRule.objects.filter(group=MALE).update(max_extra_months=24)
    assert retirement_date(D(1990, 1, 1), MALE) == D(2052, 1, 1)  # 62


# -- fact categories --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "category", "sensitive"),
    [
        ("disability_certificate", "disability", True),
        ("dibao_family", "dibao", True),
        ("zero_employment_family", "zero_employment", False),
        ("land_requisitioned", "land_requisitioned", False),
        ("single_parent_of_minors", "single_parent", False),
    ],
)
def test_each_fact_matches_its_own_category(db, flag, category, sensitive):
    young = D(1996, 3, 3)
    assert evaluate(rules(DEFAULT), facts(young, M), TODAY) == []
    [match] = evaluate(rules(DEFAULT), facts(young, M, **{flag: True}), TODAY)
    assert (match.code, match.sensitive) == (category, sensitive)
    assert match.reason


@pytest.mark.parametrize(
    ("registered", "on", "long_unemployed"),
    [
        (D(2025, 11, 22), TODAY, True),  # twelve months to the day
        (D(2025, 11, 23), TODAY, False),  # one day short
        (D(2024, 11, 22), TODAY, True),
        (D(2025, 1, 31), D(2026, 1, 30), False),
        (D(2025, 1, 31), D(2026, 1, 31), True),
        (D(2026, 12, 1), TODAY, False),  # registered in the future: not unemployed yet
    ],
)
def test_twelve_months_unemployed_at_the_boundary(db, registered, on, long_unemployed):
    person = facts(D(1996, 3, 3), M, unemployment_registered_on=registered)
    match = one(DEFAULT, person, on, "long_unemployed")
    assert (match is not None) is long_unemployed
    if long_unemployed:
        assert "12" in match.reason


@pytest.mark.parametrize(
    ("reason", "matched"),
    [("", False), ("   \n", False), ("刑满释放人员，释放未满一年", True)],
)
def test_other_needs_a_reason(db, reason, matched):
    match = one(DEFAULT, facts(D(1996, 3, 3), M, other_reason=reason), TODAY, "other")
    assert (match is not None) is matched
    if matched:
        assert match.reason == reason


def test_every_category_of_both_sets_has_its_evidence(db):
    for code in (DEFAULT, PROVINCE):
        for category in rules(code).categories.all():
            assert category.evidence.strip(), (code, category.code)


# -- the service level (分级服务) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_set", "categories", "months", "tier"),
    [
        # Default: A from 3 categories or 24 months, B from 2 or 12.
        (DEFAULT, 0, 0, Tier.C),
        (DEFAULT, 1, 11, Tier.C),
        (DEFAULT, 1, 12, Tier.B),
        (DEFAULT, 2, 0, Tier.B),
        (DEFAULT, 2, 23, Tier.B),
        (DEFAULT, 0, 23, Tier.B),
        (DEFAULT, 0, 24, Tier.A),
        (DEFAULT, 3, 0, Tier.A),
        # Province: A from 2 categories or 18 months, B from 1 or 6.
        (PROVINCE, 0, 5, Tier.C),
        (PROVINCE, 0, 6, Tier.B),
        (PROVINCE, 1, 0, Tier.B),
        (PROVINCE, 1, 17, Tier.B),
        (PROVINCE, 1, 18, Tier.A),
        (PROVINCE, 2, 0, Tier.A),
    ],
)
def test_service_tier_boundaries(db, rule_set, categories, months, tier):
    from assistance.retirement import add_months

    registered = add_months(TODAY, -months) if months else None
    person = facts(D(1996, 3, 3), M, unemployment_registered_on=registered)
    matches = [Match(f"c{i}", f"c{i}", "reason", False) for i in range(categories)]
    assert service_tier(rules(rule_set), matches, person, TODAY) == tier


# -- expiry of a certification -------------------------------------------------------------------


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.mark.parametrize("state", [S.CERTIFIED, S.PLAN_ACTIVE])
def test_a_certification_expires_the_day_after_its_last_day_not_before(new_case, state):
    case = new_case(state)
    # 24 months (the default set) after the day of certification.
    assert case.certification_expires == _two_years_after(case.certified_on)
    last_day = case.certification_expires
    with time_machine.travel(at(last_day, 23), tick=False):
        assert services.expire_certifications() == 0
    case.refresh_from_db()
    assert case.state == state
    with time_machine.travel(at(last_day + datetime.timedelta(days=1), 0), tick=False):
        assert services.expire_certifications() == 1
        assert services.expire_certifications() == 0  # once
    case.refresh_from_db()
    assert case.state == S.EXPIRED and case.ended_at
    assert case.events.last().action == "expire"
    assert open_task(case) is None


def test_an_expired_case_cannot_be_referred(new_case, make_post, carol_caseworker):
    case = new_case(S.PLAN_ACTIVE)
    post = make_post()
    after = case.certification_expires + datetime.timedelta(days=1)
    with time_machine.travel(at(after), tick=False):
        services.expire_certifications()
        case.refresh_from_db()
        with pytest.raises(ValidationError):
            services.referral_to_post(case=case, post=post, actor=actor(carol_caseworker))
    assert not post.referrals.exists()


def _two_years_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 2, day=28)
