"""The authentication backend: Django's ModelBackend, reading a user's permissions from
what the user holds (``roles.access_of``, cached until a group, permission or user
changes) instead of two queries on every request that checks one.
"""

from django.contrib.auth.backends import ModelBackend

from casework.core.roles import access_of


class PermissionBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        # A frozenset: the cached set itself, which no caller may change.
        return access_of(user_obj).permissions  # type: ignore[return-value]
