"""Disputes in the HTTP API (docs/api.md): the parties' cases and the systems' records."""

from casework.api import registry
from casework.disputes.models import Dispute
from casework.documents.access import documents_of


def party_cases(user):
    return Dispute.objects.for_party(user)


def documents(user, dispute: Dispute):
    return documents_of(user, dispute, list(dispute.sessions.all()))


def record(dispute: Dispute) -> dict:
    return registry.plain(
        channel=dispute.channel,
        received_at=dispute.received_at,
        mediation_body=dispute.mediation_body.name if dispute.mediation_body_id else None,
        claim_types=dispute.claim_types.split(",") if dispute.claim_types else [],
        total_claimed=dispute.total_claimed,
        mediation_due=dispute.mediation_due,
        due_date=dispute.due_date,
        accepted_at=dispute.accepted_at,
        mediation_started_at=dispute.mediation_started_at,
        ended_at=dispute.ended_at,
        termination_reason=dispute.termination_reason,
        referral=dispute.referral,
        source_agreement=dispute.source_agreement_code,
    )


def parties(dispute: Dispute) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [("applicant", p) for p in dispute.applicants.all()]
    return [*rows, ("respondent", dispute.respondent)]


registry.register(
    registry.ApiWorkflow(
        name="disputes",
        model=Dispute,
        party_cases=party_cases,
        documents=documents,
        record=record,
        parties=parties,
        title=lambda d: f"{d.code} {d.respondent.name}",
        related=("mediation_body", "respondent_organization", "respondent_person"),
        prefetch=("applicants",),
        order=20,
    )
)
