"""Demo complaints (seed_demo) are real complaints, made the way officers make them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from stdnum.cn import uscc

from casework.complaints import services
from casework.complaints.models import (
    Complaint,
    ExtensionRequest,
    Interview,
    NotAcceptedReason,
    Outcome,
    Penalty,
    PenaltyDecision,
    ReferralTarget,
    Sanction,
    SanctionKind,
)
from casework.complaints.penalties import Conduct
from casework.complaints.seed import DEMO_COMPLAINTS, INTERMEDIARIES
from casework.core.audit import verify_chains
from casework.core.demo import credit_code
from casework.core.flows import open_task
from casework.core.models import CaseEvent, Market
from casework.documents.models import Document
from casework.parties.models import Organization

S = Complaint.State
OPEN_TASK = {
    S.RECEIVED: "acceptance",
    S.SUPPLEMENT_REQUESTED: "await_supplement",
    S.ACCEPTED: "investigate",
    S.INVESTIGATING: "investigate",
    S.DECIDED: "hearing",
    S.RESPONDENT_HEARD: "closing",
    S.AWAITING_FEEDBACK: "await_feedback",
}


@pytest.fixture
def demo(seeded_demo, db) -> Market:
    # seed_demo runs once for this module (tests/seeded.py); its on-commit callbacks
    # (PDF renders, text messages) do not run.
    return Market.objects.get(code="cd")


def intermediary(key: str) -> Organization:
    return Organization.objects.get(credit_code=credit_code(INTERMEDIARIES[key].body))


def test_the_demo_credit_codes_are_valid():
    for data in INTERMEDIARIES.values():
        assert uscc.is_valid(credit_code(data.body)), data.name


def test_seed_demo_makes_a_complaint_in_every_state(demo):
    complaints = Complaint.objects.filter(market=demo)
    assert set(complaints.values_list("state", flat=True)) == set(S.values)
    assert complaints.count() == len(DEMO_COMPLAINTS)


def test_running_seed_demo_again_adds_nothing(demo):
    models = (
        Complaint,
        Organization,
        Interview,
        ExtensionRequest,
        Sanction,
        PenaltyDecision,
        Document,
        CaseEvent,
    )

    def counts():
        return [model.objects.count() for model in models]

    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before


def test_the_intermediaries_are_in_the_registry_with_their_licences(demo):
    orgs = [intermediary(key) for key in INTERMEDIARIES]
    assert {org.kind for org in orgs} == {Organization.Kind.INTERMEDIARY}
    statuses = {org.licence_status for org in orgs}
    assert Organization.LicenceStatus.NONE in statuses
    assert Organization.LicenceStatus.VALID in statuses
    unlicensed = next(o for o in orgs if o.licence_status == Organization.LicenceStatus.NONE)
    assert unlicensed.licence_number == "无"


def test_one_intermediary_is_a_repeat_offender(demo):
    xincheng = intermediary("xincheng")
    assert services.repeat_offender_ids() == {xincheng.pk}
    assert services.is_repeat_offender(xincheng)


def test_the_final_decisions_are_on_the_public_list_and_the_proposals_are_not(demo, client):
    sanctions = Sanction.objects.filter(market=demo)
    assert {s.outcome for s in sanctions} == {SanctionKind.ORDER_TO_CORRECT, SanctionKind.FINE}
    order = sanctions.get(outcome=SanctionKind.ORDER_TO_CORRECT)
    assert order.conduct == Conduct.DEPOSIT and order.intermediary == intermediary("xincheng")
    assert order.complaint.workers_affected == 3 and order.amount is None
    # suda's complaint closed with a proposed fine; the labour administration then decided
    # a lower one, which is what the public page shows.
    proposed = Complaint.objects.get(market=demo, outcome=Outcome.PENALTY_PROPOSED, state=S.CLOSED)
    decided = PenaltyDecision.objects.get(complaint=proposed)
    assert proposed.respondent == intermediary("suda")
    assert decided.penalty == Penalty.FINE and decided.amount != proposed.penalty_amount
    fine = sanctions.get(outcome=SanctionKind.FINE)
    assert fine.intermediary == intermediary("suda") and fine.amount == decided.amount
    page = client.get(reverse("complaints_public:sanctioned")).content.decode()
    assert intermediary("xincheng").name in page and intermediary("suda").name in page
    assert f"¥{decided.amount:,.2f}" in page and f"{proposed.penalty_amount:,.2f}" not in page
    assert str(Outcome.PENALTY_PROPOSED.label) not in page


def test_the_public_list_of_sanctions_names_no_complainant(demo, client):
    page = client.get(reverse("complaints_public:sanctioned")).content.decode()
    assert intermediary("xincheng").name in page
    for complaint in Complaint.objects.filter(market=demo).exclude(anonymous=True):
        name = complaint.complainant.name if complaint.complainant else complaint.complainant_name
        assert name not in page, name
        for sanction in Sanction.objects.all():
            assert name not in sanction.measures


def test_the_queue_has_the_kinds_of_work_waiting(demo):
    complaints = Complaint.objects.filter(market=demo)
    received = complaints.filter(state=S.RECEIVED)
    assert received.filter(owner=None, anonymous=True, channel="web").exists()
    held = received.get(channel="counter")
    assert held.owner.username == "officer" and held.complainant.user.username == "worker"
    assert any(c.is_overdue() for c in received)
    assert received.filter(owner=None).count() == 1
    waiting = ExtensionRequest.objects.filter(complaint__market=demo, approved=None)
    assert waiting.count() == 1 and waiting.get().complaint.state == S.INVESTIGATING
    approved = ExtensionRequest.objects.get(complaint__market=demo, approved=True)
    assert approved.decided_by.username == "supervisor"
    assert approved.complaint.extended
    assert Interview.objects.filter(
        complaint__market=demo, complaint__state=S.INVESTIGATING
    ).exists()


def test_the_not_accepted_and_referred_complaints_name_the_other_authority(demo):
    refused = Complaint.objects.get(market=demo, state=S.NOT_ACCEPTED)
    assert refused.not_accepted_reason == NotAcceptedReason.NOT_COMPETENT
    assert "市场监督管理局" in refused.competent_authority
    referred = Complaint.objects.get(market=demo, state=S.REFERRED)
    assert referred.referral_target == ReferralTarget.POLICE
    waiting = Complaint.objects.get(market=demo, state=S.AWAITING_FEEDBACK)
    assert waiting.referral_target == ReferralTarget.LABOUR_INSPECTION
    assert waiting.feedback_due > waiting.referred_at.date() and waiting.awaits_feedback()
    supplement = Complaint.objects.get(market=demo, state=S.SUPPLEMENT_REQUESTED)
    assert len(supplement.supplement_items) >= 2 and supplement.acceptance_paused_on


def test_the_demo_complaints_are_worked_through_the_flow_and_audited(demo):
    for complaint in Complaint.objects.filter(market=demo):
        task = open_task(complaint)
        if complaint.state in OPEN_TASK:
            assert task.flow_task.name == OPEN_TASK[complaint.state], complaint.code
        else:
            assert task is None, complaint.code
        assert complaint.events.exists()
        if complaint.owner is not None:
            assert complaint.owner.username == "officer"
    documents = Document.objects.filter(kind__startswith="complaint_")
    assert {d.kind for d in documents} >= {
        "complaint_receipt",
        "complaint_not_accepted",
        "complaint_supplement_notice",
        "complaint_interview_record",
        "complaint_decision",
        "complaint_referral_letter",
        "complaint_result_notice",
    }
    assert verify_chains()[1] == []
    call_command("verify_audit", stdout=StringIO())  # exits non-zero on a broken chain
