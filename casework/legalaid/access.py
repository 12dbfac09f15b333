"""Who sees which referrals: staff who may open the case a referral comes from (its
workflow's ``visible_to``: their markets, the case's view permission); the referred
worker sees the letter in the portal. Outside that scope a referral is a 404."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.http import Http404

from casework.legalaid.models import LegalAidReferral


def referrals_visible_to(user) -> QuerySet[LegalAidReferral]:
    from casework.legalaid.registry import sources

    if not user.is_authenticated:
        return LegalAidReferral.objects.none()
    scope = Q(pk__in=[])
    for source in sources():
        if not user.has_perm(source.view_permission):
            continue
        scope |= Q(
            subject_type=ContentType.objects.get_for_model(source.model),
            subject_id__in=source.visible_to(user).values("pk"),
        )
    return LegalAidReferral.objects.filter(scope)


def get_referral_for_user(user, pk: int) -> LegalAidReferral:
    try:
        return referrals_visible_to(user).select_related("centre", "worker", "market").get(pk=pk)
    except LegalAidReferral.DoesNotExist:
        raise Http404("No such referral.") from None


def referrals_of_worker(user) -> QuerySet[LegalAidReferral]:
    """The portal's scope: the referrals of the person linked to this login."""
    if not user.is_authenticated:
        return LegalAidReferral.objects.none()
    return LegalAidReferral.objects.filter(worker__user=user)


def register_document_scope() -> None:
    from casework.documents.access import register_scope

    # Every kind of letter names the case's view permission (registry.register), so the
    # market alone lets no one read a letter of a case they may not open.
    register_scope(
        LegalAidReferral,
        staff=lambda markets: LegalAidReferral.objects.filter(market__in=markets),
        party=referrals_of_worker,
    )
