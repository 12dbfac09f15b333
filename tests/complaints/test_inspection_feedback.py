"""A complaint referred to labour inspection waits for the inspection's feedback before it
closes: the due date (COMPLAINT_REFERRAL_FEEDBACK_WORKING_DAYS), closing refused before the
feedback, the feedback recorded once, overdue feedback in the queue and the sweep, the
complainant's progress, the figures and the pages (docs/domain.md, "Complaints")."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm import can_proceed

from casework.complaints import services
from casework.complaints.documents import REFERRAL_KIND, RESULT_KIND
from casework.complaints.models import Complaint, FeedbackResult
from casework.complaints.progress import complaint_progress
from casework.complaints.reports import ComplaintReport
from casework.core import calendar
from casework.core.flows import open_task
from casework.core.models import Market, SmsMessage
from casework.documents.models import Document
from casework.notifications import reminders
from casework.notifications.models import Notification
from casework.reports.periods import current_month
from tests.complaints.fixtures import LABOUR_INSPECTION_BODY, actor

S = Complaint.State
REFERENCE = "测监〔2026〕21号"


def feedback(**changes) -> services.Feedback:
    details = {
        "day": timezone.localdate(),
        "result": FeedbackResult.HANDLED,
        "reference": REFERENCE,
        "note": "已立案调查，责令被投诉人支付拖欠的劳动报酬。",
        **changes,
    }
    return services.Feedback(**details)


def record(complaint: Complaint, **changes) -> None:
    services.inspection_feedback_record(
        complaint=complaint, feedback=feedback(**changes), actor=actor(complaint.owner)
    )
    complaint.refresh_from_db()


def kinds(complaint: Complaint) -> list[str]:
    return sorted(Document.objects.for_subject(complaint).values_list("kind", flat=True))


@pytest.fixture
def referred(make_complaint, django_capture_on_commit_callbacks) -> Complaint:
    with django_capture_on_commit_callbacks(execute=True):
        return make_complaint(S.AWAITING_FEEDBACK, contact_mobile="13712345678")


# -- the referral ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_complaint_referred_to_labour_inspection_waits_for_its_feedback(referred):
    assert referred.state == S.AWAITING_FEEDBACK
    assert referred.state not in Complaint.FINAL_STATES  # still the officer's work
    due = calendar.add_working_days(timezone.localdate(), 60)
    assert referred.feedback_due == due and referred.current_due() == due
    assert referred.awaits_feedback() and referred.closed_at is None
    assert open_task(referred).flow_task.name == "await_feedback"
    # The referral letter now; the result notice when it closes on the feedback.
    assert kinds(referred) == ["complaint_receipt", REFERRAL_KIND]
    sent = SmsMessage.objects.filter(subject_label=referred.code).order_by("pk")
    assert sent.last().purpose == "complaint_referred"
    assert LABOUR_INSPECTION_BODY in sent.last().text


@pytest.mark.django_db
def test_the_feedback_period_is_a_setting(make_complaint, settings):
    settings.COMPLAINT_REFERRAL_FEEDBACK_WORKING_DAYS = 5
    complaint = make_complaint(S.AWAITING_FEEDBACK)
    assert complaint.feedback_due == calendar.add_working_days(timezone.localdate(), 5)


# -- closing only on the feedback -------------------------------------------------------------


@pytest.mark.django_db
def test_closing_before_the_feedback_is_refused_by_the_transition_and_the_service(referred):
    assert not can_proceed(referred.close)  # the transition's condition: feedback_in
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.complaint_close(complaint=referred, result="已办结。", actor=actor(referred.owner))
    assert refused.value.code == "feedback_missing"
    assert "has not reported back yet: record its feedback before closing" in str(refused.value)
    referred.refresh_from_db()
    assert (referred.state, referred.closed_at, referred.result_summary) == (
        S.AWAITING_FEEDBACK,
        None,
        "",
    )


@pytest.mark.django_db
def test_with_the_feedback_the_complaint_closes_and_the_complainant_is_told(
    referred, django_capture_on_commit_callbacks
):
    record(referred)
    assert (referred.feedback_result, referred.feedback_reference) == ("handled", REFERENCE)
    assert referred.feedback_on == timezone.localdate() and not referred.awaits_feedback()
    assert referred.state == S.AWAITING_FEEDBACK and can_proceed(referred.close)
    assert open_task(referred).flow_task.name == "await_feedback"  # progress, not the end
    assert referred.events.last().action == "record_feedback"

    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_close(complaint=referred, result="", actor=actor(referred.owner))
    referred.refresh_from_db()
    expected = (
        f"您的投诉已移送{LABOUR_INSPECTION_BODY}依法处理。"
        f"经其反馈，该投诉已立案并依法处理（{REFERENCE}）。"
    )
    assert referred.state == S.CLOSED and referred.result_summary == expected
    assert open_task(referred) is None
    assert RESULT_KIND in kinds(referred)
    result = SmsMessage.objects.get(subject_label=referred.code, purpose="complaint_result")
    assert result.text.endswith(f"您的投诉（{referred.code}）已办结。处理结果：{expected}")


@pytest.mark.django_db
def test_the_feedback_is_recorded_once(referred):
    record(referred)
    with translation.override("en"), pytest.raises(ValidationError) as again:
        record(referred, reference="测监〔2026〕99号")
    assert again.value.code == "feedback_recorded"
    assert referred.feedback_reference == REFERENCE


@pytest.mark.django_db
def test_what_the_feedback_needs(referred):
    with translation.override("en"):
        problems = services.feedback_problems(
            referred, feedback(result="", reference=" ", note="", day=None)
        )
        assert set(problems) == {"result", "reference", "note", "day"}
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        assert set(services.feedback_problems(referred, feedback(day=tomorrow))) == {"day"}
        before = timezone.localdate(referred.referred_at) - datetime.timedelta(days=1)
        early = services.feedback_problems(referred, feedback(day=before))
        assert "comes after the referral" in early["day"]


@pytest.mark.django_db
def test_a_referral_elsewhere_still_ends_the_complaint(make_complaint):
    complaint = make_complaint(S.INVESTIGATING)
    services.complaint_refer(
        complaint=complaint,
        target="police",
        body="测试区公安分局",
        reason="涉嫌诈骗。",
        actor=actor(complaint.owner),
    )
    complaint.refresh_from_db()
    assert complaint.state == S.REFERRED and complaint.feedback_due is None
    assert RESULT_KIND in kinds(complaint) and open_task(complaint) is None


# -- overdue feedback ------------------------------------------------------------------------


def queue_page(client, user, show: str) -> str:
    client.force_login(user)
    response = client.get(reverse("complaints:queue") + f"?show={show}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_overdue_feedback_shows_in_the_officers_queue_until_it_is_recorded(
    client, referred, olga_officer
):
    assert referred.code in queue_page(client, olga_officer, "feedback")
    assert referred.code not in queue_page(client, olga_officer, "overdue")
    late = referred.feedback_due + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(late, datetime.time(10)), tick=False):
        assert referred.code in queue_page(client, olga_officer, "overdue")
        home = client.get(reverse("home")).content.decode()
        assert "show=overdue" in home
        record(referred, day=timezone.localdate())
        assert referred.code not in queue_page(client, olga_officer, "overdue")
        assert referred.code in queue_page(client, olga_officer, "feedback")


@pytest.mark.django_db
def test_the_sweep_records_overdue_feedback_once(referred):
    due = referred.feedback_due
    after = due + datetime.timedelta(days=1)
    assert services.sweep_deadlines(due).feedback_overdue == 0
    assert services.sweep_deadlines(after).feedback_overdue == 1
    assert services.sweep_deadlines(after).feedback_overdue == 0
    referred.refresh_from_db()
    assert referred.escalated_on == after
    assert [e.action for e in referred.events].count("overdue") == 1


@pytest.mark.django_db
def test_feedback_recorded_in_time_is_not_swept(referred):
    record(referred)
    assert services.sweep_deadlines(referred.feedback_due + datetime.timedelta(days=1)) == (
        services.SweepResult()
    )


@pytest.mark.django_db
def test_the_feedback_tabs_cost_the_same_queries_at_any_size(client, make_complaint, olga_officer):
    def count(show):
        client.force_login(olga_officer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("complaints:queue") + f"?show={show}").status_code == 200
        return len(captured)

    make_complaint(S.AWAITING_FEEDBACK)
    before = {show: count(show) for show in ("feedback", "overdue", "mine")}
    for _ in range(3):
        make_complaint(S.AWAITING_FEEDBACK)
    assert {show: count(show) for show in before} == before


# -- the complainant's progress and the figures -------------------------------------------------


def labels(complaint: Complaint) -> list[tuple[str, bool]]:
    with translation.override("en"):
        return [(str(step.label), step.done) for step in complaint_progress(complaint).steps]


@pytest.mark.django_db
def test_the_progress_shows_the_referral_and_the_feedback_awaited(referred):
    assert labels(referred) == [
        ("Complaint received", True),
        ("Complaint accepted", True),
        ("Passed on to labour inspection", True),
        ("Labour inspection reports back; then you are told the result", False),
    ]
    assert complaint_progress(referred).steps[-1].due == referred.feedback_due
    record(referred)
    services.complaint_close(complaint=referred, result="", actor=actor(referred.owner))
    referred.refresh_from_db()
    assert labels(referred)[-1] == ("Closed, result sent to you", True)


@pytest.mark.django_db
def test_a_complaint_closed_on_feedback_counts_as_referred_in_the_figures(referred, market):
    record(referred)
    services.complaint_close(complaint=referred, result="", actor=actor(referred.owner))
    period = current_month()
    markets = Market.objects.filter(pk=market.pk)
    report = ComplaintReport()
    figures = report.figures(markets, period, variants={})
    assert figures["referrals"] == 1 and figures["investigations_closed"] == 1
    with translation.override("en"):
        results = dict(report.breakdowns(markets, period)[1].rows)
        assert results[str(S.REFERRED.label)] == 1
    assert sum(results.values()) == 1  # counted once, under referred


# -- the pages ------------------------------------------------------------------------------


def detail(client, complaint: Complaint) -> str:
    response = client.get(reverse("complaints:detail", args=[complaint.code]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_case_page_offers_the_feedback_then_the_closing(client, referred, olga_officer):
    client.force_login(olga_officer)
    page = detail(client, referred)
    feedback_url = reverse("complaints:feedback", args=[referred.code])
    close_url = reverse("complaints:close", args=[referred.code])
    assert feedback_url in page and close_url not in page
    assert referred.feedback_due.isoformat() in page

    response = client.post(feedback_url, {"day": "", "result": "handled"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    posted = {
        "day": timezone.localdate().isoformat(),
        "result": "not_opened",
        "reference": "测监函〔2026〕3号",
        "note": "经核查，不属于劳动保障监察范围，不予立案。",
    }
    assert client.post(feedback_url, posted).status_code == 302
    page = detail(client, referred)
    assert close_url in page and feedback_url not in page
    assert "测监函〔2026〕3号" in page and "经核查，不属于劳动保障监察范围" in page
    # A second posting finds the step no longer open.
    assert client.post(feedback_url, posted, follow=True).status_code == 200
    referred.refresh_from_db()
    assert referred.feedback_result == FeedbackResult.NOT_OPENED


@pytest.mark.django_db
def test_only_the_officer_holding_the_complaint_records_the_feedback(
    client, referred, sam_supervisor
):
    client.force_login(sam_supervisor)
    url = reverse("complaints:feedback", args=[referred.code])
    assert client.get(url).status_code == 403
    referred.refresh_from_db()
    assert referred.feedback_recorded_at is None


@pytest.mark.django_db
def test_the_officer_is_reminded_before_the_feedback_is_due(referred, olga_officer):
    olga_officer.email = "olga@example.org"  # her reminders' channel
    olga_officer.save(update_fields=["email"])
    soon = referred.feedback_due - datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(soon, datetime.time(9)), tick=False):
        reminders.remind_staff()
    reminder = Notification.objects.get(subject_id=referred.pk, template=reminders.DEADLINE)
    assert "劳动保障监察反馈期限" in reminder.text
    record(referred)
    Notification.objects.all().delete()
    with time_machine.travel(datetime.datetime.combine(soon, datetime.time(9)), tick=False):
        reminders.remind_staff()
    assert not Notification.objects.filter(subject_id=referred.pk).exists()
