"""Taking the first unowned case of a queue in one statement (docs/workflows.md, "Take next").

Many people press "take next" at the same moment, so the claim is the shortest
critical section there can be::

    UPDATE case SET owner = me, updated_at = now
     WHERE id = (SELECT id FROM <the queue> WHERE owner IS NULL ORDER BY <queue order>
                 LIMIT 1 FOR UPDATE SKIP LOCKED)
       AND owner IS NULL
    RETURNING *

On PostgreSQL a rival's locked candidate is skipped, so the second person gets the
next case instead of waiting; the UPDATE holds the row lock to the end of the
caller's transaction, which is the lock the locking rule asks for, and what it
returns is read under that lock (the locked copy of casework.core.locking). SQLite
has one writer at a time, so the statement runs alone there. ``owner IS NULL`` is
checked again by the UPDATE itself: nothing is taken from under a holder.
"""

from typing import cast

from django.db import connection
from django.utils import timezone

from casework.core import locking, rows
from casework.core.models import CaseBase


def claim_locked(queryset, user) -> CaseBase | None:
    """Give ``user`` the first unowned case of ``queryset``; its locked copy, or None.

    Must run inside the caller's transaction (the lock lasts until it commits).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("claim_locked() needs a transaction: wrap it in transaction.atomic()")
    model = queryset.model
    skip_locked = connection.features.has_select_for_update_skip_locked
    candidate = (
        queryset.filter(owner__isnull=True)
        .select_for_update(skip_locked=skip_locked, of=("self",) if skip_locked else ())
        .values("pk")[:1]
    )
    sub_sql, sub_params = candidate.query.sql_with_params()
    meta, quote = model._meta, connection.ops.quote_name
    owner, updated = meta.get_field("owner"), meta.get_field("updated_at")
    # Names are quoted identifiers from the model; every value is a parameter.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {quote(owner.column)} = %s, "  # noqa: S608
        f"{quote(updated.column)} = %s "
        f"WHERE {quote(meta.pk.column)} = ({sub_sql}) AND {quote(owner.column)} IS NULL "
        f"RETURNING {rows.columns(model)}"
    )
    params = (user.pk, updated.get_db_prep_value(timezone.now(), connection), *sub_params)
    taken = rows.instances(model, sql, params)
    if not taken:
        return None
    case = cast(CaseBase, taken[0])
    case.owner = user  # type: ignore[attr-defined]  # every case model has its holder
    return locking.as_locked(case)
