"""Which assistance cases a user may open: staff of the case's market with the view permission.

Workers do not see assistance cases in the portal yet; the sensitive facts have
their own, narrower rule in assistance.privacy.
"""

from django.db.models import QuerySet
from django.http import Http404

from assistance.models import AssistanceCase
from casework.core.models import markets_for

RELATED = ("market", "person", "rule_set", "owner", "proposed_by", "approved_by")


def cases_visible_to(user) -> QuerySet[AssistanceCase]:
    if not user.is_authenticated or not user.has_perm("assistance.view_assistancecase"):
        return AssistanceCase.objects.none()
    if user.is_superuser:
        return AssistanceCase.objects.all()
    return AssistanceCase.objects.filter(market__in=markets_for(user))


def get_case_for_user(user, code: str) -> AssistanceCase:
    """The case for a staff page, or 404 when it is outside the user's scope."""
    try:
        return cases_visible_to(user).select_related(*RELATED).get(code=code)
    except AssistanceCase.DoesNotExist:
        raise Http404("No such case.") from None
