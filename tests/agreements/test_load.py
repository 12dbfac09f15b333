"""Bulk load agreements (seed_load --agreements) are real, consistent agreements."""

import hashlib
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from stdnum.cn import ric
from viewflow.workflow.status import STATUS

from agreements import services, text
from agreements.load import FLOW_PATHS, OPEN_MIX
from agreements.models import Agreement, Party, PaymentStatus, Signature
from casework.core.audit import Actor, verify_chains
from casework.core.flows import open_task
from casework.core.models import CodeSequence, Market
from casework.core.roles import Role
from casework.disputes.models import Dispute
from casework.parties.models import Person
from tests.agreements.fixtures import last_code, particulars, send_code

S = Agreement.State
SIGNATURES = {S.PARTLY_SIGNED: 1, S.SIGNED: 2}


def seed_load(*args: str) -> dict:
    out = StringIO()
    call_command("seed_load", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().splitlines()[-1])


@pytest.fixture
def loaded(db) -> dict:
    return seed_load("--agreements", "200", "--seed", "7")


def counter(agreement: Agreement) -> Actor:
    return Actor(user=agreement.owner, role=Role.CASEWORKER)


def test_seed_load_writes_the_agreements_it_reports_mostly_completed(loaded):
    report = loaded["agreements"]
    assert report["agreements"] == Agreement.objects.count() == 200
    assert set(report["states"]) == set(S.values)  # every state, at least once
    for state, n in report["states"].items():
        assert Agreement.objects.filter(state=state).count() == n
    assert report["states"][S.COMPLETED] > 150
    assert report["open"] == sum(report["states"][state] for state in OPEN_MIX)
    assert report["signatures"] == Signature.objects.count()
    assert loaded["market"] == "cd"


def test_loaded_texts_are_composed_as_the_services_compose_them_and_hashed(loaded):
    for agreement in Agreement.objects.all():
        if agreement.sent_at is None:
            assert (agreement.state, agreement.final_text, agreement.text_hash) in {
                (S.DRAFT, "", ""),
                (S.CANCELLED, "", ""),
            }
            continue
        digest = hashlib.sha256(agreement.final_text.encode("utf-8")).hexdigest()
        assert agreement.text_hash == digest
        assert agreement.final_text == text.compose(agreement)
        for signature in agreement.signatures.all():
            assert signature.text_hash == digest


def test_loaded_agreements_are_valid_and_their_dates_in_order(loaded):
    today = timezone.localdate()
    for agreement in Agreement.objects.all():
        agreement.full_clean(exclude=["code", "process", "state"])
        if agreement.sent_at:
            assert agreement.created_at <= agreement.sent_at < agreement.sign_deadline
        if agreement.signed_at:
            assert agreement.sent_at < agreement.signed_at
        if agreement.state == S.COMPLETED:
            assert agreement.end_date < today
            assert agreement.signed_at < agreement.completed_at
        if agreement.payment_status:
            assert agreement.state == S.COMPLETED
            assert agreement.payment_reported_at <= timezone.now()
        if agreement.state in (S.SENT, S.PARTLY_SIGNED):
            assert agreement.sign_deadline > timezone.now()
    statuses = set(Agreement.objects.values_list("payment_status", flat=True))
    assert statuses >= {PaymentStatus.PAID, ""}
    for person in Person.objects.all():
        assert ric.is_valid(person.id_number), person.id_number


def test_a_superseded_loaded_agreement_is_replaced_by_a_completed_one(loaded):
    old = Agreement.objects.filter(state=S.SUPERSEDED)
    assert old.exists()
    for agreement in old:
        new = agreement.superseded_by
        assert new.state == S.COMPLETED
        assert agreement.end_reason == new.code
        assert agreement.ended_at == new.signed_at
        assert f"本协议变更并取代协议{agreement.code}" in new.final_text
        assert (new.worker_id, new.hiring_organization_id) == (
            agreement.worker_id,
            agreement.hiring_organization_id,
        )


def test_open_loaded_agreements_have_the_open_task_viewflow_would_have_made(loaded):
    for agreement in Agreement.objects.select_related("process"):
        signatures = agreement.signatures.count()
        if agreement.state not in OPEN_MIX:
            assert agreement.process is None
            assert signatures == 0  # historic: no signature rows (see load_agreements)
            continue
        assert agreement.process.artifact_object_id == agreement.pk
        task = open_task(agreement)
        assert task.flow_task.name == FLOW_PATHS[agreement.state][-1]
        assert (task.status, task.owner_id) == (STATUS.ASSIGNED, agreement.owner_id)
        assert signatures == SIGNATURES.get(agreement.state, 0)
    assert verify_chains()[1] == []


def test_the_services_carry_on_with_loaded_agreements(loaded):
    partly = Agreement.objects.filter(state=S.PARTLY_SIGNED).first()
    party = ({Party.WORKER, Party.HIRING} - partly.signed_parties()).pop()
    sign_at_the_counter(partly, party)
    partly.refresh_from_db()
    assert partly.state == S.SIGNED
    assert open_task(partly).flow_task.name == "in_force"
    services.agreement_complete(agreement=partly, actor=counter(partly))

    sent = Agreement.objects.filter(state=S.SENT, hiring_party_first=False).first()
    sign_at_the_counter(sent, Party.WORKER)
    sign_at_the_counter(sent, Party.HIRING)
    sent.refresh_from_db()
    assert sent.state == S.SIGNED
    assert verify_chains()[1] == []


def sign_at_the_counter(agreement: Agreement, party: str) -> None:
    send_code(agreement, party, counter(agreement))
    services.agreement_sign(
        agreement=agreement,
        party=party,
        code=last_code(agreement.signer_for(party).mobile),
        actor=counter(agreement),
        channel=Signature.Channel.COUNTER,
    )


def test_loaded_codes_are_unique_and_agreements_made_later_continue_after_them(loaded):
    codes = list(Agreement.objects.values_list("code", "created_at"))
    assert len({code for code, _at in codes}) == 200
    for code, created_at in codes:
        assert re.fullmatch(rf"GA-{timezone.localtime(created_at).year}-\d{{6}}", code)
    year = timezone.localdate().year
    last = CodeSequence.objects.filter(prefix="GA", year=year).values_list("last", flat=True)
    last = last.first() or 0
    loaded_one = Agreement.objects.filter(state=S.SIGNED).first()
    later = services.agreement_create(
        market=Market.objects.get(code="cd"),
        worker=loaded_one.worker,
        hiring_party=loaded_one.hiring_party,
        hiring_signer=loaded_one.hiring_signer,
        actor=counter(loaded_one),
        particulars=particulars(),
    )
    assert later.code == f"GA-{year}-{last + 1:06d}"


def test_seed_load_loads_agreements_and_disputes_together(db):
    report = seed_load("--disputes", "20", "--agreements", "30", "--seed", "3")
    assert report["agreements"]["agreements"] == Agreement.objects.count() == 30
    assert report["disputes"]["disputes"] == Dispute.objects.count() == 20
    assert verify_chains()[1] == []
