"""The mediator queue page: tabs, counts, order, filters, take next, take, reassign."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import constants, get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.core import caselist
from casework.core.models import CaseEvent, HolidayOverride
from casework.core.roles import Role
from casework.disputes import services
from casework.disputes.models import ClaimType, Dispute
from casework.disputes.views import queue as queue_views
from tests.conftest import WANG_ID, make_user
from tests.disputes.fixtures import actor, file_dispute

S = Dispute.State
# Wed 4 March 2026, 10:00 in Shanghai: every 15-day deadline falls in a year
# chinese-calendar knows.
MARCH = "2026-03-04 10:00:00+08:00"
# 20 December 2026: the deadlines fall in 2027, whose holiday schedule is not known yet.
DECEMBER = "2026-12-20 10:00:00+08:00"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(MARCH):
        yield


def wages(amount="3200.00"):
    return services.Claim(ClaimType.UNPAID_WAGES, Decimal(amount))


def severance(amount="5000.00"):
    return services.Claim(ClaimType.SEVERANCE, Decimal(amount))


def due_in(dispute: Dispute, days: int) -> Dispute:
    Dispute.objects.filter(pk=dispute.pk).update(
        due_date=timezone.localdate() + datetime.timedelta(days=days)
    )
    dispute.refresh_from_db()
    return dispute


def held_by(dispute: Dispute, mediator) -> Dispute:
    assert services.dispute_take(dispute=dispute, actor=actor(mediator))
    return dispute


def get_queue(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("disputes:queue"), params)
    assert response.status_code == 200
    return response


def codes(response) -> list[str]:
    return [row.code for row in response.context["page"].items]


def counts(response) -> dict[str, int]:
    return {tab.slug: tab.count for tab in response.context["tabs"]}


def message_levels(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


# -- tabs and counts ------------------------------------------------------------------


@pytest.fixture
def cases(new_dispute, bob_mediator):
    """One dispute in each tab's situation."""
    return {
        "received": new_dispute(S.RECEIVED),
        "accepted": due_in(new_dispute(S.ACCEPTED), 10),
        "alices": due_in(new_dispute(S.IN_MEDIATION), 12),
        "bobs": due_in(held_by(new_dispute(S.ACCEPTED), bob_mediator), 11),
        "due_soon": due_in(new_dispute(S.IN_MEDIATION), 2),
        "overdue": due_in(new_dispute(S.ACCEPTED), -1),
        "closed": new_dispute(S.WITHDRAWN),
    }


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("review", ["received"]),
        ("unassigned", ["accepted", "overdue"]),
        ("mine", ["alices", "due_soon"]),
        ("due_soon", ["due_soon"]),
        ("overdue", ["overdue"]),
    ],
)
def test_each_mediator_tab_lists_its_cases_and_counts_them(
    client, alice_mediator, cases, tab, expected
):
    response = get_queue(client, alice_mediator, tab=tab)
    assert sorted(codes(response)) == sorted(cases[name].code for name in expected)
    assert counts(response)[tab] == len(expected)


def test_a_mediator_has_an_all_tab_and_starts_on_unassigned(client, alice_mediator, cases):
    response = get_queue(client, alice_mediator)
    assert list(counts(response)) == ["review", "unassigned", "mine", "due_soon", "overdue", "all"]
    assert response.context["tab"] == "unassigned"
    assert counts(response) == {
        "review": 1,
        "unassigned": 2,
        "mine": 2,
        "due_soon": 1,
        "overdue": 1,
        "all": len(cases),
    }


def test_a_supervisor_starts_on_review_and_sees_every_case_under_all(client, sam_supervisor, cases):
    response = get_queue(client, sam_supervisor)
    assert response.context["tab"] == "review"
    assert "unassigned" not in counts(response)

    response = get_queue(client, sam_supervisor, tab="all")
    assert sorted(codes(response)) == sorted(case.code for case in cases.values())
    assert counts(response)["all"] == len(cases)


def test_an_unknown_tab_falls_back_to_the_default(client, alice_mediator, cases):
    response = get_queue(client, alice_mediator, tab="everything")
    assert response.context["tab"] == "unassigned"


def test_the_all_tab_count_is_capped(client, sam_supervisor, new_dispute, monkeypatch):
    monkeypatch.setattr(caselist, "COUNT_CAP", 2)
    monkeypatch.setattr(queue_views, "PER_PAGE", 2)
    made = [new_dispute(S.RECEIVED) for _ in range(4)]

    response = get_queue(client, sam_supervisor, tab="all")

    tab = next(t for t in response.context["tabs"] if t.slug == "all")
    assert tab.count_text == "2+"
    page = response.context["page"]
    assert (page.num_pages, page.has_next) == (None, True)
    last = get_queue(client, sam_supervisor, tab="all", page=2)
    assert len(codes(last)) == 2 and not last.context["page"].has_next
    assert set(codes(response)) | set(codes(last)) == {d.code for d in made}


def test_rows_show_names_claims_priority_and_deadline_but_no_id_numbers(
    client, alice_mediator, new_dispute, wang_worker, li_worker
):
    group = due_in(new_dispute(S.ACCEPTED, applicants=[wang_worker.person, li_worker.person]), -2)

    response = get_queue(client, alice_mediator)
    page = response.content.decode()

    assert reverse("disputes:take", args=[group.code]) in page
    (row,) = response.context["page"].items
    assert sorted(row.applicants.split("、")) == sorted(["王小明", "李四"])
    assert (row.wage_arrears, row.group, row.deadline.status["level"]) == (True, True, "overdue")
    assert group.code in page and reverse("disputes:detail", args=[group.code]) in page
    assert "王小明" in page and "测试搬家服务有限公司" in page
    assert "3200.00" in page and "2026-03-04" in page
    assert "deadline-overdue" in page
    assert WANG_ID not in page


def test_a_deadline_in_a_year_without_a_holiday_schedule_is_marked_provisional(
    client, alice_mediator, new_dispute
):
    with time_machine.travel(DECEMBER):
        dispute = new_dispute(S.ACCEPTED)
        assert dispute.due_date.year == 2027
        (row,) = get_queue(client, alice_mediator).context["page"].items
        assert row.deadline.status["provisional"]
        assert (row.deadline.status["left"], row.deadline.status["level"]) == (
            (dispute.due_date - datetime.date(2026, 12, 20)).days,
            "ok",
        )

        HolidayOverride.objects.create(
            date=datetime.date(2027, 1, 1), is_workday=False, name="元旦"
        )
        (row,) = get_queue(client, alice_mediator).context["page"].items
        assert not row.deadline.status["provisional"]


def test_tab_links_keep_the_filters(client, alice_mediator, new_dispute):
    new_dispute(S.ACCEPTED)
    page = get_queue(client, alice_mediator, claim_type="severance", page="1").content.decode()
    assert 'href="?claim_type=severance&amp;tab=mine"' in page


def test_a_mediator_without_a_market_sees_an_empty_queue(client, new_dispute):
    new_dispute(S.ACCEPTED)
    homeless = make_user("nomad", Role.MEDIATOR)

    response = get_queue(client, homeless)

    assert codes(response) == []
    assert set(counts(response).values()) == {0}


# -- order ----------------------------------------------------------------------------


def test_cases_are_sorted_by_priority_then_deadline(
    client, alice_mediator, new_dispute, wang_worker, li_worker
):
    both = [wang_worker.person, li_worker.person]
    low = due_in(new_dispute(S.ACCEPTED, claims=[severance()]), 1)
    wages_late = due_in(new_dispute(S.ACCEPTED, claims=[wages()]), 9)
    wages_soon = due_in(new_dispute(S.ACCEPTED, claims=[wages()]), 4)
    group_wages = due_in(new_dispute(S.ACCEPTED, claims=[wages()], applicants=both), 14)

    response = get_queue(client, alice_mediator, tab="unassigned")

    assert codes(response) == [group_wages.code, wages_soon.code, wages_late.code, low.code]


# -- filters --------------------------------------------------------------------------


def test_the_claim_type_filter_matches_any_claim_of_that_type(client, alice_mediator, new_dispute):
    only_wages = new_dispute(S.ACCEPTED, claims=[wages()])
    mixed = new_dispute(S.ACCEPTED, claims=[wages(), severance()])
    new_dispute(S.RECEIVED, claims=[severance()])

    response = get_queue(client, alice_mediator, claim_type="severance")

    assert codes(response) == [mixed.code]
    assert counts(response)["unassigned"] == 1
    assert counts(response)["review"] == 1
    response = get_queue(client, alice_mediator, claim_type="unpaid_wages")
    assert sorted(codes(response)) == sorted([only_wages.code, mixed.code])


def test_the_amount_filter_is_inclusive(client, alice_mediator, new_dispute):
    small = new_dispute(S.ACCEPTED, claims=[wages("800.00")])
    middle = new_dispute(S.ACCEPTED, claims=[wages("3000.00")])
    big = new_dispute(S.ACCEPTED, claims=[wages("2000.00"), severance("9000.00")])

    at_least = codes(get_queue(client, alice_mediator, amount_min="3000"))
    assert sorted(at_least) == sorted([middle.code, big.code])
    at_most = codes(get_queue(client, alice_mediator, amount_max="3000.00"))
    assert sorted(at_most) == sorted([small.code, middle.code])
    assert codes(get_queue(client, alice_mediator, amount_min="1000", amount_max="5000")) == [
        middle.code
    ]


def test_the_receipt_date_filter_counts_days_in_china_time(client, alice_mediator, new_dispute):
    shanghai = timezone.get_default_timezone()
    late_on_the_2nd = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=shanghai)  # 15:30 UTC
    early_on_the_3rd = datetime.datetime(2026, 3, 3, 0, 30, tzinfo=shanghai)  # 2nd in UTC
    on_2nd = new_dispute(S.ACCEPTED, received_at=late_on_the_2nd)
    on_3rd = new_dispute(S.ACCEPTED, received_at=early_on_the_3rd)

    response = get_queue(client, alice_mediator, received_to="2026-03-02")
    assert codes(response) == [on_2nd.code]
    response = get_queue(client, alice_mediator, received_from="2026-03-03")
    assert codes(response) == [on_3rd.code]
    response = get_queue(
        client, alice_mediator, received_from="2026-03-02", received_to="2026-03-03"
    )
    assert sorted(codes(response)) == sorted([on_2nd.code, on_3rd.code])


@pytest.fixture
def second_market_case(other_market, mediation_body, employer, wang_worker, sam_supervisor):
    other_market.supervisors.add(sam_supervisor)
    return file_dispute(
        market=other_market,
        mediation_body=mediation_body,
        respondent=employer,
        applicants=[wang_worker.person],
        by=sam_supervisor,
    )


def test_the_market_filter_offers_only_the_users_markets(
    client, sam_supervisor, new_dispute, market, other_market, second_market_case
):
    here = new_dispute(S.RECEIVED)

    response = get_queue(client, sam_supervisor, tab="review")
    assert sorted(codes(response)) == sorted([here.code, second_market_case.code])
    choices = [value for value, _label in response.context["form"].fields["market"].choices]
    assert sorted(choices[1:]) == sorted([market.pk, other_market.pk])

    response = get_queue(client, sam_supervisor, tab="review", market=other_market.pk)
    assert codes(response) == [second_market_case.code]
    assert counts(response)["review"] == 1


def test_a_single_market_user_cannot_filter_to_another_market(
    client, alice_mediator, new_dispute, other_market
):
    here = new_dispute(S.RECEIVED)
    response = get_queue(client, alice_mediator, tab="review", market=other_market.pk)
    assert "market" not in response.context["form"].fields
    assert codes(response) == [here.code]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"amount_min": "-5"}, "amount_min"),
        ({"amount_min": "500", "amount_max": "100"}, "amount_max"),
        ({"amount_max": "lots"}, "amount_max"),
        ({"received_from": "2026-13-45"}, "received_from"),
        ({"received_from": "2026-03-05", "received_to": "2026-03-01"}, "received_to"),
        ({"received_to": "9999-12-31"}, "received_to"),
        ({"claim_type": "bribes"}, "claim_type"),
        ({"market": "abc"}, "market"),
    ],
)
def test_bad_filter_input_is_explained_and_lists_nothing(
    client, sam_supervisor, new_dispute, second_market_case, params, field
):
    new_dispute(S.RECEIVED)

    response = get_queue(client, sam_supervisor, tab="review", **params)

    assert field in response.context["form"].errors
    assert 'class="errorlist' in response.content.decode()
    assert codes(response) == []


def test_a_bad_page_number_shows_a_page_instead_of_an_error(client, alice_mediator, cases):
    for page in ("abc", "-3", "0", "99999999999999999999999"):
        response = get_queue(client, alice_mediator, page=page)
        assert sorted(codes(response)) == sorted([cases["accepted"].code, cases["overdue"].code])


# -- take next and take ---------------------------------------------------------------


def test_take_next_gives_the_highest_priority_case_and_starts_mediation(
    client, alice_mediator, new_dispute, wang_worker, li_worker
):
    due_in(new_dispute(S.ACCEPTED, claims=[severance()]), 1)
    top = new_dispute(S.ACCEPTED, applicants=[wang_worker.person, li_worker.person])
    client.force_login(alice_mediator)

    response = client.post(reverse("disputes:take_next"))

    assert response.status_code == 302
    assert response.url == reverse("disputes:detail", args=[top.code])
    ((level, text),) = message_levels(response)
    assert level == constants.SUCCESS and top.code in text
    top.refresh_from_db()
    assert (top.owner, top.state) == (alice_mediator, S.IN_MEDIATION)
    claimed = CaseEvent.objects.for_subject(top).get(action="claimed")
    assert claimed.actor == alice_mediator
    assert codes(get_queue(client, alice_mediator, tab="mine")) == [top.code]


def test_a_second_mediators_take_next_gets_a_different_case(
    client, alice_mediator, bob_mediator, new_dispute
):
    first, second = new_dispute(S.ACCEPTED), new_dispute(S.ACCEPTED)
    client.force_login(alice_mediator)
    alices = client.post(reverse("disputes:take_next")).url
    client.force_login(bob_mediator)
    bobs = client.post(reverse("disputes:take_next")).url

    assert alices != bobs
    assert {alices, bobs} == {reverse("disputes:detail", args=[d.code]) for d in (first, second)}
    owners = dict(Dispute.objects.values_list("code", "owner__username"))
    assert sorted(owners.values()) == ["alice", "bob"]


def test_take_next_with_nothing_waiting_returns_to_the_queue(
    client, alice_mediator, bob_mediator, new_dispute
):
    new_dispute(S.RECEIVED)
    held_by(new_dispute(S.ACCEPTED), bob_mediator)
    client.force_login(alice_mediator)

    response = client.post(reverse("disputes:take_next"))

    assert response.url == reverse("disputes:queue") + "?tab=unassigned"
    assert [level for level, _text in message_levels(response)] == [constants.INFO]
    assert not Dispute.objects.filter(owner=alice_mediator).exists()


def test_take_next_is_post_only(client, alice_mediator):
    client.force_login(alice_mediator)
    assert client.get(reverse("disputes:take_next")).status_code == 405


def test_taking_a_chosen_case_assigns_it(client, alice_mediator, new_dispute):
    dispute = new_dispute(S.ACCEPTED)
    client.force_login(alice_mediator)

    response = client.post(reverse("disputes:take", args=[dispute.code]))

    assert response.url == reverse("disputes:detail", args=[dispute.code])
    dispute.refresh_from_db()
    assert (dispute.owner, dispute.state) == (alice_mediator, S.IN_MEDIATION)


def test_taking_a_case_already_taken_says_so(client, alice_mediator, bob_mediator, new_dispute):
    dispute = held_by(new_dispute(S.ACCEPTED), alice_mediator)
    client.force_login(bob_mediator)

    response = client.post(reverse("disputes:take", args=[dispute.code]))

    assert response.url == reverse("disputes:queue") + "?tab=unassigned"
    ((level, text),) = message_levels(response)
    assert level == constants.WARNING and dispute.code in text
    dispute.refresh_from_db()
    assert dispute.owner == alice_mediator


def test_taking_a_case_not_yet_accepted_says_it_is_not_waiting(client, alice_mediator, new_dispute):
    dispute = new_dispute(S.RECEIVED)
    client.force_login(alice_mediator)

    response = client.post(reverse("disputes:take", args=[dispute.code]))

    ((level, text),) = message_levels(response)
    assert level == constants.WARNING and dispute.code in text
    dispute.refresh_from_db()
    assert (dispute.owner, dispute.state) == (None, S.RECEIVED)


def test_a_supervisor_cannot_take_cases(client, sam_supervisor, new_dispute):
    dispute = new_dispute(S.ACCEPTED)
    client.force_login(sam_supervisor)
    assert client.post(reverse("disputes:take", args=[dispute.code])).status_code == 403
    assert client.post(reverse("disputes:take_next")).status_code == 403
    page = get_queue(client, sam_supervisor, tab="all").content.decode()
    assert dispute.code in page
    assert reverse("disputes:take_next") not in page
    assert reverse("disputes:take", args=[dispute.code]) not in page


# -- reassign -------------------------------------------------------------------------


def test_reassigning_needs_a_reason(
    client, sam_supervisor, bob_mediator, alice_mediator, new_dispute
):
    dispute = new_dispute(S.IN_MEDIATION)
    client.force_login(sam_supervisor)
    url = reverse("disputes:reassign", args=[dispute.code])

    response = client.post(url, {"to": bob_mediator.pk, "reason": "   "})

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    dispute.refresh_from_db()
    assert dispute.owner == alice_mediator
    assert not CaseEvent.objects.for_subject(dispute).filter(action="reassigned").exists()


def test_reassigning_writes_the_reason_to_the_audit_trail_and_moves_the_case(
    client, sam_supervisor, alice_mediator, bob_mediator, new_dispute
):
    dispute = new_dispute(S.IN_MEDIATION)
    queue = get_queue(client, sam_supervisor, tab="all").content.decode()
    assert reverse("disputes:reassign", args=[dispute.code]) in queue
    page = client.get(reverse("disputes:reassign", args=[dispute.code]))
    offered = list(page.context["form"].fields["to"].queryset)
    assert offered == [bob_mediator]

    response = client.post(
        reverse("disputes:reassign", args=[dispute.code]),
        {"to": bob_mediator.pk, "reason": "调解员休假"},
    )

    assert response.url == reverse("disputes:queue")
    event = CaseEvent.objects.for_subject(dispute).get(action="reassigned")
    assert (event.actor, event.note) == (sam_supervisor, "alice → bob: 调解员休假")
    assert codes(get_queue(client, bob_mediator, tab="mine")) == [dispute.code]
    assert codes(get_queue(client, alice_mediator, tab="mine")) == []


def test_reassigning_to_a_mediator_of_another_market_is_refused(
    client, sam_supervisor, alice_mediator, oscar_outsider, new_dispute
):
    dispute = new_dispute(S.IN_MEDIATION)
    client.force_login(sam_supervisor)

    response = client.post(
        reverse("disputes:reassign", args=[dispute.code]),
        {"to": oscar_outsider.pk, "reason": "调解员休假"},
    )

    assert "to" in response.context["form"].errors
    dispute.refresh_from_db()
    assert dispute.owner == alice_mediator


def test_a_case_nobody_holds_is_not_reassigned(client, sam_supervisor, new_dispute):
    dispute = new_dispute(S.ACCEPTED)
    client.force_login(sam_supervisor)

    response = client.get(reverse("disputes:reassign", args=[dispute.code]))

    assert response.url == reverse("disputes:queue")
    assert [level for level, _text in message_levels(response)] == [constants.ERROR]


def test_a_mediator_cannot_reassign(client, alice_mediator, bob_mediator, new_dispute):
    dispute = new_dispute(S.IN_MEDIATION)
    client.force_login(alice_mediator)
    url = reverse("disputes:reassign", args=[dispute.code])

    assert client.get(url).status_code == 403
    assert client.post(url, {"to": bob_mediator.pk, "reason": "换人"}).status_code == 403
    dispute.refresh_from_db()
    assert dispute.owner == alice_mediator


# -- who may open the queue -----------------------------------------------------------


def test_a_mediator_of_another_market_sees_none_of_its_cases(client, oscar_outsider, cases):
    for tab in ("review", "unassigned", "mine", "due_soon", "overdue"):
        response = get_queue(client, oscar_outsider, tab=tab)
        assert codes(response) == []
        assert set(counts(response).values()) == {0}


def test_a_mediator_of_another_market_gets_404_on_take_and_reassign(
    client, oscar_outsider, new_dispute
):
    waiting, held = new_dispute(S.ACCEPTED), new_dispute(S.IN_MEDIATION)
    client.force_login(oscar_outsider)

    assert client.post(reverse("disputes:take", args=[waiting.code])).status_code == 404
    assert client.get(reverse("disputes:reassign", args=[held.code])).status_code == 404
    assert client.post(reverse("disputes:reassign", args=[held.code])).status_code == 404
    response = client.post(reverse("disputes:take_next"))
    assert response.url == reverse("disputes:queue") + "?tab=unassigned"
    waiting.refresh_from_db()
    assert waiting.owner is None


def test_an_anonymous_visitor_is_sent_to_log_in(client, new_dispute):
    dispute = new_dispute(S.ACCEPTED)
    login = reverse("login")
    for method, url in [
        ("get", reverse("disputes:queue")),
        ("post", reverse("disputes:take_next")),
        ("post", reverse("disputes:take", args=[dispute.code])),
        ("get", reverse("disputes:reassign", args=[dispute.code])),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(login)


def test_a_worker_is_refused(client, wang_worker, new_dispute):
    dispute = new_dispute(S.IN_MEDIATION)
    client.force_login(wang_worker)
    assert client.get(reverse("disputes:queue")).status_code == 403
    assert client.post(reverse("disputes:take_next")).status_code == 403
    assert client.post(reverse("disputes:take", args=[dispute.code])).status_code == 403
    assert client.get(reverse("disputes:reassign", args=[dispute.code])).status_code == 403


# -- cost -----------------------------------------------------------------------------


def queries_for(client, user, **params) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("disputes:queue"), params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("now", [MARCH, DECEMBER])
def test_the_page_costs_the_same_few_queries_with_3_and_with_30_disputes(
    client, alice_mediator, bob_mediator, sam_supervisor, new_dispute, wang_worker, li_worker, now
):
    both = [wang_worker.person, li_worker.person]

    def make(n: int) -> None:
        for i in range(n):
            new_dispute(S.ACCEPTED, applicants=both if i % 2 else [wang_worker.person])
            held_by(new_dispute(S.ACCEPTED), alice_mediator)

    pages = [
        (alice_mediator, {"tab": "unassigned"}),
        (alice_mediator, {"tab": "mine"}),
        (sam_supervisor, {"tab": "all"}),
        (alice_mediator, {"tab": "unassigned", "claim_type": "unpaid_wages"}),
    ]
    with time_machine.travel(now):
        make(3)
        few = [queries_for(client, user, **params) for user, params in pages]
        make(27)
        many = [queries_for(client, user, **params) for user, params in pages]

    assert few == many
    assert max(many) <= 10
