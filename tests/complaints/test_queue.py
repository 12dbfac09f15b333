"""The complaint officers' queue: tabs by due work, days left, repeat offenders, scope, cost."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.complaints import services
from casework.complaints.models import Complaint
from casework.core.roles import Role
from tests.complaints.fixtures import (
    SECOND_INTERMEDIARY_USCC,
    actor,
    file_anonymous,
    make_intermediary,
)
from tests.conftest import make_user

S = Complaint.State
QUEUE = reverse("complaints:queue")


def queue(client, user, show: str = "") -> str:
    client.force_login(user)
    response = client.get(QUEUE + (f"?show={show}" if show else ""))
    assert response.status_code == 200
    return response.content.decode()


def left(n: int) -> str:
    return f"剩余{n}个工作日"


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(QUEUE)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["oscar_outsider", "carol_caseworker", "wang_worker"])
def test_users_without_the_complaint_permission_are_refused(db, client, request, persona):
    # ``db`` here, not only inside getfixturevalue: pytest-django orders a test without it
    # after the transactional tests, whose flush removes the role groups.
    client.force_login(request.getfixturevalue(persona))
    assert client.get(QUEUE).status_code == 403


def test_an_officer_of_another_market_sees_none_of_this_markets_complaints(
    client, other_market, make_complaint
):
    complaint = make_complaint()
    otto = make_user("otto", Role.COMPLAINT_OFFICER, markets=[other_market])
    for show in ("acceptance", "unassigned", "mine", "overdue", "finished"):
        assert complaint.code not in queue(client, otto, show)


def test_complaints_to_decide_on_acceptance_show_their_working_days_left(
    client, olga_officer, make_complaint
):
    complaint = make_complaint()
    page = queue(client, olga_officer)  # the first tab
    assert complaint.code in page
    assert left(complaint.acceptance_days_left()) in page
    assert complaint.acceptance_due.isoformat() in page


def test_a_complaint_awaiting_a_supplement_shows_its_days_frozen(
    client, olga_officer, make_complaint
):
    complaint = make_complaint()
    services.supplement_request(
        complaint=complaint,
        items=["押金收据"],
        due=timezone.localdate() + datetime.timedelta(days=10),
        actor=actor(olga_officer),
    )
    complaint.refresh_from_db()
    frozen = complaint.acceptance_days_left()
    assert complaint.code not in queue(client, olga_officer, "acceptance")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=14), tick=False):
        page = queue(client, olga_officer, "supplement")
    assert complaint.code in page and f"期限暂停：剩余{frozen}个工作日" in page


def test_investigating_complaints_show_their_days_left_and_a_pending_extension(
    client, olga_officer, make_complaint
):
    complaint = make_complaint(S.INVESTIGATING)
    services.extension_request(complaint=complaint, reason="调取流水", actor=actor(olga_officer))
    page = queue(client, olga_officer, "investigating")
    assert complaint.code in page
    assert left(complaint.investigation_days_left()) in page
    assert "已申请延期" in page


def test_overdue_complaints_have_their_own_tab(client, olga_officer, make_complaint):
    late = make_complaint()
    on_time = make_complaint(S.INVESTIGATING)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15), tick=False):
        page = queue(client, olga_officer, "overdue")
        late_by = -late.acceptance_days_left()
    assert late.code in page and on_time.code not in page
    assert late_by > 0 and f"已超期{late_by}个工作日" in page


def test_supervisors_see_extensions_waiting_for_them_and_not_their_own(
    client, olga_officer, sam_supervisor, make_complaint
):
    complaint = make_complaint(S.INVESTIGATING)
    services.extension_request(
        complaint=complaint, reason="需要调取银行流水", actor=actor(olga_officer)
    )
    page = queue(client, sam_supervisor, "extensions")
    assert complaint.code in page and "需要调取银行流水" in page
    assert f"{reverse('complaints:detail', args=[complaint.code])}#extension" in page
    # Officers do not approve: no such tab, the first one instead.
    assert "需要调取银行流水" not in queue(client, olga_officer, "extensions")


def test_new_complaints_to_take_and_mine(client, olga_officer, market, make_complaint):
    mine = make_complaint()
    waiting = file_anonymous(market).complaint
    page = queue(client, olga_officer, "unassigned")
    assert waiting.code in page and mine.code not in page
    assert reverse("complaints:take", args=[waiting.code]) in page
    page = queue(client, olga_officer, "mine")
    assert mine.code in page and waiting.code not in page


def test_the_auditor_reads_the_queue_without_take_buttons(client, audrey_auditor, market):
    waiting = file_anonymous(market).complaint
    page = queue(client, audrey_auditor, "unassigned")
    assert waiting.code in page
    assert reverse("complaints:take", args=[waiting.code]) not in page


def test_repeat_offenders_are_highlighted(client, olga_officer, make_complaint):
    other = make_intermediary("诚信劳务中介", SECOND_INTERMEDIARY_USCC)
    repeats = [make_complaint(S.ACCEPTED) for _ in range(3)]
    fresh = make_complaint(respondent=other)
    page = queue(client, olga_officer, "investigating")
    assert all(c.code in page for c in repeats)
    assert page.count("多次被投诉</span>") == 3
    page = queue(client, olga_officer, "acceptance")
    assert fresh.code in page and "多次被投诉</span>" not in page


def test_the_query_count_does_not_grow_with_the_number_of_complaints(
    client, olga_officer, sam_supervisor, make_complaint, market
):
    def count(user, show):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{QUEUE}?show={show}").status_code == 200
        return len(captured)

    def add(n):
        for _ in range(n):
            complaint = make_complaint(S.INVESTIGATING)
            services.extension_request(
                complaint=complaint, reason="再查", actor=actor(olga_officer)
            )
            make_complaint()
            file_anonymous(market)

    add(1)
    before = {
        (user.username, show): count(user, show)
        for user in (olga_officer, sam_supervisor)
        for show in ("acceptance", "investigating", "unassigned", "mine", "extensions")
    }
    add(4)
    after = {key: count(*key_user) for key, key_user in _keys(before, olga_officer, sam_supervisor)}
    assert after == before


def _keys(before, *users):
    by_name = {u.username: u for u in users}
    return [((name, show), (by_name[name], show)) for name, show in before]
