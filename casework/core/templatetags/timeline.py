"""How the case history names who did each step: a display name and the role's label,
never a login or an internal role name ("刘明（调解员）", "公众", "系统")."""

from django import template
from django.utils.translation import gettext as _

from casework.core.roles import Role

register = template.Library()


def _label(role: str) -> str:
    if role in Role.values:
        return str(Role(role).label)
    if role == "public":
        return _("member of the public")
    return _("the system")  # a scheduled job, a command (deadline sweeps, seed_demo)


@register.simple_tag
def actor_label(event) -> str:
    """``{% actor_label event %}``: the actor's name and roles, or what acted for nobody."""
    roles = [_label(role) for role in event.role.split(",") if role and role != "superuser"]
    if event.actor_id is None:  # nobody signed in: the public, or the system itself
        return roles[0] if roles else _("the system")
    name = event.actor_name or _("a former user")
    return f"{name}（{'、'.join(dict.fromkeys(roles))}）" if roles else name
