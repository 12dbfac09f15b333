"""{% load formtokens %}{% form_token %} inside every form whose POST creates something.

Renders a fresh one-time token in a hidden input; the view checks it with
``@one_time_form`` (casework.core.formtokens).
"""

from django import template
from django.utils.html import format_html

from casework.core.formtokens import FIELD, mark_session, new_token

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context) -> str:
    request = context.get("request")
    if request is not None:
        mark_session(request)
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
