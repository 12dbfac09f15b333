"""The worker's legal-aid referrals on the portal home (casework.core.portal): the
centre to go to and the referral letter to download. Shown only to a worker who has one."""

from django.contrib.contenttypes.models import ContentType

from casework.core import portal as registry
from casework.documents.access import party_documents
from casework.legalaid.access import referrals_of_worker
from casework.legalaid.models import LegalAidReferral


def home_context(user) -> dict | None:
    referrals = list(referrals_of_worker(user).select_related("centre")[:20])
    if not referrals:
        return None
    letters = party_documents(user).filter(
        subject_type=ContentType.objects.get_for_model(LegalAidReferral),
        subject_id__in=[r.pk for r in referrals],
    )
    newest = {}
    for doc in letters.order_by("version"):
        newest[doc.subject_id] = doc
    return {"legal_aid": [(r, newest.get(r.pk)) for r in referrals]}


registry.register(
    registry.PortalWorkflow(
        name="legalaid",
        home=registry.HomeSection("legalaid/_portal_home.html", home_context),
        order=90,
    )
)
