"""The hash-chained audit trail and `manage.py verify_audit`."""

import ipaddress
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory

from casework.core.audit import Actor, client_ip, record_event, verify_chains
from casework.core.models import AppendOnlyError, CaseEvent, ChainHead
from tests.tamper import tamper


@pytest.fixture
def actor(alice_mediator) -> Actor:
    return Actor(user=alice_mediator, role="mediator", client_ip="10.0.0.7")


@pytest.fixture
def chain(market, actor) -> list[CaseEvent]:
    return [record_event(market, actor=actor, action="note", note=f"第{n}条") for n in (1, 2, 3, 4)]


def verify_audit() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_audit_fails() -> tuple[CommandError, str]:
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert failure.value.returncode == 1
    return failure.value, err.getvalue()


def raw_sql(sql: str, params: list) -> None:
    tamper(sql, params)  # past the database's own guard, as a database owner could


def test_intact_chains_pass(chain):
    out, err = verify_audit()

    assert "Checked 4 case events in 1 chains." in out
    assert "intact" in out
    assert err == ""


def test_an_empty_trail_passes(db):
    out, _err = verify_audit()

    assert "Checked 0 case events in 0 chains." in out


def test_a_row_changed_in_the_database_is_named(chain):
    changed = chain[1]
    raw_sql("UPDATE core_caseevent SET note = %s WHERE id = %s", ["改过的内容", changed.pk])

    error, err = verify_audit_fails()

    assert f"CaseEvent id={changed.pk} " in str(error)
    assert f"CaseEvent id={changed.pk} " in err
    assert "#2" in err
    assert "does not match its hash" in err


def test_a_changed_row_with_a_recomputed_hash_breaks_the_next_link(chain):
    changed = CaseEvent.objects.get(pk=chain[1].pk)
    changed.note = "改过的内容"
    raw_sql(
        "UPDATE core_caseevent SET note = %s, hash = %s WHERE id = %s",
        [changed.note, changed.compute_hash(), changed.pk],
    )

    _error, err = verify_audit_fails()

    assert f"CaseEvent id={chain[2].pk} " in err
    assert "previous-hash mismatch" in err


def test_a_deleted_middle_row_is_detected(chain):
    raw_sql("DELETE FROM core_caseevent WHERE id = %s", [chain[1].pk])

    error, err = verify_audit_fails()

    assert f"CaseEvent id={chain[2].pk} " in str(error)
    assert "sequence gap: expected #2" in err


def test_a_deleted_first_row_is_detected(chain):
    raw_sql("DELETE FROM core_caseevent WHERE id = %s", [chain[0].pk])

    _error, err = verify_audit_fails()

    assert f"CaseEvent id={chain[1].pk} " in err


def test_each_broken_chain_is_reported_once_and_intact_ones_are_not(chain, other_market, actor):
    other = [record_event(other_market, actor=actor, action="note") for _ in range(3)]
    raw_sql(
        "UPDATE core_caseevent SET note = %s WHERE id IN (%s, %s)",
        ["x", *[c.pk for c in chain[1:3]]],
    )

    count, broken = verify_chains()

    assert count == len(chain) + len(other)
    assert [link.event_id for link in broken] == [chain[1].pk]


def test_saving_an_existing_event_is_refused(chain):
    event = CaseEvent.objects.get(pk=chain[0].pk)
    event.note = "改过的内容"

    with pytest.raises(AppendOnlyError):
        event.save()

    assert CaseEvent.objects.get(pk=event.pk).note == "第1条"


def test_deleting_an_event_is_refused(chain):
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.get(pk=chain[0].pk).delete()

    assert CaseEvent.objects.count() == 4


@pytest.mark.parametrize(
    "bulk",
    [
        lambda events: events.update(note="改过的内容"),
        lambda events: events.delete(),
        lambda events: CaseEvent.objects.bulk_update(list(events), ["note"]),
    ],
    ids=["update", "delete", "bulk_update"],
)
def test_bulk_changes_of_events_are_refused(chain, bulk):
    with pytest.raises(AppendOnlyError):
        bulk(CaseEvent.objects.all())

    assert list(CaseEvent.objects.order_by("pk").values_list("note", flat=True)) == [
        event.note for event in chain
    ]


ON_POSTGRES = connection.vendor == "postgresql"
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="the triggers are PostgreSQL's; runs in make test-services"
)


def refused_by_the_database(sql: str, params: list) -> str:
    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, params)
    return str(refused.value)


@pytest.mark.services
@needs_postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_caseevent SET note = 'x' WHERE id = %s",
        "DELETE FROM core_caseevent WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_changes_of_an_event(chain, sql):
    message = refused_by_the_database(sql, [chain[1].pk])

    assert "append-only" in message
    assert CaseEvent.objects.count() == 4 and verify_chains()[1] == []


@pytest.mark.services
@needs_postgres
def test_the_database_lets_a_chain_head_only_move_forward(chain):
    head = ChainHead.objects.get()
    back = "UPDATE core_chainhead SET seq = seq - 1, hash = %s WHERE id = %s"

    assert "only move forward" in refused_by_the_database(back, [chain[2].hash, head.pk])
    delete = "DELETE FROM core_chainhead WHERE id = %s"
    assert "never deleted" in refused_by_the_database(delete, [head.pk])
    assert ChainHead.objects.get().seq == 4


def test_an_actor_with_many_roles_fits_the_role_column(market, alice_mediator):
    roles = "mediator,caseworker,complaint_officer,supervisor"  # 49 characters
    event = record_event(market, actor=Actor(user=alice_mediator, role=roles), action="note")

    assert event.role == roles[:40]
    assert verify_chains() == (1, [])


def test_the_client_address_ignores_a_header_that_is_not_an_address(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("192.0.2.0/24")]
    request = RequestFactory().get("/", HTTP_X_REAL_IP="unknown", REMOTE_ADDR="192.0.2.10")

    assert client_ip(request) == "192.0.2.10"


def test_a_trusted_proxy_names_the_client(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    request = RequestFactory().get("/", HTTP_X_REAL_IP="203.0.113.5", REMOTE_ADDR="10.0.0.1")

    assert client_ip(request) == "203.0.113.5"


def test_a_forged_header_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    forged = {"HTTP_X_REAL_IP": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "203.0.113.6"}
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.9", **forged)

    assert client_ip(request) == "198.51.100.9"


def test_with_no_trusted_proxy_the_socket_address_is_the_client(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", HTTP_X_REAL_IP="203.0.113.5", REMOTE_ADDR="127.0.0.1")

    assert client_ip(request) == "127.0.0.1"


def test_forwarded_for_is_read_from_the_right_past_the_trusted_hops(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/8")]
    chain = "1.2.3.4, 203.0.113.7, 10.0.0.2"  # the first entry is whatever the client sent
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=chain, REMOTE_ADDR="10.0.0.1")

    assert client_ip(request) == "203.0.113.7"


def test_deleting_the_last_row_is_caught_by_the_chain_head(chain):
    raw_sql("DELETE FROM core_caseevent WHERE id = %s", [chain[-1].pk])

    _error, err = verify_audit_fails()

    assert f"CaseEvent id={chain[-2].pk} " in err
    assert "rows at the end were deleted" in err


def test_deleting_a_whole_chain_is_caught_by_the_chain_head(chain):
    raw_sql("DELETE FROM core_caseevent WHERE subject_id = %s", [chain[0].subject_id])

    _error, err = verify_audit_fails()

    assert "every row of this chain was deleted" in err
