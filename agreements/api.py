"""Gig agreements in the HTTP API (docs/api.md): the parties' agreements and the
systems' records."""

from agreements.models import Agreement
from casework.api import registry
from casework.documents.access import documents_of


def party_cases(user):
    # Drafts are still being prepared at the counter, as on the portal home.
    return Agreement.objects.for_party(user).exclude(state=Agreement.State.DRAFT)


def record(agreement: Agreement) -> dict:
    return registry.plain(
        trade=agreement.trade,
        start_date=agreement.start_date,
        end_date=agreement.end_date,
        pay_rate=agreement.pay_rate,
        pay_unit=agreement.pay_unit,
        pay_total=agreement.pay_total,
        payment_date=agreement.payment_date,
        injury_cover=agreement.injury_cover,
        sent_at=agreement.sent_at,
        signed_at=agreement.signed_at,
        completed_at=agreement.completed_at,
        ended_at=agreement.ended_at,
        payment_status=agreement.payment_status,
    )


def parties(agreement: Agreement) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        ("worker", agreement.worker),
        ("hiring_party", agreement.hiring_party),
    ]
    if agreement.hiring_signer_id:
        rows.append(("hiring_signer", agreement.hiring_signer))
    return rows


registry.register(
    registry.ApiWorkflow(
        name="agreements",
        model=Agreement,
        party_cases=party_cases,
        documents=documents_of,
        record=record,
        parties=parties,
        title=lambda a: f"{a.code} {a.get_trade_display()}",
        related=("worker", "hiring_organization", "hiring_person", "hiring_signer"),
        order=10,
    )
)
