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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection, models, transaction

M = TypeVar("M", bound=models.Model)

# Set on a locked copy: the outermost atomic block (the transaction) it was locked in.
_LOCKED_IN = "_casework_locked_in"
_AS_READ = "_casework_as_read"


def _transaction_marker():
    return connection.atomic_blocks[0] if connection.in_atomic_block else None


def is_locked(instance: models.Model) -> bool:
    marker = _transaction_marker()
    return marker is not None and getattr(instance, _LOCKED_IN, None) is marker


def field_values(instance: models.Model) -> dict:
    # Deep copies: a JSON field changed in place must still count as changed.
    return {
        f.attname: copy.deepcopy(getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
    }


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
    fresh = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
    setattr(fresh, _LOCKED_IN, _transaction_marker())
    setattr(fresh, _AS_READ, field_values(fresh))
    return fresh


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
    instance.save(update_fields=fields)
    setattr(instance, _AS_READ, field_values(instance))
    return fields


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
    with transaction.atomic():
        fresh = lock(instance)
        yield fresh
    copy_into(instance, fresh)
