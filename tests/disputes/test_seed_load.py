"""Bulk load data (seed_load) are real, consistent cases."""

import datetime
import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from stdnum.cn import ric
from viewflow.workflow.status import STATUS

from casework.core.audit import Actor, verify_chains
from casework.core.flows import open_task
from casework.core.models import CodeSequence, Market
from casework.core.roles import Role
from casework.disputes import services
from casework.disputes.load import FLOW_PATHS, HELD_STATES, OPEN_MIX
from casework.disputes.models import ClaimItem, Dispute, Settlement
from casework.parties.models import Organization, Person

S = Dispute.State
FINAL = {S.CLOSED, S.TERMINATED, S.WITHDRAWN, S.NOT_ACCEPTED}


# -- seed_load ---------------------------------------------------------------------------


def seed_load(*args: str) -> dict:
    out = StringIO()
    call_command("seed_load", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().splitlines()[-1])


@pytest.fixture
def loaded(db) -> dict:
    return seed_load("--disputes", "50", "--seed", "7")


def test_seed_load_writes_the_disputes_it_reports(loaded):
    report = loaded["disputes"]
    assert report["disputes"] == Dispute.objects.count() == 50
    assert set(report["states"]) >= set(OPEN_MIX)  # every open state, at least once
    assert report["claim_items"] == ClaimItem.objects.count()
    assert report["applicant_links"] == Dispute.applicants.through.objects.count()
    assert loaded["market"] == "cd"


def test_loaded_claims_add_up_and_set_the_priority(loaded):
    for dispute in Dispute.objects.prefetch_related("claims", "applicants"):
        items = list(dispute.claims.all())
        assert 1 <= len(items) <= 2
        assert dispute.total_claimed == sum(item.amount for item in items)
        assert dispute.claim_types == ",".join(sorted({item.claim_type for item in items}))
        assert dispute.priority == dispute.compute_priority(len(dispute.applicants.all()))
        assert dispute.applicants.all()
        stored = (dispute.mediation_due, dispute.due_date)
        dispute.mediation_due = dispute.due_date = None
        dispute.compute_deadlines()  # what the services would store
        assert (dispute.mediation_due, dispute.due_date) == stored


def test_loaded_codes_are_unique_and_disputes_filed_later_continue_after_them(loaded):
    codes = list(Dispute.objects.values_list("code", "received_at"))
    assert len({code for code, _at in codes}) == 50
    for code, received_at in codes:
        year = timezone.localtime(received_at).year
        assert re.fullmatch(rf"WD-{year}-\d{{6}}", code)
    year = timezone.localdate().year
    last = CodeSequence.objects.filter(prefix="WD", year=year).values_list("last", flat=True)
    last = last.first() or 0
    this_year = [int(code[-6:]) for code, _at in codes if code.startswith(f"WD-{year}-")]
    assert last == max(this_year, default=0)

    mediator = services.mediators_of(Market.objects.get(code="cd")).first()
    later = services.dispute_file(
        market=Market.objects.get(code="cd"),
        mediation_body=Organization.objects.get(kind=Organization.Kind.MEDIATION_BODY),
        applicants=[Person.objects.first()],
        respondent=Organization.objects.filter(kind=Organization.Kind.EMPLOYER).first(),
        channel="written",
        received_at=timezone.now(),
        matter="追索工资",
        reasons="未付。",
        claims=[services.Claim("unpaid_wages", Decimal("100.00"))],
        actor=Actor(user=mediator, role=Role.MEDIATOR),
    )
    assert later.code == f"WD-{year}-{last + 1:06d}"


def test_loaded_people_have_valid_resident_id_numbers(loaded):
    for person in Person.objects.all():
        assert ric.is_valid(person.id_number), person.id_number
        assert person.birth_date == ric.get_birth_date(person.id_number)
        assert person.sex == ("M" if int(person.id_number[16]) % 2 else "F")


def test_open_loaded_disputes_have_the_open_task_viewflow_would_have_made(loaded):
    for dispute in Dispute.objects.select_related("process"):
        if dispute.state in FINAL:
            assert dispute.process is None
            continue
        assert dispute.process.artifact_object_id == dispute.pk
        task = open_task(dispute)
        assert task.flow_task.name == FLOW_PATHS[dispute.state][-1]
        if dispute.state in HELD_STATES:
            assert (task.status, task.owner_id) == (STATUS.ASSIGNED, dispute.owner_id)
        else:
            assert (task.status, task.owner_id, dispute.owner_id) == (STATUS.NEW, None, None)
        if dispute.state in (S.EFFECTIVE, S.PERFORMED, S.DEFAULTED, S.REFERRED):
            assert dispute.settlement.marks_complete
    assert verify_chains()[1] == []


def test_take_next_takes_a_loaded_dispute_and_the_services_carry_on(loaded):
    market = Market.objects.get(code="cd")
    mediator = services.mediators_of(market).first()
    me = Actor(user=mediator, role=Role.MEDIATOR)

    dispute = services.dispute_take_next(actor=me, markets=[market.pk])

    dispute.refresh_from_db()
    assert (dispute.state, dispute.owner) == (S.IN_MEDIATION, mediator)
    today = timezone.localdate()
    services.settlement_record(
        dispute=dispute,
        amount=Decimal("100.00"),
        method=Settlement.Method.CASH,
        terms="",
        instalments=[(today + datetime.timedelta(days=5), Decimal("100.00"))],
        actor=me,
    )
    for mark in Settlement.MARKS:
        services.mark_record(dispute=dispute, mark=mark, actor=me)
    dispute.refresh_from_db()
    assert dispute.state == S.EFFECTIVE
    assert open_task(dispute).flow_task.name == "follow_up"
    assert [e.action for e in dispute.events][:3] == ["filed", "accept", "claimed"]
    assert verify_chains()[1] == []


def test_seed_load_accepts_a_planned_kind_no_app_loads_yet(db, monkeypatch):
    from casework.core.management.commands import seed_load as command

    monkeypatch.setattr(command, "PLANNED", (*command.PLANNED, "contracts"))
    err = StringIO()
    out = StringIO()
    with translation.override("en"):
        call_command("seed_load", "--disputes", "3", "--contracts", "2", stdout=out, stderr=err)
    assert "not available" in err.getvalue()
    report = json.loads(out.getvalue().splitlines()[-1])
    assert report["contracts"] is None
    assert report["disputes"]["disputes"] == 3


def test_seed_load_needs_a_count_and_a_known_market(db):
    with pytest.raises(CommandError):
        call_command("seed_load", stdout=StringIO())
    with pytest.raises(CommandError, match="nope"), translation.override("en"):
        call_command("seed_load", "--disputes", "1", "--market", "nope", stdout=StringIO())
