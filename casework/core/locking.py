"""The locking rule for every step that changes a case (docs/workflows.md, "Locking").

One transaction; lock the case row; re-read it; check state, holder and
conditions on the locked copy; write only the fields the step changed; record
the audit event; enqueue documents and messages on commit.

``locked(case)`` gives the locked copy to work on::

    with locked(dispute) as dispute:
        require_holder(dispute, actor)          # checked on what the lock sees
        dispute.due_date = new_due
        save_changed(dispute)                    # UPDATE ... SET due_date, updated_at

Two requests on one case run one after the other: the second waits for the
first's row lock and then reads what the first committed, so it cannot act
on a state or holder that has already changed. Rows are always locked in the
same order (the case, then its viewflow process, then its audit chain head),
so two steps never wait for each other's locks.

A copy of the case is never refreshed in place with ``refresh_from_db()``:
django-fsm unprotects the state field on the model class for that, which
another thread may see. ``reread()`` fetches a new copy instead, and
``copy_into()`` brings the caller's copy up to date field by field.
"""

import copy
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from django.db import connection, models, transaction
from django.db.models import signals
from django_fsm import ConcurrentTransition, FSMFieldMixin

M = TypeVar("M", bound=models.Model)

# Set on a locked copy: the outermost atomic block (the transaction) it was locked in.
_LOCKED_IN = "_casework_locked_in"
_AS_READ = "_casework_as_read"


def _transaction_marker():
    return connection.atomic_blocks[0] if connection.in_atomic_block else None


def is_locked(instance: models.Model) -> bool:
    marker = _transaction_marker()
    return marker is not None and getattr(instance, _LOCKED_IN, None) is marker


_IMMUTABLE = (str, int, float, bool, type(None), datetime.date, datetime.time, Decimal, UUID)


def field_values(instance: models.Model) -> dict:
    # Copies of mutable values (a JSON field's list or dict): one changed in place must
    # still count as changed. The rest is immutable and kept as it is (deep copies of
    # every field cost a tenth of a take next).
    values = {}
    for f in instance._meta.concrete_fields:
        value = getattr(instance, f.attname)
        values[f.attname] = value if isinstance(value, _IMMUTABLE) else copy.deepcopy(value)
    return values


def reread(instance: M) -> M:
    """A new copy of ``instance`` as the database has it now (no lock)."""
    return type(instance)._base_manager.get(pk=instance.pk)


def lock(instance: M) -> M:
    """The row of ``instance`` locked for this transaction, freshly read.

    Must run inside ``transaction.atomic()``. A copy already locked in this
    transaction is returned as it is, with the changes its holder made to it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("lock() needs a transaction: use locked() or transaction.atomic()")
    if is_locked(instance):
        return instance
    return as_locked(type(instance)._base_manager.select_for_update().get(pk=instance.pk))


def as_locked(instance: M) -> M:
    """Mark ``instance`` as the locked copy: it was read by the statement that locked its
    row in this transaction (an UPDATE ... RETURNING, casework.core.claiming)."""
    if not connection.in_atomic_block:
        raise RuntimeError("as_locked() needs the transaction that holds the lock")
    setattr(instance, _LOCKED_IN, _transaction_marker())
    setattr(instance, _AS_READ, field_values(instance))
    return instance


def changed_fields(instance: models.Model) -> list[str]:
    """The fields of a locked copy that differ from what the lock read."""
    as_read = getattr(instance, _AS_READ, None)
    if as_read is None:
        raise RuntimeError("changed_fields() needs a copy returned by lock()")
    now = field_values(instance)
    return [
        instance._meta.get_field(attname).name
        for attname, value in now.items()
        if value != as_read[attname]
    ]


def save_changed(instance: models.Model, *also: str) -> list[str]:
    """Save only the fields changed since the lock (and ``also``); returns their names."""
    fields = changed_fields(instance)
    fields += [name for name in also if name not in fields]
    if not fields:
        return fields
    # auto_now fields are written only when named.
    fields += [
        f.name
        for f in instance._meta.concrete_fields
        if getattr(f, "auto_now", False) and f.name not in fields
    ]
    if _plain_update_fits(instance):
        _plain_update(instance, fields)
    else:
        instance.save(update_fields=fields)
    setattr(instance, _AS_READ, field_values(instance))
    return fields


def _plain_update_fits(instance: models.Model) -> bool:
    """Whether ``save(update_fields=...)`` would run nothing but its one UPDATE: no save()
    of the model's own beyond the case base's (which only numbers new cases), no
    inherited tables, and nobody listening to its saves."""
    from casework.core.models import CaseBase

    model = type(instance)
    return (
        isinstance(instance, CaseBase)
        and model.save is CaseBase.save
        and not model._meta.parents
        and not signals.pre_save.has_listeners(model)
        and not signals.post_save.has_listeners(model)
    )


def _plain_update(instance: models.Model, names: list[str]) -> None:
    """The UPDATE that ``save(update_fields=names)`` would send, built without the ORM (the
    steps of every case go through here, and building that query cost more than running
    it), with django-fsm's guard: the state fields as the lock read them."""
    meta, quote = instance._meta, connection.ops.quote_name
    sets, values = [], []
    for name in names:
        field: Any = meta.get_field(name)
        sets.append(f"{quote(field.column)} = %s")
        values.append(field.get_db_prep_save(field.pre_save(instance, add=False), connection))
    as_read = getattr(instance, _AS_READ)
    guards: list[Any] = [f for f in meta.concrete_fields if isinstance(f, FSMFieldMixin)]
    where = " AND ".join(f"{quote(str(f.column))} = %s" for f in [meta.pk, *guards])
    params = [*values, instance.pk, *(as_read[f.attname] for f in guards)]
    sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        updated = cursor.rowcount
    if not updated:
        raise ConcurrentTransition(
            f"{meta.label} {instance.pk}: its state changed since it was read (or it is gone)"
        )
    instance._update_initial_state()  # type: ignore[attr-defined]  # django-fsm's record


def copy_into(target: models.Model, source: models.Model) -> None:
    """Make ``target`` show what ``source`` holds, without refresh_from_db().

    Writes the instance's own ``__dict__`` (no class-wide switch), drops cached
    related objects whose key changed, and tells django-fsm the state it now has.
    """
    if target is source:
        return
    for f in target._meta.concrete_fields:
        value = source.__dict__.get(f.attname, getattr(source, f.attname))
        if f.is_relation and target.__dict__.get(f.attname) != value:
            target._state.fields_cache.pop(f.name, None)
        target.__dict__[f.attname] = value
    update_initial = getattr(target, "_update_initial_state", None)
    if update_initial is not None:
        update_initial()


@contextmanager
def locked(instance: M) -> Iterator[M]:
    """Run a block on the locked copy of ``instance`` in one transaction.

    On success the caller's ``instance`` is brought up to date with what was
    written, so code that goes on using it sees the new state.
    """
    if is_locked(instance):
        # Already this transaction's locked copy: the step belongs to the caller's
        # transaction, and a savepoint would cost two round trips for nothing to undo
        # apart (a failure here fails the caller's step).
        yield instance
        return
    with transaction.atomic():
        fresh = lock(instance)
        yield fresh
    copy_into(instance, fresh)
