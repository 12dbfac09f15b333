"""`manage.py check_invariants`: cases agree with their trail, their flow, their payments and files.

Each violation is made by hand behind the services' back (a queryset update, a
stray row or file), the way a lost race or a half-done step would leave it.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone
from viewflow.workflow.status import STATUS

from casework.core.audit import Actor, record_event, verify_chains
from casework.core.flows import open_task
from casework.core.invariants import find_violations
from casework.disputes.models import Dispute, Instalment, Payment
from casework.documents.models import Document
from tests.invariants import assert_invariants
from tests.tamper import tamper

S = Dispute.State


def check_invariants() -> str:
    out = StringIO()
    call_command("check_invariants", stdout=out, stderr=StringIO())
    return out.getvalue()


def check_invariants_fails() -> tuple[CommandError, list[str]]:
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("check_invariants", stdout=StringIO(), stderr=err)
    assert failure.value.returncode == 1
    return failure.value, err.getvalue().splitlines()


# -- the trail records the owner ---------------------------------------------------------


def test_an_event_records_the_owner_stored_in_the_database_not_a_stale_copy(
    new_dispute, alice_mediator
):
    dispute = new_dispute(S.ACCEPTED)
    stale = Dispute.objects.get(pk=dispute.pk)
    Dispute.objects.filter(pk=dispute.pk).update(owner=alice_mediator)

    event = record_event(stale, actor=Actor(user=alice_mediator), action="note")

    assert stale.owner_id is None
    assert (event.records_owner, event.owner_id) == (True, alice_mediator.pk)
    assert verify_chains()[1] == []


def test_the_owner_is_covered_by_the_hash(new_dispute, alice_mediator, bob_mediator):
    dispute = new_dispute(S.IN_MEDIATION)
    last = dispute.events.last()
    assert last.owner_id == alice_mediator.pk

    tamper("UPDATE core_caseevent SET owner_id = %s WHERE id = %s", [bob_mediator.pk, last.pk])

    assert "does not match its hash" in verify_chains()[1][0].reason


def test_events_of_other_subjects_record_no_owner_and_hash_as_before(market, alice_mediator):
    event = record_event(market, actor=Actor(user=alice_mediator), action="note")

    assert (event.records_owner, event.owner_id) == (False, None)
    assert "owner" not in event.payload()
    assert verify_chains() == (1, [])


# -- what holds --------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.RECEIVED, S.IN_MEDIATION, S.EFFECTIVE, S.CLOSED, S.WITHDRAWN])
def test_cases_worked_through_the_services_hold_every_invariant(new_dispute, state):
    new_dispute(state)

    assert_invariants()
    assert "All invariants hold." in check_invariants()


# -- violations --------------------------------------------------------------------------


def test_a_state_changed_behind_the_trail_is_named(new_dispute):
    dispute = new_dispute(S.IN_MEDIATION)
    Dispute.objects.filter(pk=dispute.pk).update(state=S.SETTLED)

    error, lines = check_invariants_fails()

    assert lines == [
        f"{dispute.code}: [state] state is 'settled' but the audit trail last recorded "
        "'in_mediation'"
    ]
    assert dispute.code in str(error)


def test_an_owner_changed_behind_the_trail_is_named(new_dispute, alice_mediator, bob_mediator):
    dispute = new_dispute(S.IN_MEDIATION)
    Dispute.objects.filter(pk=dispute.pk).update(owner=bob_mediator)

    _error, lines = check_invariants_fails()

    assert lines == [
        f"{dispute.code}: [owner] owner is user {bob_mediator.pk} but the audit trail last "
        f"recorded user {alice_mediator.pk}"
    ]


def test_a_second_open_task_is_named(new_dispute):
    dispute = new_dispute(S.IN_MEDIATION)
    second = open_task(dispute)
    second.pk = None
    second.save()

    _error, lines = check_invariants_fails()

    assert lines == [
        f"{dispute.code}: [tasks] 2 open flow tasks in state 'in_mediation' (expected 1)"
    ]


def test_an_open_case_without_an_open_task_is_named(new_dispute):
    dispute = new_dispute(S.ACCEPTED)
    type(open_task(dispute)).objects.filter(pk=open_task(dispute).pk).update(status=STATUS.DONE)

    _error, lines = check_invariants_fails()

    assert lines == [f"{dispute.code}: [tasks] 0 open flow tasks in state 'accepted' (expected 1)"]


def test_a_payment_over_the_instalment_is_named(new_dispute, alice_mediator):
    dispute = new_dispute(S.EFFECTIVE)
    first = dispute.settlement.instalments.first()
    Payment.objects.create(
        instalment=first,
        amount=first.amount + Decimal("100.00"),
        paid_on=timezone.localdate(),
        recorded_by=alice_mediator,
    )
    Instalment.objects.filter(pk=first.pk).update(paid=F("amount") + Decimal("100.00"))

    _error, lines = check_invariants_fails()

    assert lines == [f"{dispute.code}: [payment] instalment #1: paid ¥1600.00 of ¥1500.00"]


def test_payments_that_do_not_add_up_to_the_instalment_are_named(new_dispute):
    dispute = new_dispute(S.EFFECTIVE)
    Instalment.objects.filter(settlement__dispute=dispute, seq=2).update(paid=Decimal("20.00"))

    violations = find_violations()

    assert [str(v) for v in violations] == [
        f"{dispute.code}: [payment] instalment #2: records ¥20.00 paid but its payments add "
        "up to ¥0.00"
    ]


def test_a_document_file_referenced_twice_is_named(new_dispute):
    first, second = new_dispute(S.ACCEPTED), new_dispute(S.ACCEPTED)
    name = default_storage.save("documents/2026/12/notice.pdf", ContentFile(b"%PDF-1.7"))
    one_each = [Document.objects.for_subject(case).first().pk for case in (first, second)]
    Document.objects.filter(pk__in=one_each).update(file=name)

    _error, lines = check_invariants_fails()

    assert lines == [f"{first.code}, {second.code}: [file] {name} is referenced 2 times"]


def test_an_orphan_file_is_named(db):
    name = default_storage.save("documents/2026/12/left-behind.pdf", ContentFile(b"%PDF-1.7"))

    error, lines = check_invariants_fails()

    assert lines == [f"-: [file] {name} is in storage but nothing references it"]
    assert name in str(error)


def test_every_violation_is_printed_and_the_first_is_named_in_the_error(new_dispute, bob_mediator):
    one, two = new_dispute(S.IN_MEDIATION), new_dispute(S.IN_MEDIATION)
    Dispute.objects.filter(pk=one.pk).update(state=S.SETTLED)
    Dispute.objects.filter(pk=two.pk).update(owner=bob_mediator)

    error, lines = check_invariants_fails()

    assert [line.split(":")[0] for line in lines] == [one.code, two.code]
    assert str(error).startswith("2 invariant violation(s); first: " + lines[0])
