"""The legal-aid section of a case page (templates/legalaid/_case_section.html), so a
workflow's view passes nothing: the section reads the case and the request's user."""

from django import template
from django.contrib.contenttypes.models import ContentType

from casework.documents.access import documents_visible_to
from casework.legalaid.models import LegalAidReferral
from casework.legalaid.registry import source_of

register = template.Library()


@register.simple_tag(takes_context=True)
def legalaid_section(context, case) -> dict | None:
    try:
        source = source_of(case)
    except LookupError:
        return None
    user = context["request"].user
    referrals = list(LegalAidReferral.objects.for_subject(case).select_related("centre", "worker"))
    documents = documents_visible_to(user).filter(
        subject_type=ContentType.objects.get_for_model(LegalAidReferral),
        subject_id__in=[r.pk for r in referrals],
    )
    may_act = source.may_act(user)
    return {
        "workflow": source.slug,
        "referrals": referrals,
        "documents": documents.order_by("created_at", "pk") if referrals else [],
        "may_act": may_act,
        "may_refer": may_act and case.state in source.states and bool(source.workers(case)),
    }
