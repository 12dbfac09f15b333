"""``{{ value|figure:unit }}``: an indicator's value as the statistics pages show it."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from casework.reports.registry import Unit

register = template.Library()


@register.filter
def figure(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == Unit.PERCENT:
        return f"{Decimal(value):.1f}%"
    if unit == Unit.YUAN:
        return f"¥{Decimal(value):,.2f}"
    if unit == Unit.DAYS:
        return _("%(days)s days") % {"days": f"{Decimal(value):.1f}"}
    return f"{value:,}" if isinstance(value, int) else str(value)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key, [])
