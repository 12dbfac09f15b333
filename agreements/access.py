"""Which agreements a user may open: staff of the agreement's market, or its parties."""

from django.db.models import QuerySet
from django.http import Http404

from agreements.models import Agreement
from casework.core.models import markets_for

RELATED = (
    "market",
    "terms",
    "worker",
    "hiring_organization",
    "hiring_person",
    "hiring_signer",
    "intermediary",
    "owner",
)


def agreements_visible_to(user) -> QuerySet[Agreement]:
    """Staff with the view permission see their markets' agreements; nobody else sees any."""
    if not user.is_authenticated or not user.has_perm("agreements.view_agreement"):
        return Agreement.objects.none()
    if user.is_superuser:
        return Agreement.objects.all()
    return Agreement.objects.filter(market__in=markets_for(user))


def get_agreement_for_user(user, code: str) -> Agreement:
    """The agreement for a staff page, or 404 when it is outside the user's scope."""
    try:
        return agreements_visible_to(user).select_related(*RELATED).get(code=code)
    except Agreement.DoesNotExist:
        raise Http404("No such agreement.") from None


def get_agreement_for_party(user, code: str) -> Agreement:
    """The agreement for a portal page: only a party to it may open it."""
    try:
        return Agreement.objects.for_party(user).select_related(*RELATED).get(code=code)
    except Agreement.DoesNotExist:
        raise Http404("No such agreement.") from None


def _register_document_scopes() -> None:
    from casework.documents.access import register_scope

    register_scope(Agreement, party=lambda user: Agreement.objects.for_party(user))
