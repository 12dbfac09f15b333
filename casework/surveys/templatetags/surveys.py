"""``{% case_survey case %}``: the survey invitations of a case and their answers, for its
staff page; the comments for the market's supervisors only."""

from django import template

from casework.surveys.access import comment_markets
from casework.surveys.services import invitations_of

register = template.Library()


@register.inclusion_tag("surveys/_case.html", takes_context=True)
def case_survey(context, case) -> dict:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    readable = comment_markets(user) if user is not None else set()
    return {
        "invitations": invitations_of(case).order_by("created_at", "pk"),
        "comments": case.market_id in readable,
    }
