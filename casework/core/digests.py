"""Daily audit digests: every chain's head, anchored outside the database.

A database owner can rebuild a chain with correct hashes and a matching head;
``verify_chains()`` would find nothing. Once a day ``take_digest()`` writes every
chain's (seq, hash) into an AuditDigest, which casework.documents seals in a
document (hooks.seal_digest). ``verify_digests()`` then checks each digest: its own
hash, the link to the digest before it, its sealed copy (hooks.sealed_digest_check)
and that every chain still has, at the sealed seq, the sealed hash. See
docs/architecture.md, "The audit trail".
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from casework.core import hooks
from casework.core.models import AuditDigest, CaseEvent, ChainHead

GENESIS = CaseEvent.GENESIS
# Chains checked per query: one OR of (type, id, seq) triples each.
CHECK_BATCH = 500


def current_heads() -> list[list]:
    """[["app_label.model", id, seq, hash], ...] of every chain, sorted."""
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    rows = ChainHead.objects.filter(seq__gt=0).values_list(
        "subject_type_id", "subject_id", "seq", "hash"
    )
    return sorted([labels[type_id], sid, seq, digest] for type_id, sid, seq, digest in rows)


def take_digest(*, now: datetime.datetime | None = None) -> tuple[AuditDigest, bool]:
    """Today's digest, taken now if there is none yet; (digest, whether it is new).

    Once per local day: the beat's run and a manual one on the same day give one row.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    existing = AuditDigest.objects.filter(day=day).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            digest = _new_digest(day, now)
            hooks.seal_digest(digest)
    except IntegrityError:  # another process took today's digest first
        return AuditDigest.objects.get(day=day), False
    return digest, True


def _new_digest(day: datetime.date, now: datetime.datetime) -> AuditDigest:
    # Lock the latest digest so two processes cannot both link to it.
    latest = AuditDigest.objects.select_for_update().order_by("-day").first()
    heads = current_heads()
    digest = AuditDigest(
        day=day,
        taken_at=now,
        chains=len(heads),
        events=sum(head[2] for head in heads),
        heads=heads,
        previous=latest.sha256 if latest else GENESIS,
    )
    digest.sha256 = digest.computed_sha256()
    digest.save()
    return digest


@dataclass
class DigestReport:
    digests: int = 0
    heads: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def verify_digests() -> DigestReport:
    """Check every digest and the chains against it (verify_audit --digests)."""
    report = DigestReport()
    previous = GENESIS
    types = _content_types()
    for digest in AuditDigest.objects.order_by("day").iterator(chunk_size=20):
        report.digests += 1
        report.heads += len(digest.heads)
        report.problems += _digest_problems(digest, previous)
        problem, note = hooks.sealed_digest_check(digest)
        report.problems += [f"digest of {digest.day}: {problem}"] if problem else []
        report.notes += [f"digest of {digest.day}: {note}"] if note else []
        report.problems += _chain_problems(digest, types)
        previous = digest.sha256
    return report


def _digest_problems(digest: AuditDigest, previous: str) -> list[str]:
    problems = []
    if digest.computed_sha256() != digest.sha256:
        problems.append(f"digest of {digest.day}: its listing does not match its SHA-256")
    if digest.previous != previous:
        problems.append(
            f"digest of {digest.day}: the digest before it was changed or removed "
            "(its link does not match)"
        )
    return problems


def _content_types() -> dict[str, int]:
    return {f"{ct.app_label}.{ct.model}": ct.pk for ct in ContentType.objects.all()}


def _chain_problems(digest: AuditDigest, types: dict[str, int]) -> list[str]:
    problems = []
    heads = digest.heads
    for start in range(0, len(heads), CHECK_BATCH):
        batch = heads[start : start + CHECK_BATCH]
        found = _sealed_events(batch, types)
        for label, sid, seq, sealed_hash in batch:
            stored = found.get((label, sid, seq))
            if stored is None:
                problems.append(
                    f"chain {label}:{sid}: event #{seq}, sealed in the digest of "
                    f"{digest.day}, is missing"
                )
            elif stored != sealed_hash:
                problems.append(
                    f"chain {label}:{sid}: event #{seq} differs from the digest of "
                    f"{digest.day} (the chain was rebuilt)"
                )
    return problems


def _sealed_events(batch: list, types: dict[str, int]) -> dict[tuple, str]:
    """{(label, id, seq): hash} of the stored events the batch's heads name."""
    by_type: dict[str, list] = defaultdict(list)
    for label, sid, seq, _hash in batch:
        if label in types:
            by_type[label].append(Q(subject_id=sid, seq=seq))
    labels = {pk: label for label, pk in types.items()}
    found = {}
    for label, conditions in by_type.items():
        query = Q()
        for condition in conditions:
            query |= condition
        rows = CaseEvent.objects.filter(query, subject_type_id=types[label]).values_list(
            "subject_type_id", "subject_id", "seq", "hash"
        )
        for type_id, sid, seq, stored in rows:
            found[(labels[type_id], sid, seq)] = stored
    return found
