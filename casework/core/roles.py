"""The roles of the system, the permissions each group gets, and what a user holds.

Groups are created by a data migration (core 0002) through sync_roles();
a workflow app that adds permissions extends ROLE_PERMISSIONS and calls
sync_roles() from its own data migration.

What a user holds (permissions, groups, markets: ``access_of``) is read on every staff
page, so it is kept in the cache, shared by the processes (Redis in production), until
something it is read from changes; see "What a user holds, cached" below.
"""

import contextlib
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEDIATOR = "mediator", _("Mediator")
    CASEWORKER = "caseworker", _("Caseworker")
    COMPLAINT_OFFICER = "complaint_officer", _("Complaint officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    AUDITOR = "auditor", _("Auditor")
    # A county's or city's office watching many markets' figures, never a case or a person.
    REGIONAL = "regional", _("Regional supervisor")
    WORKER = "worker", _("Worker")
    HIRING_PARTY = "hiring_party", _("Hiring party")


STAFF_ROLES = frozenset(
    {
        Role.MEDIATOR,
        Role.CASEWORKER,
        Role.COMPLAINT_OFFICER,
        Role.SUPERVISOR,
        Role.AUDITOR,
        Role.REGIONAL,
    }
)
PORTAL_ROLES = frozenset({Role.WORKER, Role.HIRING_PARTY})

_PARTY_WORK = [
    "parties.view_person",
    "parties.add_person",
    "parties.change_person",
    "parties.view_organization",
    "parties.add_organization",
    "parties.change_organization",
    "parties.view_realnamecheck",
    "parties.add_realnamecheck",
    "core.view_market",
    "documents.view_document",
]

# Counter work on gig agreements; the outbox shows development text messages (codes).
_AGREEMENT_WORK = [
    "agreements.view_agreement",
    "agreements.add_agreement",
    "agreements.change_agreement",
    "agreements.terminate_agreement",
    "core.view_smsmessage",
]

# Hardship assistance; disability and 低保 details need view_sensitive (assistance.privacy).
_ASSISTANCE_WORK = [
    "assistance.view_assistancecase",
    "assistance.add_assistancecase",
    "assistance.work_case",
    "assistance.view_sensitive",
    "assistance.view_post",
    "assistance.view_ruleset",
]

# Complaints against intermediaries; an officer also registers the intermediaries.
_COMPLAINT_WORK = [
    "complaints.view_complaint",
    "complaints.add_complaint",
    "complaints.work_complaint",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.MEDIATOR: [
        *_PARTY_WORK,
        "parties.view_full_personal_data",
        "disputes.view_dispute",
        "disputes.add_dispute",
        "disputes.accept_dispute",
        "disputes.mediate_dispute",
        "agreements.view_agreement",
    ],
    Role.CASEWORKER: [
        *_PARTY_WORK,
        *_AGREEMENT_WORK,
        *_ASSISTANCE_WORK,
        "parties.view_full_personal_data",
    ],
    Role.COMPLAINT_OFFICER: [*_PARTY_WORK, *_COMPLAINT_WORK],
    Role.SUPERVISOR: [
        *_PARTY_WORK,
        "parties.view_full_personal_data",
        "parties.override_credit_code",
        "disputes.view_dispute",
        "disputes.add_dispute",
        "disputes.accept_dispute",
        "disputes.reassign_dispute",
        *_AGREEMENT_WORK,
        "agreements.view_standardterms",
        "agreements.add_standardterms",
        "agreements.change_standardterms",
        *_ASSISTANCE_WORK,
        "assistance.approve_case",
        "assistance.add_post",
        "assistance.change_post",
        "assistance.add_ruleset",
        "assistance.change_ruleset",
        "assistance.view_retirementrule",
        "complaints.view_complaint",
        "complaints.approve_extension",
        "complaints.reassign_complaint",
        "assistance.change_retirementrule",
        "core.change_market",
        "core.view_caseevent",
        "core.view_accesslog",
        "core.view_holidayoverride",
        "core.add_holidayoverride",
        "core.change_holidayoverride",
        "core.delete_holidayoverride",
        "reports.view_statistics",
        "reports.view_target",
        "reports.change_target",
        "reports.add_target",
        "legalaid.view_legalaidreferral",
    ],
    Role.AUDITOR: [
        "core.view_market",
        "core.view_caseevent",
        "core.view_accesslog",
        "disputes.view_dispute",
        "agreements.view_agreement",
        "assistance.view_assistancecase",
        "assistance.view_post",
        "complaints.view_complaint",
        "parties.view_person",
        "parties.view_organization",
        "parties.view_realnamecheck",
        "documents.view_document",
        "reports.view_statistics",
        "reports.view_target",
        "legalaid.view_legalaidreferral",
    ],
    Role.REGIONAL: [
        "core.view_market",
        "reports.view_statistics",
        "reports.view_regional_statistics",
        "reports.view_target",
    ],
    Role.WORKER: [],
    Role.HIRING_PARTY: [],
}


def sync_roles(apps=None) -> None:
    """Create each role's group and give it exactly the listed permissions."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = []
        for name in names:
            app_label, codename = name.split(".")
            try:
                perms.append(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )
            except Permission.DoesNotExist:
                # An app or model migrated later grants its permissions from its own
                # migration; a misspelt permission of an existing model is still an error.
                if _exists_yet(apps, app_label, codename):
                    raise
        group.permissions.set(perms)


DEFAULT_ACTIONS = frozenset({"add", "change", "delete", "view"})


def _exists_yet(apps, app_label: str, codename: str) -> bool:
    """Whether the model behind a permission exists at this point of the migrations."""
    action, _sep, model_name = codename.partition("_")
    if action in DEFAULT_ACTIONS:
        try:
            apps.get_model(app_label, model_name)
            return True
        except LookupError:
            pass  # a custom permission such as view_full_personal_data, or a later model
    return _has_models(apps, app_label) and action not in DEFAULT_ACTIONS


def _has_models(apps, app_label: str) -> bool:
    try:
        return any(True for _model in apps.get_app_config(app_label).get_models())
    except LookupError:
        return False


def roles_of(user) -> list[str]:
    if not user.is_authenticated:
        return []
    names = access_of(user).groups
    return [role for role in Role.values if role in names]


def is_portal_user(user) -> bool:
    """An active login whose roles are all portal roles (worker, hiring party); never staff."""
    if not user.is_active or user.is_staff or user.is_superuser:
        return False
    roles = set(roles_of(user))
    return bool(roles) and roles <= PORTAL_ROLES


def staff_roles(user) -> list[str]:
    """The user's staff roles (all roles but the portal's); a superuser counts as staff."""
    roles = [role for role in roles_of(user) if role in STAFF_ROLES]
    return roles or (["superuser"] if user.is_authenticated and user.is_superuser else [])


# -- what a user holds, cached -----------------------------------------------------------
#
# Every staff page checks permissions, shows the menu of the user's roles and scopes its
# cases to the user's markets: three queries a request, and a tenth of a page's time.
# They are read once and kept under a generation token. Any change to a row they are
# read from (WATCHED_MODELS, WATCHED_LINKS) replaces the token, at once and again when
# its transaction commits (a reader in between may have read the rows from before), and
# an entry of another generation is read again. Entries also expire after
# ACCESS_SECONDS, the bound for a change made past the ORM (raw SQL, a restore).

ACCESS_SECONDS = 600
GENERATION_KEY = "staff-access:generation"
# Rows what a user holds is read from, as "app_label.ModelName".
WATCHED_MODELS = ("auth.User", "auth.Group", "auth.Permission", "core.Market", "core.StaffProfile")
# Their many-to-many links: groups and permissions of a user, permissions of a group,
# markets of a staff profile, supervisors of a market.
WATCHED_LINKS = (
    "auth.User_groups",
    "auth.User_user_permissions",
    "auth.Group_permissions",
    "core.StaffProfile_markets",
    "core.Market_supervisors",
)

T = TypeVar("T")

# Changes seen by this process: a user object read before one (in the same request or
# test) reads its access again.
_changes = 0


@dataclass(frozen=True)
class Access:
    """What a staff page needs to know of its user."""

    permissions: frozenset[str]  # "app_label.codename", from the user and their groups
    groups: frozenset[str]
    markets: tuple[tuple[int, str], ...]  # markets_for(user) as (id, name), by name


NOBODY = Access(frozenset(), frozenset(), ())


def access_of(user) -> Access:
    """The user's permissions, groups and markets (none for an anonymous user)."""
    if not user.is_authenticated:
        return NOBODY
    memo = getattr(user, "_access", None)
    if memo is not None and memo[0] == _changes:
        return memo[1]
    # The flags are in the key: the user's row, read on every request, may have changed
    # them without a signal (a queryset update).
    key = f"staff-access:{user.pk}:{int(user.is_superuser)}"
    access = cached(key, lambda: _read_access(user))
    user._access = (_changes, access)
    return access


def _read_access(user) -> Access:
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    from casework.core.models import markets_for

    granted = Permission.objects.all()
    if not user.is_superuser:
        granted = granted.filter(Q(user=user) | Q(group__user=user))
    pairs = granted.order_by().values_list("content_type__app_label", "codename").distinct()
    return Access(
        permissions=frozenset(f"{app}.{codename}" for app, codename in pairs),
        groups=frozenset(user.groups.values_list("name", flat=True)),
        markets=tuple(markets_for(user).order_by("name").values_list("pk", "name")),
    )


def cached(key: str, read: Callable[[], T]) -> T:
    """``read()``, kept in the cache under ``key`` until a watched row changes.

    For anything read from the watched rows only (users, groups, permissions, markets,
    staff profiles). Without a cache (an outage) it is read every time.
    """
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        entry = found.get(key)
        if generation is not None and entry is not None and entry[0] == generation:
            return entry[1]
        if generation is None:
            # Before reading: a change after this point makes the entry stale at once.
            cache.add(GENERATION_KEY, secrets.token_hex(8), None)
            generation = cache.get(GENERATION_KEY)
    except Exception:  # a cache outage must not stop the pages: read from the database
        return read()
    value = read()
    if _uncommitted_change():
        return value  # read from rows a rollback may still undo: not for other requests
    with contextlib.suppress(Exception):  # a cache outage: the next request reads again
        cache.set(key, (generation, value), ACCESS_SECONDS)
    return value


def _uncommitted_change() -> bool:
    """Whether this connection's open transaction changed a watched row.

    Its on-commit callbacks say so: a rollback drops them, a commit runs them.
    """
    pending = transaction.get_connection().run_on_commit
    return any(func is _committed for _savepoints, func, _robust in pending)


def cache_key(*parts: Any) -> str:
    """A short cache key for ``cached()`` from long parts (a hundred market ids)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"staff-access:{digest}"


def forget_access() -> None:
    """Have every user's access (and every holder list) read again.

    Changes through the ORM call it by themselves; call it after one made past it (a
    restore, raw SQL) rather than wait ACCESS_SECONDS.
    """
    # A cache outage must not stop the save; entries expire after ACCESS_SECONDS.
    with contextlib.suppress(Exception):
        cache.set(GENERATION_KEY, secrets.token_hex(8), None)


def _committed() -> None:
    forget_access()


def _changed(**kwargs: Any) -> None:
    global _changes
    _changes += 1
    forget_access()
    transaction.on_commit(_committed, using=kwargs.get("using"))


def _saved(sender, update_fields=None, **kwargs: Any) -> None:
    # A login writes last_login and nothing a user holds.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    _changed(**kwargs)


def _linked(sender, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(**kwargs)


for _model in WATCHED_MODELS:
    post_save.connect(_saved, sender=_model, dispatch_uid=f"staff-access-saved-{_model}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"staff-access-deleted-{_model}")
for _link in WATCHED_LINKS:
    m2m_changed.connect(_linked, sender=_link, dispatch_uid=f"staff-access-linked-{_link}")
# Migrations (sync_roles) change groups through historical models, which send no signal
# to these receivers; flush empties the tables.
post_migrate.connect(_changed, dispatch_uid="staff-access-migrated")
