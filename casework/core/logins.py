"""The demo logins: one password for all, made or refreshed by ``demo_login()``.

``manage.py seed_demo`` makes the staff logins and the admin; the parties layer
(casework/parties/seed.py) makes the portal people's. The command prints every
login made in this process (``demo_logins()``).
"""

from django.contrib.auth.models import Group, User

DEMO_PASSWORD = "demo12345"  # noqa: S105  (printed for the demo on purpose)

_MADE: dict[str, str] = {}  # username -> what it is (a role's label, "superuser")


def demo_login(username: str, role: str | None, name: str, *, label: str = "") -> User:
    """The login ``username`` with the demo password, the full ``name`` and ``role``'s group."""
    user, _created = User.objects.get_or_create(username=username)
    # Chinese names have no first/last split to display: keep the whole name in one field.
    user.first_name, user.last_name = name, ""
    user.set_password(DEMO_PASSWORD)
    user.save()
    if role:
        user.groups.add(Group.objects.get(name=role))
    _MADE[username] = label
    return user


def demo_logins() -> list[tuple[str, str]]:
    """(username, label) of every demo login made in this process, in the order made."""
    return list(_MADE.items())
