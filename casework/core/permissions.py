"""The authentication backend: Django's ModelBackend, reading a user's permissions in one
query instead of two.

ModelBackend reads a user's own permissions and those of their groups in two queries on
every request that checks one; the queue pages keep to a fixed query budget (``bench
queue``), so the two are read together.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class PermissionBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            granted = Permission.objects.all()
            if not user_obj.is_superuser:
                granted = granted.filter(Q(user=user_obj) | Q(group__user=user_obj))
            pairs = granted.order_by().values_list("content_type__app_label", "codename")
            user_obj._perm_cache = {f"{app}.{codename}" for app, codename in pairs.distinct()}
        return user_obj._perm_cache
