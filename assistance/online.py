"""The online application for hardship certification, made by the worker in the portal.

``case_apply_online`` records the application through ``services.case_apply`` (the
same rules as at the counter: an active rule set, one open case per person, checked
under a lock on the person's row) and stores the supporting documents with it, in
one transaction: a refused application keeps no case and no file. The documents
are stored like the disputes' evidence (casework.core.models.EvidenceFile) and are
opened only by the applicant (``document_for_applicant``) and by the case's staff
(assistance.views.uploads; disability and 低保 certificates only with the sensitive
permission).
"""

import datetime
from collections.abc import Iterable
from contextlib import ExitStack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance import services
from assistance.models import AssistanceCase, SupportingDocument
from casework.core.audit import Actor, record_event
from casework.core.models import Market
from casework.core.uploads import checked_content_type, removed_on_failure
from casework.parties.models import Person

DOCUMENTS_ADDED = "documents_added"


def open_case_of(person: Person) -> AssistanceCase | None:
    """The person's assistance case that is not over yet, if any."""
    return (
        person.assistance_cases.exclude(state__in=AssistanceCase.FINAL_STATES)
        .order_by("-applied_on", "-pk")
        .first()
    )


def case_apply_online(
    *,
    market: Market,
    person: Person,
    actor: Actor,
    facts: dict,
    sensitive: dict,
    documents: Iterable[tuple[str, object]],
    applied_on: datetime.date | None = None,
) -> AssistanceCase:
    """Record the worker's own application with its documents; it waits for its first review.

    ``documents``: (SupportingDocument.Kind, upload) pairs, checked again here. A second
    application while one is open is refused (ValidationError) by case_apply.
    """
    documents = list(documents)
    if len(documents) > settings.ASSISTANCE_UPLOAD_MAX_FILES:
        raise ValidationError(
            _("Attach at most %(n)s files in all.") % {"n": settings.ASSISTANCE_UPLOAD_MAX_FILES}
        )
    for kind, _upload in documents:
        if kind not in SupportingDocument.Kind.values:
            raise ValueError(f"unknown kind of supporting document: {kind!r}")
    # Every file stored in the block is deleted again when anything in it fails.
    with ExitStack() as stored, transaction.atomic():
        case = services.case_apply(
            market=market,
            person=person,
            actor=actor,
            applied_on=applied_on or timezone.localdate(),
            facts=facts,
            sensitive=sensitive,
        )
        for kind, upload in documents:
            item = SupportingDocument(case=case, kind=kind, uploaded_by=actor.user)  # type: ignore[misc]
            stored.enter_context(removed_on_failure(item))
            item.store(
                upload,
                content_type=checked_content_type(
                    upload, max_bytes=settings.ASSISTANCE_UPLOAD_MAX_BYTES
                ),
            )
        # The count only: the kinds and file names could tell of a disability or 低保.
        record_event(
            case,
            actor=actor,
            action=DOCUMENTS_ADDED,
            to_state=case.state,
            note=f"网上申请，附证明材料{len(documents)}份",
        )
    return case


def cases_of_applicant(user) -> QuerySet[AssistanceCase]:
    """The assistance cases of the person the portal user's login is linked to."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        return AssistanceCase.objects.none()
    return AssistanceCase.objects.filter(person=person)


def get_case_for_applicant(user, code: str) -> AssistanceCase:
    """The applicant's own case, or 404 for anyone else."""
    try:
        return cases_of_applicant(user).select_related("market", "rule_set").get(code=code)
    except AssistanceCase.DoesNotExist:
        raise Http404("No such case.") from None


def document_for_applicant(user, code: str, pk: int) -> SupportingDocument:
    case = get_case_for_applicant(user, code)
    try:
        return case.supporting_documents.get(pk=pk)
    except SupportingDocument.DoesNotExist:
        raise Http404("No such document.") from None
