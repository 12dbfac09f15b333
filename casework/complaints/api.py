"""Complaints in the HTTP API (docs/api.md): the complainant's cases and the systems'
records. An anonymous complaint names nobody, in the API as on the pages."""

from casework.api import registry
from casework.complaints.access import complaints_of_complainant
from casework.complaints.models import Complaint
from casework.documents.access import documents_of


def record(complaint: Complaint) -> dict:
    return registry.plain(
        channel=complaint.channel,
        received_at=complaint.received_at,
        anonymous=complaint.anonymous,
        categories=list(complaint.categories),
        conduct_on=complaint.conduct_on,
        deposit_amount=complaint.deposit_amount,
        acceptance_due=complaint.acceptance_due,
        accepted_at=complaint.accepted_at,
        investigation_due=complaint.investigation_due,
        outcome=complaint.outcome,
        penalty_amount=complaint.penalty_amount,
        decided_at=complaint.decided_at,
        closed_at=complaint.closed_at,
    )


def parties(complaint: Complaint) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    if complaint.complainant_id and not complaint.anonymous:
        rows.append(("complainant", complaint.complainant))
    if complaint.respondent_id:
        rows.append(("respondent", complaint.respondent))
    return rows


registry.register(
    registry.ApiWorkflow(
        name="complaints",
        model=Complaint,
        party_cases=complaints_of_complainant,
        documents=documents_of,
        record=record,
        parties=parties,
        title=lambda c: f"{c.code} {c.respondent_name_given}",
        related=("complainant", "respondent"),
        order=30,
    )
)
