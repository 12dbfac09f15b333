"""``{% case_notifications case %}``: the texts sent about a case, for its staff page."""

from django import template

from casework.notifications.services import notifications_of

register = template.Library()


@register.inclusion_tag("notifications/_list.html")
def case_notifications(case) -> dict:
    return {"notifications": notifications_of(case).order_by("created_at", "pk")}


@register.filter
def masked_mobile(number: str) -> str:
    """138****5678: enough to tell recipients apart on a staff page."""
    return f"{number[:3]}****{number[-4:]}" if len(number) == 11 else number
