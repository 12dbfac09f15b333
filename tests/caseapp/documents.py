"""The one document of the sample workflow: an acceptance notice issued by "accept"."""

from casework.documents.registry import DocumentKind, on_transition, register
from tests.caseapp.models import SampleCase


def acceptance_notice_context(case: SampleCase) -> dict:
    return {"code": case.code, "market": case.market.name}


register(
    DocumentKind(
        slug="sample_acceptance_notice",
        title="受理通知书（测试）",
        template="pdf/caseapp/acceptance_notice.html",
        context=acceptance_notice_context,
    )
)
on_transition(SampleCase, "accept", "sample_acceptance_notice")
