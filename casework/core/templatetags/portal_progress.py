"""{% load portal_progress %}{% progress_tracker case %}: the case's 办件进度 for its party.

The steps come from the case's workflow (casework.core.portal.progress_of); a case
whose workflow registers none shows nothing.
"""

from django import template

from casework.core import portal as registry

register = template.Library()


@register.inclusion_tag("portal/_progress.html")
def progress_tracker(case) -> dict:
    return {"progress": registry.progress_of(case)}
