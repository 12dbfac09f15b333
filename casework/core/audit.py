"""The audit trail: appending hash-chained CaseEvents and checking the chains."""

import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from casework.core import locking
from casework.core.models import AccessLog, CaseBase, CaseEvent, ChainHead
from casework.core.roles import roles_of


@dataclass(frozen=True)
class Actor:
    """Who did something, as the audit trail records it."""

    user: object | None
    role: str = ""
    client_ip: str | None = None

    @classmethod
    def from_request(cls, request, role: str = "") -> "Actor":
        user = request.user if request.user.is_authenticated else None
        if not role and user is not None:
            role = ",".join(roles_of(user))
        return cls(user=user, role=role, client_ip=client_ip(request))

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        return cls(user=None, role=name)


def client_ip(request) -> str | None:
    """The client's address: the socket's peer, or what a trusted proxy says it is.

    Headers naming the client are believed only from the proxies in TRUSTED_PROXIES;
    anyone else could send any address and walk past every rate limit.
    """
    peer = clean_ip(request.META.get("REMOTE_ADDR"))
    if not _trusted(peer):
        return peer
    real_ip = clean_ip(request.META.get("HTTP_X_REAL_IP"))
    if real_ip:
        return real_ip
    # X-Forwarded-For: client, proxy1, proxy2; the nearest untrusted hop is the client.
    hops = [clean_ip(hop) for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed(hops):
        if hop and not _trusted(hop):
            return hop
    return peer


def _trusted(address: str | None) -> bool:
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in settings.TRUSTED_PROXIES)


def clean_ip(value: str | None) -> str | None:
    """The address as the database returns it, or None if it is not an address.

    The event hash covers the stored value and the database compresses IPv6
    addresses; PostgreSQL's inet column refuses anything that is not an address.
    """
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    return clean_ipv6_address(str(address)) if address.version == 6 else str(address)


def record_event(
    subject: models.Model,
    *,
    actor: Actor,
    action: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    documents: list[str] | None = None,
) -> CaseEvent:
    """Append one event to the subject's chain. Must run inside the caller's transaction."""
    ct = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    # No savepoint: a failed append fails the caller's step, and the two round trips a
    # savepoint costs count on the hot paths (take next).
    with transaction.atomic(savepoint=False):
        head = _locked_head(ct.pk, subject.pk)
        user = actor.user
        name = (user.get_full_name() or user.get_username()) if user else actor.role
        # Cut to the column sizes: PostgreSQL refuses longer values, and the hash
        # must cover exactly what is stored (a user may hold several roles).
        event = CaseEvent(
            subject_type=ct,
            subject_id=subject.pk,
            seq=head.seq + 1,
            at=timezone.now(),
            actor=user,
            actor_name=name[:150],
            role=actor.role[:40],
            action=action,
            from_state=from_state,
            to_state=to_state,
            note=note,
            client_ip=clean_ip(actor.client_ip),
            documents=documents or [],
            prev_hash=head.hash,
        )
        if isinstance(subject, CaseBase):
            event.records_owner = True
            event.owner_id, stored_state = _stored_owner_and_state(subject)
            # Every event of a case says the state it leaves the case in, so the
            # trail's last word is always the case's state (check_invariants).
            event.to_state = to_state or stored_state
        event.hash = event.compute_hash()
        _append(event, head)
    return event


# Every step of every case appends here, so the append is three plain statements rather
# than the ORM's (a third of a take next's time went into building them): the chain head
# locked, the event inserted, the head moved on (on PostgreSQL the last two in one).


def _locked_head(type_id: int, subject_id: int) -> ChainHead:
    """The subject's chain head, locked for this transaction (made when missing)."""
    with connection.cursor() as cursor:
        cursor.execute(_statements().head, [type_id, subject_id])
        row = cursor.fetchone()
    if row is None:
        head, _created = ChainHead.objects.select_for_update().get_or_create(
            subject_type_id=type_id, subject_id=subject_id
        )
        return head
    return ChainHead(
        id=row[0], subject_type_id=type_id, subject_id=subject_id, seq=row[1], hash=row[2]
    )


def _append(event: CaseEvent, head: ChainHead) -> None:
    statements = _statements()
    values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in statements.fields]
    with connection.cursor() as cursor:
        if statements.append_and_move:
            cursor.execute(statements.append_and_move, [event.seq, event.hash, head.pk, *values])
        else:
            cursor.execute(statements.append, values)
            cursor.execute(statements.move, [event.seq, event.hash, head.pk])
        event.pk = cursor.fetchone()[0] if statements.append_and_move else cursor.lastrowid
    event._state.adding, event._state.db = False, connection.alias
    head.seq, head.hash = event.seq, event.hash


@dataclass(frozen=True)
class _Statements:
    head: str
    append: str
    move: str
    append_and_move: str  # empty where a WITH cannot hold an UPDATE (SQLite)
    fields: tuple


@functools.cache
def _statements_for(vendor: str, for_update: str) -> _Statements:
    quote = connection.ops.quote_name
    event, head = CaseEvent._meta, ChainHead._meta
    fields = tuple(f for f in event.concrete_fields if not f.primary_key)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table, head_table = quote(event.db_table), quote(head.db_table)
    # Quoted names from the models; every value is a parameter.
    append = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    move = f"UPDATE {head_table} SET seq = %s, hash = %s WHERE id = %s"  # noqa: S608
    head_sql = f"SELECT id, seq, hash FROM {head_table} WHERE subject_type_id = %s"  # noqa: S608
    together = f"WITH moved AS ({move}) {append} RETURNING id"
    return _Statements(
        head=f"{head_sql} AND subject_id = %s {for_update}",
        append=append,
        move=move,
        append_and_move=together if vendor == "postgresql" else "",
        fields=fields,
    )


def _statements() -> _Statements:
    features = connection.features
    for_update = "FOR UPDATE" if features.has_select_for_update else ""
    return _statements_for(connection.vendor, for_update)


def _stored_owner_and_state(subject: CaseBase) -> tuple[int | None, str]:
    # Read in the caller's transaction: a stale in-memory copy must not tell the trail
    # who owns the case or what state it is in. The locked copy, saved, is what is stored.
    if locking.is_locked(subject) and not locking.changed_fields(subject):
        return subject.owner_id, subject.state  # type: ignore[attr-defined]
    rows = type(subject)._base_manager.filter(pk=subject.pk).values_list("owner_id", "state")
    return rows.first() or (None, "")


@dataclass(frozen=True)
class BrokenLink:
    event_id: int
    subject: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"CaseEvent id={self.event_id} ({self.subject} #{self.seq}): {self.reason}"


def verify_chains() -> tuple[int, list[BrokenLink]]:
    """Check every chain; return the number of rows read and the first break of each chain."""
    heads = {
        (h.subject_type_id, h.subject_id): h for h in ChainHead.objects.iterator(chunk_size=2000)
    }
    rows = CaseEvent.objects.order_by("subject_type_id", "subject_id", "seq").iterator(
        chunk_size=2000
    )
    broken: list[BrokenLink] = []
    count = 0
    chain_key, last = None, None
    expected_prev, expected_seq, chain_broken = CaseEvent.GENESIS, 1, False
    for event in rows:
        count += 1
        key = (event.subject_type_id, event.subject_id)
        if key != chain_key:
            if last is not None and not chain_broken:
                broken.extend(_tail_problem(last, heads.pop(chain_key, None)))
            heads.pop(chain_key, None)
            chain_key, expected_prev, expected_seq, chain_broken = key, CaseEvent.GENESIS, 1, False
        last = event
        if chain_broken:
            continue
        reason = _link_problem(event, expected_prev, expected_seq)
        if reason:
            broken.append(BrokenLink(event.pk, f"{key[0]}:{key[1]}", event.seq, reason))
            chain_broken = True
        expected_prev, expected_seq = event.hash, event.seq + 1
    if last is not None and not chain_broken:
        broken.extend(_tail_problem(last, heads.get(chain_key)))
    heads.pop(chain_key, None)
    broken.extend(_headless_problems(heads.values()))
    return count, broken


def _tail_problem(last: CaseEvent, head: ChainHead | None) -> list[BrokenLink]:
    subject = f"{last.subject_type_id}:{last.subject_id}"
    if head is None:
        return [BrokenLink(last.pk, subject, last.seq, "the chain's head record is missing")]
    if (head.seq, head.hash) != (last.seq, last.hash):
        reason = f"the chain ends at #{last.seq} but its head records #{head.seq}"
        if head.seq > last.seq:
            reason += " (rows at the end were deleted)"
        return [BrokenLink(last.pk, subject, last.seq, reason)]
    return []


def _headless_problems(heads) -> list[BrokenLink]:
    return [
        BrokenLink(
            0, f"{h.subject_type_id}:{h.subject_id}", h.seq, "every row of this chain was deleted"
        )
        for h in heads
        if h.seq > 0
    ]


def _link_problem(event: CaseEvent, expected_prev: str, expected_seq: int) -> str:
    if event.seq != expected_seq:
        return f"sequence gap: expected #{expected_seq} (a row was deleted)"
    if event.prev_hash != expected_prev:
        return "previous-hash mismatch (an earlier row was changed or removed)"
    if event.compute_hash() != event.hash:
        return "content does not match its hash (the row was changed)"
    return ""


def log_access(request, subject: models.Model, fields: str, action: str = "view") -> None:
    AccessLog.objects.create(
        user=request.user,
        action=action,
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        subject_id=subject.pk,
        subject_label=str(subject)[:200],
        fields=fields[:200],
        path=request.get_full_path()[:300],
        client_ip=client_ip(request),
    )


def purge_chains(subject_type: ContentType, subject_ids) -> None:
    """Delete whole audit chains of throwaway subjects, with their heads.

    Only for data a benchmark loaded and removes again (casework.disputes.claim_bench):
    the audit trail is append-only, in the code and, on PostgreSQL, by triggers (core
    migration 0007). Those are switched off for this transaction only, which needs a
    superuser; run the benchmarks against a database of their own, never production.
    """
    ids = list(subject_ids)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        for table in (CaseEvent._meta.db_table, ChainHead._meta.db_table):
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM {table} WHERE subject_type_id = %s "  # noqa: S608 (names from models)
                    f"AND subject_id IN ({marks})",
                    [subject_type.pk, *chunk],
                )
