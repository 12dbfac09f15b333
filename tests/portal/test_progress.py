"""The progress tracker (办件进度) at the top of the portal's case pages."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from agreements.models import Agreement
from assistance.models import AssistanceCase
from casework.complaints.models import Complaint
from casework.core import portal as registry
from casework.disputes.models import Dispute

D, C, A, H = Dispute.State, Complaint.State, Agreement.State, AssistanceCase.State


def labels(progress: registry.Progress) -> tuple[list[str], str | None]:
    """The labels of the steps done and of the next one, in the source language."""
    with translation.override("en"):
        nxt = progress.next
        return [str(s.label) for s in progress.done], str(nxt.label) if nxt else None


def tracker_of(page: str) -> str:
    start = page.index('<section class="card progress"')
    return page[start : page.index("</section>", start)]


def test_a_received_dispute_shows_its_deadline_on_the_next_step(client, new_dispute, wang_worker):
    dispute = new_dispute()
    progress = registry.progress_of(dispute)
    assert labels(progress) == (["Application received"], "Application accepted")
    assert progress.next.due == dispute.due_date

    client.force_login(wang_worker)
    page = client.get(reverse("portal:dispute", args=[dispute.code])).content.decode()
    tracker = tracker_of(page)
    assert escape(_("Application received")) in tracker
    assert 'aria-current="step"' in tracker and escape(_("Application accepted")) in tracker
    assert dispute.due_date.isoformat() in tracker
    assert page.index("progress-steps") < page.index(escape(_("Claims")))


def test_a_dispute_in_mediation_and_one_not_accepted(new_dispute):
    progress = registry.progress_of(new_dispute(D.IN_MEDIATION))
    assert labels(progress) == (
        ["Application received", "Application accepted", "Mediation"],
        "Terms agreed",
    )
    assert all(step.when is not None for step in progress.done)
    refused = registry.progress_of(new_dispute(D.NOT_ACCEPTED))
    assert labels(refused) == (["Application received", "Not accepted"], None)


def test_an_effective_dispute_is_due_by_its_next_instalment(new_dispute):
    dispute = new_dispute(D.EFFECTIVE)
    progress = registry.progress_of(dispute)
    first_unpaid = min(i.due_date for i in dispute.settlement.instalments.all() if not i.is_paid)
    assert labels(progress)[1] == "Paid as agreed" and progress.next.due == first_unpaid


def test_a_complaint_is_accepted_within_five_working_days(make_complaint):
    complaint = make_complaint()
    progress = registry.progress_of(complaint)
    assert labels(progress) == (["Complaint received"], "Complaint accepted")
    assert progress.next.due == complaint.acceptance_due and progress.next.counting == "working"
    html = Template("{% load portal_progress %}{% progress_tracker c %}").render(
        Context({"c": complaint})
    )
    assert complaint.acceptance_due.isoformat() in html


def test_an_investigated_complaint_is_due_by_the_investigation_deadline(make_complaint):
    complaint = make_complaint(C.INVESTIGATING)
    progress = registry.progress_of(complaint)
    assert labels(progress)[1] == "Decision on the complaint"
    assert progress.next.due == complaint.investigation_due


def test_an_agreement_waiting_for_signatures_shows_the_signing_deadline(
    client, verified_parties, new_agreement, wang_worker
):
    agreement = new_agreement(A.PARTLY_SIGNED)
    progress = registry.progress_of(agreement)
    assert labels(progress) == (
        ["Sent for signing", "Signed by the worker"],
        "Signed by the hiring party",
    )
    due = agreement.sign_deadline.astimezone(datetime.UTC)
    assert progress.next.due in (due.date(), (due + datetime.timedelta(hours=8)).date())

    client.force_login(wang_worker)
    page = client.get(reverse("portal:agreement", args=[agreement.code])).content.decode()
    assert progress.next.due.isoformat() in tracker_of(page)


def test_a_signed_agreement_is_due_by_the_last_day_of_work(verified_parties, new_agreement):
    agreement = new_agreement(A.SIGNED)
    progress = registry.progress_of(agreement)
    assert labels(progress)[1] == "Work completed" and progress.next.due == agreement.end_date


@pytest.mark.parametrize(
    ("state", "done", "next_step", "due"),
    [
        (H.APPLIED, ["Application received"], "First review", "review_due"),
        (H.UNDER_REVIEW, ["Application received", "First review"], "Public notice", "review_due"),
        (
            H.ON_NOTICE,
            ["Application received", "First review", "Public notice"],
            "Certified as a person with employment difficulties",
            "notice_ends",
        ),
        (
            H.CERTIFIED,
            [
                "Application received",
                "First review",
                "Public notice",
                "Certified as a person with employment difficulties",
            ],
            "Support plan",
            None,
        ),
    ],
)
def test_an_assistance_case_shows_its_review_and_notice_deadlines(
    client, new_case, applicant, state, done, next_step, due
):
    case = new_case(state)
    progress = registry.progress_of(case)
    assert labels(progress) == (done, next_step)
    assert progress.next.due == (getattr(case, due) if due else None)


def test_the_applicant_sees_the_tracker_on_the_assistance_page(client, wang_worker, new_case):
    case = new_case(H.UNDER_REVIEW, person=wang_worker.person)
    client.force_login(wang_worker)
    page = client.get(reverse("portal:assistance", args=[case.code])).content.decode()
    tracker = tracker_of(page)
    assert escape(_("First review")) in tracker and case.review_due.isoformat() in tracker


def test_a_declined_case_ends_with_the_decision_and_no_next_step(new_case):
    from assistance import services
    from tests.assistance.fixtures import actor

    case = new_case(H.UNDER_REVIEW)
    services.case_decline(case=case, actor=actor(case.owner), reason="不符合条件")
    case.refresh_from_db()
    assert labels(registry.progress_of(case)) == (
        ["Application received", "First review", "Not certified"],
        None,
    )


def test_a_closed_case_lists_its_steps_in_order_when_several_fell_on_one_day(new_case):
    """Review started at 10:00 and certification proposed the same day: the states known
    by their day only (the notice) still come after the review, as they did."""
    import time_machine
    from django.utils import timezone

    from assistance import services
    from assistance.models import Outcome
    from tests.assistance.fixtures import actor

    morning = timezone.make_aware(datetime.datetime(2026, 11, 2, 10, 0))
    with time_machine.travel(morning, tick=False):
        case = new_case(H.CERTIFIED)
        services.case_close(case=case, outcome=Outcome.EMPLOYED, actor=actor(case.owner))
    case.refresh_from_db()
    assert labels(registry.progress_of(case)) == (
        [
            "Application received",
            "First review",
            "Public notice",
            "Certified as a person with employment difficulties",
            "Case closed",
        ],
        None,
    )


def test_a_model_without_progress_shows_nothing(market):
    assert registry.progress_of(market) is None
    html = Template("{% load portal_progress %}{% progress_tracker m %}").render(
        Context({"m": market})
    )
    assert html.strip() == ""
