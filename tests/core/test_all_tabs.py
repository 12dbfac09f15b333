"""No case out of sight (issue 17): every workflow's queue has an "all" tab listing every
case of the user's markets, filtered by state, holder, dates and market, sorted and paged
(casework.core.caselist)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement
from assistance.models import AssistanceCase
from casework.complaints.models import Complaint
from casework.core import caselist
from casework.core.roles import Role
from casework.disputes import services as dispute_services
from casework.disputes.models import Dispute
from casework.disputes.views import queue as queue_views
from tests.assistance.test_queue import counts, someone
from tests.conftest import make_user
from tests.disputes.fixtures import actor

A = AssistanceCase.State
D = Dispute.State


def codes_on(response) -> list[str]:
    return [row.code for row in response.context["all"].rows]


def get(client, user, url_name: str, **params):
    client.force_login(user)
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return response


def test_a_case_on_public_notice_is_on_no_tab_but_all(client, carol_caseworker, new_case):
    on_notice = new_case(A.ON_NOTICE, person=someone())
    response = get(client, carol_caseworker, "assistance:queue", tab="all")
    assert codes_on(response) == [on_notice.code]
    assert on_notice.code in response.content.decode()
    found = counts(client)
    assert found["all"] == 1
    assert sum(n for tab, n in found.items() if tab != "all") == 0  # the trap the issue saw


def test_the_assistance_all_tab_filters_by_state_and_holder(client, carol_caseworker, new_case):
    applied = new_case(A.APPLIED, person=someone())
    reviewed = new_case(A.UNDER_REVIEW, person=someone())  # carol took it to review it

    by_state = get(client, carol_caseworker, "assistance:queue", tab="all", state=A.APPLIED)
    assert codes_on(by_state) == [applied.code]
    nobody = get(client, carol_caseworker, "assistance:queue", tab="all", holder="none")
    assert codes_on(nobody) == [applied.code]
    carols = get(
        client, carol_caseworker, "assistance:queue", tab="all", holder=carol_caseworker.pk
    )
    assert codes_on(carols) == [reviewed.code]


def test_a_wrong_filter_says_so_and_lists_nothing(client, carol_caseworker, new_case):
    new_case(A.APPLIED, person=someone())
    response = get(
        client,
        carol_caseworker,
        "assistance:queue",
        tab="all",
        received_from="2026-05-02",
        received_to="2026-05-01",
    )
    assert codes_on(response) == []
    assert response.context["all"].form.errors["received_to"]
    assert 'class="filter-field invalid"' in response.content.decode()


def test_another_markets_cases_are_not_listed(client, other_market, new_case):
    new_case(A.APPLIED, person=someone())
    elsewhere = make_user("ottilie", Role.CASEWORKER, markets=[other_market])
    assert codes_on(get(client, elsewhere, "assistance:queue", tab="all")) == []
    ids = [pk for pk, _name in caselist.market_choices(elsewhere)]
    assert ids == [other_market.pk]


def test_the_complaint_all_tab_lists_every_state_and_sorts(client, olga_officer, make_complaint):
    received = make_complaint(Complaint.State.RECEIVED)
    investigating = make_complaint(Complaint.State.INVESTIGATING)
    every = get(client, olga_officer, "complaints:queue", show="all")
    assert set(codes_on(every)) == {received.code, investigating.code}
    by_code = get(client, olga_officer, "complaints:queue", show="all", sort="code")
    assert codes_on(by_code) == sorted([received.code, investigating.code])
    one = get(client, olga_officer, "complaints:queue", show="all", state=Complaint.State.RECEIVED)
    assert codes_on(one) == [received.code]


def test_the_agreement_list_filters_by_date_received(client, carol_caseworker, new_agreement):
    agreement = new_agreement(Agreement.State.DRAFT)
    today = timezone.localdate()
    client.force_login(carol_caseworker)
    url = reverse("agreements:list")
    shown = client.get(url, {"received_from": today.isoformat()})
    assert [a.code for a in shown.context["page"].items] == [agreement.code]
    later = (today + datetime.timedelta(days=1)).isoformat()
    assert client.get(url, {"received_from": later}).context["page"].items == []


def test_the_dispute_all_tab_filters_by_state_and_holder_and_sorts(
    client, alice_mediator, bob_mediator, new_dispute
):
    received = new_dispute(D.RECEIVED)
    accepted = new_dispute(D.ACCEPTED)
    held = new_dispute(D.ACCEPTED)
    assert dispute_services.dispute_take(dispute=held, actor=actor(bob_mediator))

    def shown(**params) -> list[str]:
        response = get(client, alice_mediator, "disputes:queue", tab="all", **params)
        return [row.code for row in response.context["page"].items]

    assert shown(state=D.RECEIVED) == [received.code]
    assert shown(holder=bob_mediator.pk) == [held.code]
    assert set(shown(holder="none")) == {received.code, accepted.code}
    assert shown(sort="code") == sorted([received.code, accepted.code, held.code])
    assert shown(sort="newest") == [held.code, accepted.code, received.code]


def test_pages_are_cut_without_counting_everything(
    client, alice_mediator, new_dispute, monkeypatch
):
    monkeypatch.setattr(caselist, "COUNT_CAP", 2)
    monkeypatch.setattr(queue_views, "PER_PAGE", 2)
    made = [new_dispute(D.RECEIVED) for _ in range(3)]
    client.force_login(alice_mediator)
    first = client.get(reverse("disputes:queue"), {"tab": "all", "sort": "oldest"})
    page = first.context["page"]
    assert (page.count_text, page.num_pages, page.has_next) == ("2+", None, True)
    assert "page=2" in page.next_url and "sort=oldest" in page.next_url
    assert [r.code for r in page.items] == [d.code for d in made[:2]]
    second = client.get(reverse("disputes:queue"), {"tab": "all", "sort": "oldest", "page": 2})
    assert [r.code for r in second.context["page"].items] == [made[2].code]


def test_the_holder_list_keeps_the_choice_and_escapes_names(db, market):
    mediator = make_user("eve", Role.MEDIATOR, markets=[market], full_name="<b>Eve</b> 调解员")
    make_user("mallory", Role.MEDIATOR, markets=[])  # no market of ours: not listed
    holders = caselist.holder_choices("disputes.mediate_dispute", [market.pk])
    assert holders == [(mediator.pk, "<b>Eve</b> 调解员")]
    form = caselist.CaseListForm(
        {"holder": str(mediator.pk)}, markets=[(market.pk, market.name)], holders=holders
    )
    html = str(form["holder"])
    assert f'<option value="{mediator.pk}" selected>&lt;b&gt;Eve&lt;/b&gt; 调解员</option>' in html
    assert 'id="id_holder"' in html and html.count(" selected") == 1
