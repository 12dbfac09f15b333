"""How long a public-welfare placement lasts, and who may have one
(docs/domain.md, "Hardship assistance").

Term ≤ 3 years; a person less than 5 years from statutory retirement at the first
subsidy approval stays until retirement; at most 2 placements per person; temporary
posts ≤ 6 months; rural posts take new hires up to an age limit. Every limit is a
setting. The clock is frozen on Tuesday 1 December 2026 unless a test says otherwise.
"""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from assistance import services
from assistance.models import AssistanceCase, ExitReason, Placement, Post, RetirementGroup
from tests.assistance.fixtures import actor
from tests.assistance.test_rules import id_number
from tests.conftest import make_person

S = AssistanceCase.State
D = datetime.date
FROZEN = D(2026, 12, 1)
START = D(2027, 1, 4)  # the first Monday of 2027


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(at(FROZEN), tick=False):
        yield


@pytest.fixture
def four_years_out(db):
    # A man born 1969-09-01: 56 months after 1965-01, so 60 + 15 months = 61y3m; he retires
    # on 2030-12-01, exactly four years after the frozen day.
    return make_person("冯建军", id_number(D(1969, 9, 1), "M"), "13600136020")


def start(case: AssistanceCase, carol, *, on=START, subsidy=START) -> Placement:
    placement = case.placements.get(status=Placement.Status.APPROVED)
    return services.placement_start(
        placement=placement, starts_on=on, subsidy_approved_on=subsidy, actor=actor(carol)
    )


def place_again(case, post, carol, sam, *, on, subsidy) -> Placement:
    """After leaving a post: the plan resumes, a new referral, proposal, approval, start."""
    services.plan_start(case=case, actor=actor(carol))
    referral = services.referral_to_post(case=case, post=post, actor=actor(carol))
    services.placement_propose(referral=referral, actor=actor(carol))
    services.placement_approve(case=case, actor=actor(sam))
    case.refresh_from_db()
    return start(case, carol, on=on, subsidy=subsidy)


def leave(placement: Placement, carol, on: datetime.date) -> None:
    services.placement_end(
        placement=placement, reason=ExitReason.TERM_ENDED, ended_on=on, actor=actor(carol)
    )


# -- the term ------------------------------------------------------------------------------------


def test_a_regular_post_far_from_retirement_gives_a_three_year_term(new_case, carol_caseworker):
    # The applicant (born 1982-06-15, women workers) retires on 2036-03-15.
    case = new_case(S.PLACED)
    placement = start(case, carol_caseworker)
    assert placement.term_ends_on == D(2030, 1, 3)  # three years less a day
    assert "3" in placement.term_rule
    case.refresh_from_db()
    assert case.state == S.IN_POST


def test_a_person_four_years_from_retirement_stays_until_retirement(
    new_case, four_years_out, carol_caseworker
):
    case = new_case(S.PLACED, person=four_years_out)
    placement = start(case, carol_caseworker, on=FROZEN, subsidy=FROZEN)
    assert placement.term_ends_on == D(2030, 12, 1)
    assert "2030-12-01" in placement.term_rule


@pytest.mark.parametrize(
    ("subsidy", "ends"),
    [
        # Retiring 2030-12-01 (the man born 1969-09-01).
        (D(2025, 12, 1), D(2028, 12, 6)),  # exactly five years: not "less than", 3 years
        (D(2025, 12, 2), D(2030, 12, 1)),  # a day less than five years: until retirement
        (D(2026, 12, 1), D(2030, 12, 1)),
    ],
)
def test_less_than_five_years_from_retirement_at_the_boundary(db, subsidy, ends):
    term = services.placement_term(
        person_birth=D(1969, 9, 1),
        group=RetirementGroup.MALE,
        post_kind=Post.Kind.REGULAR,
        starts_on=D(2025, 12, 7),
        subsidy_approved_on=subsidy,
    )
    assert term.ends_on == ends


def test_the_first_subsidy_approval_decides_for_a_later_placement(
    new_case, four_years_out, make_post, carol_caseworker, sam_supervisor
):
    """Five years and more out at the first approval: the second placement, approved when
    he is under five years out, still gets a fixed term (capped at retirement)."""
    case = new_case(S.PLACED, person=four_years_out)
    first = start(case, carol_caseworker, on=D(2025, 6, 2), subsidy=D(2025, 6, 2))
    assert first.term_ends_on == D(2028, 6, 1)  # 5.5 years out: a three-year term
    leave(first, carol_caseworker, D(2026, 11, 30))
    second = place_again(
        case,
        make_post(title="社区公共设施巡查员"),
        carol_caseworker,
        sam_supervisor,
        on=D(2026, 12, 7),
        subsidy=D(2026, 12, 7),
    )
    assert second.subsidy_approved_on == D(2026, 12, 7)
    assert "2030-12-01" not in second.term_rule  # not the "until retirement" rule
    assert second.term_ends_on == D(2029, 12, 6)


def test_a_temporary_post_ends_at_six_months(new_case, make_post, carol_caseworker, sam_supervisor):
    case = new_case(S.PLAN_ACTIVE)
    post = make_post(kind=Post.Kind.TEMPORARY, title="防汛巡查员")
    referral = services.referral_to_post(case=case, post=post, actor=actor(carol_caseworker))
    services.placement_propose(referral=referral, actor=actor(carol_caseworker))
    services.placement_approve(case=case, actor=actor(sam_supervisor))
    placement = start(case, carol_caseworker)
    assert placement.term_ends_on == D(2027, 7, 3)  # six months less a day
    assert "6" in placement.term_rule


def test_a_temporary_post_ends_at_six_months_even_near_retirement(db):
    term = services.placement_term(
        person_birth=D(1969, 9, 1),
        group=RetirementGroup.MALE,
        post_kind=Post.Kind.TEMPORARY,
        starts_on=START,
        subsidy_approved_on=START,
    )
    assert term.ends_on == D(2027, 7, 3)
    # ... and never after retirement: a man born 1966-12-01 (23 months after 1965-01:
    # 6 steps, 60y6m) retires on 2027-06-01, before the six months end.
    term = services.placement_term(
        person_birth=D(1966, 12, 1),
        group=RetirementGroup.MALE,
        post_kind=Post.Kind.TEMPORARY,
        starts_on=START,
        subsidy_approved_on=START,
    )
    assert term.ends_on == D(2027, 6, 1)


@pytest.mark.parametrize(
    ("setting", "value", "birth", "kind", "ends"),
    [
        ("ASSISTANCE_TERM_YEARS", 2, D(1982, 6, 15), Post.Kind.REGULAR, D(2029, 1, 3)),
        ("ASSISTANCE_TEMPORARY_MONTHS", 3, D(1982, 6, 15), Post.Kind.TEMPORARY, D(2027, 4, 3)),
        # Three years instead of five: the man four years out gets the regular term.
        ("ASSISTANCE_NEAR_RETIREMENT_YEARS", 3, D(1969, 9, 1), Post.Kind.REGULAR, D(2030, 1, 3)),
        # No "until retirement" rule: the three-year term is cut at retirement instead
        # (a man born 1968-01-01: 36 months after 1965-01, 60y10m, retiring 2028-11-01).
        ("ASSISTANCE_NEAR_RETIREMENT_YEARS", 0, D(1968, 1, 1), Post.Kind.REGULAR, D(2028, 11, 1)),
    ],
)
def test_the_settings_change_the_limits(settings, db, setting, value, birth, kind, ends):
    group = RetirementGroup.MALE if birth.year < 1975 else RetirementGroup.FEMALE_50
    setattr(settings, setting, value)
    term = services.placement_term(
        person_birth=birth, group=group, post_kind=kind, starts_on=START, subsidy_approved_on=START
    )
    assert term.ends_on == ends


def test_the_defaults_are_those_of_the_domain_notes(settings):
    assert settings.ASSISTANCE_TERM_YEARS == 3
    assert settings.ASSISTANCE_NEAR_RETIREMENT_YEARS == 5
    assert settings.ASSISTANCE_MAX_PLACEMENTS == 2
    assert settings.ASSISTANCE_TEMPORARY_MONTHS == 6


# -- at most two placements ----------------------------------------------------------------------


def test_a_third_placement_is_refused(new_case, make_post, carol_caseworker, sam_supervisor):
    case = new_case(S.PLACED)
    first = start(case, carol_caseworker, on=D(2020, 1, 6), subsidy=D(2020, 1, 6))
    leave(first, carol_caseworker, D(2023, 1, 5))
    second = place_again(
        case,
        make_post(title="社区公共设施巡查员"),
        carol_caseworker,
        sam_supervisor,
        on=D(2023, 2, 6),
        subsidy=D(2023, 2, 6),
    )
    leave(second, carol_caseworker, D(2026, 2, 5))
    services.plan_start(case=case, actor=actor(carol_caseworker))
    third = make_post(title="公园管护员")
    with pytest.raises(ValidationError, match="2"):
        services.referral_to_post(case=case, post=third, actor=actor(carol_caseworker))
    assert not third.referrals.exists()
    assert services.placements_used(case.person) == 2


def test_a_third_placement_is_refused_also_on_a_new_case(
    new_case, make_post, market, applicant, carol_caseworker, sam_supervisor
):
    case = new_case(S.PLACED)
    first = start(case, carol_caseworker, on=D(2020, 1, 6), subsidy=D(2020, 1, 6))
    leave(first, carol_caseworker, D(2023, 1, 5))
    place_again(
        case,
        make_post(title="社区公共设施巡查员"),
        carol_caseworker,
        sam_supervisor,
        on=D(2023, 2, 6),
        subsidy=D(2023, 2, 6),
    )
    case.refresh_from_db()
    leave(case.placements.get(status=Placement.Status.IN_POST), carol_caseworker, D(2026, 2, 5))
    services.case_close(case=case, outcome="exited", actor=actor(carol_caseworker))
    again = new_case(S.PLAN_ACTIVE)
    assert again.pk != case.pk and again.person == applicant
    with pytest.raises(ValidationError):
        services.referral_to_post(
            case=again, post=make_post(title="公园管护员"), actor=actor(carol_caseworker)
        )


def test_a_refused_placement_does_not_count(new_case, carol_caseworker, sam_supervisor):
    case = new_case(S.PLACEMENT_PROPOSED)
    services.placement_refuse(case=case, actor=actor(sam_supervisor), reason="材料不全")
    assert services.placements_used(case.person) == 0


def test_the_most_placements_is_a_setting(
    settings, new_case, make_post, carol_caseworker, sam_supervisor
):
    settings.ASSISTANCE_MAX_PLACEMENTS = 3
    case = new_case(S.PLACED)
    first = start(case, carol_caseworker, on=D(2020, 1, 6), subsidy=D(2020, 1, 6))
    leave(first, carol_caseworker, D(2023, 1, 5))
    second = place_again(
        case,
        make_post(title="社区公共设施巡查员"),
        carol_caseworker,
        sam_supervisor,
        on=D(2023, 2, 6),
        subsidy=D(2023, 2, 6),
    )
    leave(second, carol_caseworker, D(2026, 2, 5))
    services.plan_start(case=case, actor=actor(carol_caseworker))
    referral = services.referral_to_post(
        case=case, post=make_post(title="公园管护员"), actor=actor(carol_caseworker)
    )
    assert referral.status == referral.Status.RESERVED


# -- who may be placed -----------------------------------------------------------------------------


def test_a_rural_post_refuses_a_person_over_its_age_limit(new_case, make_post, carol_caseworker):
    # In March 2031 a man born 1970-01-15 is 61 and retires on 2031-05-15 (61y4m);
    # one born 1970-06-01 is 60 and retires on 2031-11-01 (61y5m).
    with time_machine.travel(at(D(2031, 3, 3)), tick=False):
        older = make_person("褚大山", id_number(D(1970, 1, 15), "M"), "13600136021")
        sixty = make_person("卫长海", id_number(D(1970, 6, 1), "M"), "13600136022")
        rural = make_post(kind=Post.Kind.RURAL, title="乡村道路养护员", age_limit=60)
        carol = actor(carol_caseworker)
        case = new_case(S.PLAN_ACTIVE, person=older)
        with pytest.raises(ValidationError, match="60"):
            services.referral_to_post(case=case, post=rural, actor=carol)
        assert not rural.referrals.exists()
        # A regular post has no age limit.
        assert services.referral_to_post(case=case, post=make_post(), actor=carol)
        ok = new_case(S.PLAN_ACTIVE, person=sixty)
        referral = services.referral_to_post(case=ok, post=rural, actor=carol)
        assert referral.status == referral.Status.RESERVED


def test_a_person_at_retirement_age_is_not_placed(new_case, make_post, carol_caseworker):
    # A man born 1966-03-10 (14 months after 1965-01: 4 steps, 60y4m) retired on 2026-07-10;
    # he is still "older" and may be certified, but a post is not for him.
    person = make_person("蒋福生", id_number(D(1966, 3, 10), "M"), "13600136023")
    case = new_case(S.PLAN_ACTIVE, person=person)
    with pytest.raises(ValidationError):
        services.referral_to_post(case=case, post=make_post(), actor=actor(carol_caseworker))
