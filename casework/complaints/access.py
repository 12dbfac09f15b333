"""Which complaints a user may open.

Staff of the complaint's market with the view permission; the worker who made
it through the portal (not an anonymous one); the holder of a tracking code,
through the public tracking page only (casework.complaints.views.public).
"""

from django.db.models import QuerySet
from django.http import Http404

from casework.complaints.models import Complaint, Interview
from casework.core.models import markets_for

RELATED = ("market", "owner", "complainant", "respondent", "received_by", "decided_by")


def complaints_visible_to(user) -> QuerySet[Complaint]:
    if not user.is_authenticated or not user.has_perm("complaints.view_complaint"):
        return Complaint.objects.none()
    if user.is_superuser:
        return Complaint.objects.all()
    return Complaint.objects.filter(market__in=markets_for(user))


def get_complaint_for_user(user, code: str) -> Complaint:
    """The complaint for a staff page, or 404 when it is outside the user's scope."""
    try:
        return complaints_visible_to(user).select_related(*RELATED).get(code=code)
    except Complaint.DoesNotExist:
        raise Http404("No such complaint.") from None


def complaints_of_complainant(user) -> QuerySet[Complaint]:
    """The portal's rows: complaints the logged-in worker made under their name."""
    if not user.is_authenticated:
        return Complaint.objects.none()
    return Complaint.objects.filter(complainant__user=user, anonymous=False)


def get_complaint_for_complainant(user, code: str) -> Complaint:
    try:
        return complaints_of_complainant(user).select_related(*RELATED).get(code=code)
    except Complaint.DoesNotExist:
        raise Http404("No such complaint.") from None


def register_document_scopes() -> None:
    from casework.documents.access import register_scope

    register_scope(Complaint, party=complaints_of_complainant)
    register_scope(
        Interview,
        staff=lambda markets: Interview.objects.filter(complaint__market__in=markets),
        permission="complaints.view_complaint",
    )
