"""The caseworkers' queue: each kind of due work in its tab with the right count, and the
home page's assistance queues. Supervisors also see the approvals waiting for them."""

import datetime
import itertools
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

import assistance.queues  # noqa: F401  (registers the home-page queues, as apps.ready() does)
from assistance import services
from assistance.models import AssistanceCase, PlanItem
from assistance.queues import Tab, tab_items
from assistance.services import follow_up_record
from casework.core.calendar import add_working_days
from tests.assistance.fixtures import actor
from tests.conftest import make_person

S = AssistanceCase.State

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_serial = itertools.count(1)


def ric(first17: str) -> str:
    return first17 + "10X98765432"[sum(int(a) * w for a, w in zip(first17, W, strict=True)) % 11]


def someone():
    """Another woman in her forties: each case needs its own person."""
    n = next(_serial)
    born = datetime.date(1980, 1, 1) + datetime.timedelta(days=n)
    return make_person(f"申请人{n}", ric(f"110101{born:%Y%m%d}002"), f"1360013{n:04d}")


@pytest.fixture
def case_in(new_case):
    def make(state: str) -> AssistanceCase:
        return new_case(state, person=someone())

    return make


def counts(client) -> dict[str, int]:
    page = client.get(reverse("assistance:queue")).content.decode()
    found = re.findall(r'data-tab="(\w+)"[^>]*>[^<]*<span class="count">(\d+)</span>', page)
    return {tab: int(n) for tab, n in found}


def tab_page(client, tab: str) -> str:
    return client.get(reverse("assistance:queue"), {"tab": tab}).content.decode()


def at(day: datetime.date):
    return time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))), tick=False
    )


def test_an_empty_queue_has_every_tab_at_zero(client, carol_caseworker):
    client.force_login(carol_caseworker)
    assert counts(client) == dict.fromkeys(
        [Tab.NEW, Tab.REVIEWS, Tab.NOTICES, Tab.PLAN, Tab.EXIT, Tab.FOLLOW_UP, Tab.ALL], 0
    )


def test_new_applications_wait_until_taken(client, carol_caseworker, case_in):
    first, second = case_in(S.APPLIED), case_in(S.APPLIED)
    client.force_login(carol_caseworker)
    assert counts(client)[Tab.NEW] == 2
    page = tab_page(client, Tab.NEW)
    assert first.code in page and second.code in page
    assert reverse("assistance:take", args=[first.code]) in page
    client.post(reverse("assistance:take", args=[first.code]))
    assert counts(client)[Tab.NEW] == 1
    assert counts(client)[Tab.REVIEWS] == 1


def test_reviews_are_listed_by_their_due_date(client, carol_caseworker, case_in):
    reviews = [case_in(S.UNDER_REVIEW), case_in(S.UNDER_REVIEW)]
    AssistanceCase.objects.filter(pk=reviews[1].pk).update(
        review_due=timezone.localdate() - datetime.timedelta(days=1)
    )
    case_in(S.ON_NOTICE)
    client.force_login(carol_caseworker)
    assert counts(client)[Tab.REVIEWS] == 2
    page = tab_page(client, Tab.REVIEWS)
    assert page.index(reviews[1].code) < page.index(reviews[0].code)


def test_public_notices_show_two_working_days_before_they_end(client, carol_caseworker, case_in):
    case = case_in(S.ON_NOTICE)
    client.force_login(carol_caseworker)
    assert counts(client)[Tab.NOTICES] == 0
    # Two working days before the notice ends it comes up, and stays until it is decided.
    day = case.notice_ends - datetime.timedelta(days=1)
    while add_working_days(day, 2) < case.notice_ends:
        day += datetime.timedelta(days=1)
    with at(day):
        client.force_login(carol_caseworker)
        assert counts(client)[Tab.NOTICES] == 1
        assert case.code in tab_page(client, Tab.NOTICES)
    with at(case.notice_ends + datetime.timedelta(days=3)):
        client.force_login(carol_caseworker)
        assert counts(client)[Tab.NOTICES] == 1


def test_overdue_plan_items_are_counted_one_by_one(client, carol_caseworker, case_in):
    case = case_in(S.PLAN_ACTIVE)  # its first item is due in 30 days
    today = timezone.localdate()
    for days in (1, 5):
        services.plan_item_add(
            case=case,
            kind=PlanItem.Kind.GUIDANCE,
            description=f"职业指导 {days}",
            due_on=today - datetime.timedelta(days=days),
            actor=actor(carol_caseworker),
        )
    client.force_login(carol_caseworker)
    assert counts(client)[Tab.PLAN] == 2
    page = tab_page(client, Tab.PLAN)
    assert "职业指导 5" in page and "职业指导 1" in page
    item = case.plan_items.get(description="职业指导 1")
    services.plan_item_done(item=item, actor=actor(carol_caseworker))
    assert counts(client)[Tab.PLAN] == 1


def test_placements_come_up_for_exit_planning_before_their_term_ends(
    client, settings, carol_caseworker, case_in
):
    case = case_in(S.IN_POST)
    ends = case.placements.get().term_ends_on
    client.force_login(carol_caseworker)
    assert counts(client)[Tab.EXIT] == 0
    with at(ends - datetime.timedelta(days=settings.ASSISTANCE_EXIT_PLANNING_DAYS + 1)):
        client.force_login(carol_caseworker)
        assert counts(client)[Tab.EXIT] == 0
    with at(ends - datetime.timedelta(days=settings.ASSISTANCE_EXIT_PLANNING_DAYS)):
        client.force_login(carol_caseworker)
        assert counts(client)[Tab.EXIT] == 1
        assert case.code in tab_page(client, Tab.EXIT)
    settings.ASSISTANCE_EXIT_PLANNING_DAYS = 2000
    assert counts(client)[Tab.EXIT] == 1


def test_follow_up_visits_are_due_without_a_visit_in_30_days(client, carol_caseworker, case_in):
    case = case_in(S.IN_POST)
    client.force_login(carol_caseworker)
    assert counts(client)[Tab.FOLLOW_UP] == 1  # never visited
    follow_up_record(case=case, note="适应良好", actor=actor(carol_caseworker))
    assert counts(client)[Tab.FOLLOW_UP] == 0
    with at(timezone.localdate() + datetime.timedelta(days=31)):
        client.force_login(carol_caseworker)
        assert counts(client)[Tab.FOLLOW_UP] == 1


def test_supervisors_see_the_approvals_waiting_and_caseworkers_do_not(
    client, carol_caseworker, sam_supervisor, case_in
):
    notice = case_in(S.ON_NOTICE)
    placement = case_in(S.PLACEMENT_PROPOSED)
    client.force_login(carol_caseworker)
    assert Tab.APPROVALS not in counts(client)
    client.force_login(sam_supervisor)
    assert counts(client)[Tab.APPROVALS] == 1  # the notice is still running
    page = tab_page(client, Tab.APPROVALS)
    assert placement.code in page and notice.code not in page
    with at(notice.notice_ends + datetime.timedelta(days=1)):
        client.force_login(sam_supervisor)
        assert counts(client)[Tab.APPROVALS] == 2


def test_own_proposals_are_not_in_ones_approvals(client, carol_caseworker, case_in):
    carol_caseworker.user_permissions.add(Permission.objects.get(codename="approve_case"))
    case_in(S.PLACEMENT_PROPOSED)  # proposed by carol
    client.force_login(carol_caseworker)
    assert counts(client)[Tab.APPROVALS] == 0


def test_cases_of_another_market_are_not_counted(
    client, carol_caseworker, other_market, oscar_outsider, case_in
):
    case_in(S.APPLIED)
    services.case_apply(market=other_market, person=someone(), actor=actor(oscar_outsider))
    client.force_login(carol_caseworker)
    assert counts(client)[Tab.NEW] == 1
    assert tab_items(Tab.NEW, carol_caseworker).count() == 1


def test_the_home_page_shows_the_assistance_queues_with_counts(
    client, carol_caseworker, sam_supervisor, case_in
):
    case_in(S.APPLIED)
    case_in(S.PLACEMENT_PROPOSED)
    client.force_login(carol_caseworker)
    page = client.get(reverse("home")).content.decode()
    assert "就业困难人员认定新申请" in page
    assert f"{reverse('assistance:queue')}?tab={Tab.NEW}" in page
    assert "就业援助待审批事项" not in page
    client.force_login(sam_supervisor)
    page = client.get(reverse("home")).content.decode()
    assert "就业援助待审批事项" in page
    assert f"?tab={Tab.APPROVALS}" in page


def test_the_auditor_reads_the_queue_without_take_buttons(client, audrey_auditor, case_in):
    case = case_in(S.APPLIED)
    client.force_login(audrey_auditor)
    page = tab_page(client, Tab.NEW)
    assert case.code in page
    assert reverse("assistance:take", args=[case.code]) not in page
