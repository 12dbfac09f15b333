"""The authentication backend: Django's ModelBackend, reading a user's permissions from
what the user holds (``roles.access_of``, cached until a group, permission or user
changes) instead of two queries on every request that checks one, and the signed-in
user's row by a statement built once.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections

from casework.core.roles import access_of


class PermissionBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        # A frozenset: the cached set itself, which no caller may change.
        return access_of(user_obj).permissions  # type: ignore[return-value]

    def get_user(self, user_id):
        """ModelBackend.get_user in plain SQL: on every request of a signed-in user the
        ORM's building of this one-row query cost twice its running."""
        model = get_user_model()
        meta, manager = model._meta, model._default_manager
        key = meta.pk.get_prep_value(meta.pk.to_python(user_id))
        quote = connections[manager.db].ops.quote_name
        sql = f"SELECT * FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
        user = next(iter(manager.raw(sql, [key])), None)
        return user if user is not None and self.user_can_authenticate(user) else None
