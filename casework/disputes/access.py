"""Which disputes a user may open: staff of the dispute's market, or its parties."""

from django.db.models import QuerySet
from django.http import Http404

from casework.core.models import markets_for
from casework.disputes.models import Dispute


def disputes_visible_to(user) -> QuerySet[Dispute]:
    """Staff with the view permission see their markets' disputes; nobody else sees any."""
    if not user.is_authenticated or not user.has_perm("disputes.view_dispute"):
        return Dispute.objects.none()
    if user.is_superuser:
        return Dispute.objects.all()
    return Dispute.objects.filter(market__in=markets_for(user))


def get_dispute_for_user(user, code: str) -> Dispute:
    """The dispute for a staff page, or 404 when it is outside the user's scope."""
    try:
        return (
            disputes_visible_to(user)
            .select_related(
                "market", "owner", "mediation_body", "respondent_organization", "respondent_person"
            )
            .get(code=code)
        )
    except Dispute.DoesNotExist:
        raise Http404("No such dispute.") from None


def get_dispute_for_party(user, code: str) -> Dispute:
    """The dispute for a portal page: only a party to it may open it."""
    try:
        return Dispute.objects.for_party(user).get(code=code)
    except Dispute.DoesNotExist:
        raise Http404("No such dispute.") from None


def _register_document_scopes() -> None:
    from casework.disputes.models import Session
    from casework.documents.access import register_scope

    register_scope(
        Dispute,
        party=lambda user: Dispute.objects.for_party(user),
    )
    register_scope(
        Session,
        staff=lambda markets: Session.objects.filter(dispute__market__in=markets),
        party=lambda user: Session.objects.filter(dispute__in=Dispute.objects.for_party(user)),
        permission="disputes.view_dispute",
    )
