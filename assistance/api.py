"""Hardship assistance in the HTTP API (docs/api.md): the applicant's cases and the
systems' records. The declared disability and 低保 details never leave the staff pages
(assistance.privacy), in the API as on the portal."""

from assistance.models import AssistanceCase
from assistance.online import cases_of_applicant
from casework.api import registry
from casework.documents.access import documents_of


def record(case: AssistanceCase) -> dict:
    return registry.plain(
        applied_on=case.applied_on,
        review_due=case.review_due,
        proposed_categories=list(case.proposed_categories),
        certified_on=case.certified_on,
        certification_expires=case.certification_expires,
        tier=case.tier,
        outcome=case.outcome,
        ended_at=case.ended_at,
    )


registry.register(
    registry.ApiWorkflow(
        name="assistance",
        model=AssistanceCase,
        party_cases=cases_of_applicant,
        documents=documents_of,
        record=record,
        parties=lambda case: [("applicant", case.person)],
        title=lambda case: str(case.code),
        related=("person",),
        order=40,
    )
)
