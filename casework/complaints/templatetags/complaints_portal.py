"""{% load complaints_portal %}{% my_complaints %}: the worker's complaints on the portal home.

A tag rather than a context entry so the portal's home view needs no knowledge
of complaints: the rows come from access.complaints_of_complainant().
"""

from django import template

from casework.complaints.access import complaints_of_complainant
from casework.complaints.views.portal import complainant_person

register = template.Library()


@register.inclusion_tag("portal/complaint_list.html", takes_context=True)
def my_complaints(context) -> dict:
    user = context["request"].user
    complaints = complaints_of_complainant(user).order_by("-received_at", "-pk")
    return {"complaints": list(complaints), "can_file": complainant_person(user) is not None}
