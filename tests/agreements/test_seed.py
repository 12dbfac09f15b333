"""Demo gig agreements (seed_demo) are real agreements, made the way users make them."""

import hashlib
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from agreements import text
from agreements.documents import SIGNED_KIND
from agreements.models import Agreement, Party, PaymentStatus, Signature, SigningCode, Trade
from agreements.seed import DEMO_AGREEMENTS
from casework.core.audit import verify_chains
from casework.core.flows import open_task
from casework.core.models import CaseEvent, Market
from casework.documents.models import Document
from casework.parties.models import Organization, RealNameCheck
from casework.parties.verification import passed_check

S = Agreement.State
SIGNATURES = {
    S.DRAFT: 0,
    S.SENT: 0,
    S.PARTLY_SIGNED: 1,
    S.SIGNED: 2,
    S.COMPLETED: 2,
    S.TERMINATED: 2,
    S.EXPIRED: 0,
    S.CANCELLED: 0,
    S.SUPERSEDED: 2,
}
OPEN_TASK = {
    S.DRAFT: "prepare",
    S.SENT: "collect_signatures",
    S.PARTLY_SIGNED: "collect_signatures",
    S.SIGNED: "in_force",
}


@pytest.fixture
def demo(seeded_demo, db) -> Market:
    # seed_demo runs once for this module (tests/seeded.py); its on-commit callbacks
    # (PDF renders, text messages) do not run.
    return Market.objects.get(code="cd")


def test_seed_demo_makes_agreements_in_every_state_and_every_preset_trade(demo):
    agreements = Agreement.objects.filter(market=demo)
    assert set(agreements.values_list("state", flat=True)) == set(S.values)
    # One per demo case, and the replacement of the superseded one.
    assert agreements.count() == len(DEMO_AGREEMENTS) + 1
    trades = set(agreements.values_list("trade", flat=True))
    assert trades >= set(Trade.values) - {Trade.OTHER}


def test_running_seed_demo_again_adds_nothing(demo):
    models = (Agreement, Signature, SigningCode, CaseEvent, Document, RealNameCheck)

    def counts():
        return [model.objects.count() for model in models]

    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before


def test_demo_signatures_bind_the_text_each_agreement_was_sent_with(demo):
    for agreement in Agreement.objects.filter(market=demo):
        signatures = list(agreement.signatures.all())
        assert len(signatures) == SIGNATURES[agreement.state], agreement.code
        if agreement.state == S.DRAFT:
            assert agreement.final_text == agreement.text_hash == ""
            continue
        assert agreement.final_text == text.compose(agreement)
        digest = hashlib.sha256(agreement.final_text.encode("utf-8")).hexdigest()
        assert agreement.text_hash == digest
        for signature in signatures:
            assert signature.text_hash == digest
            assert signature.code.used_at is not None
            assert signature.real_name_check.result == RealNameCheck.Result.PASSED


def test_the_demo_employer_organisation_passed_its_licence_check(demo):
    org = Organization.objects.get(credit_code="91330102MA2H00010J")
    check = passed_check(org)
    assert check is not None
    assert check.method == RealNameCheck.Method.LICENCE_SEEN


def test_demo_agreements_are_worked_by_the_caseworker_through_the_flow(demo):
    agreements = Agreement.objects.filter(market=demo)
    assert set(agreements.values_list("owner__username", flat=True)) == {"caseworker"}
    for agreement in agreements:
        task = open_task(agreement)
        if agreement.state in OPEN_TASK:
            assert task.flow_task.name == OPEN_TASK[agreement.state], agreement.code
        else:
            assert task is None, agreement.code
    assert verify_chains()[1] == []
    call_command("verify_audit", stdout=StringIO())  # exits non-zero on a broken chain


def test_the_demo_worker_has_one_to_sign_and_signed_ones_with_their_pdf(demo):
    worker = User.objects.get(username="worker")
    mine = Agreement.objects.for_party(worker)
    waiting = [a for a in mine.awaiting_signature() if a.may_sign_now(Party.WORKER)]
    assert waiting
    assert all(a.party_of(worker) == Party.WORKER for a in waiting)
    signed = mine.filter(state__in=[S.SIGNED, S.COMPLETED])
    assert signed.count() >= 2
    for agreement in signed:
        assert Document.objects.for_subject(agreement).filter(kind=SIGNED_KIND).exists()


def test_the_demo_employer_has_one_waiting_for_the_hiring_partys_signature(demo):
    employer = User.objects.get(username="employer")
    waiting = [
        a
        for a in Agreement.objects.for_party(employer).filter(state=S.PARTLY_SIGNED)
        if a.party_of(employer) == Party.HIRING and a.may_sign_now(Party.HIRING)
    ]
    assert waiting


def test_the_demo_outcomes_are_the_ones_users_reach(demo):
    agreements = Agreement.objects.filter(market=demo)
    completed = agreements.filter(state=S.COMPLETED)
    assert set(completed.values_list("payment_status", flat=True)) == {
        PaymentStatus.PAID,
        PaymentStatus.UNPAID,
    }
    expired = agreements.get(state=S.EXPIRED)
    assert expired.sign_deadline < timezone.now()
    assert [e.action for e in expired.events][-1] == "expire"
    old = agreements.get(state=S.SUPERSEDED)
    assert old.superseded_by.state == S.SIGNED
    assert old.end_reason == old.superseded_by.code
    assert f"本协议变更并取代协议{old.code}" in old.superseded_by.final_text
    for state in (S.TERMINATED, S.CANCELLED):
        assert agreements.get(state=state).end_reason
