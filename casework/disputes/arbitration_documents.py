"""The arbitration hand-off packet (移送仲裁材料), issued when a dispute is handed to an
arbitration committee (casework/disputes/arbitration.py; docs/domain.md, "Wage disputes").

It carries what the committee needs to register the worker's application without asking
again: the case summary and why mediation ended, the parties with their full ID numbers
and credit code (the committee identifies the parties; 劳动争议调解仲裁法 Art. 28 asks the
application for them), the claims, the mediation record, extensions, the agreement and its
payments for an unperformed one, the evidence list and the limitation date.

It is for staff only (``for_parties=False``): it is a letter to another authority with
every party's full ID number, and the parties already have the termination notice or the
arbitration guidance, which tell them how to apply themselves.

Imported from DisputesConfig.ready(); the kind is issued by ``handoff_record()`` under the
hand-off's audit action, through the same registry as a transition's documents.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.disputes.arbitration import HANDOFF_STEP
from casework.disputes.documents import (
    SESSION_MODE_ZH,
    TERMINATION_REASON_ZH,
    case_details,
    instalment_rows,
    limitation_details,
)
from casework.disputes.models import ArbitrationHandoff, Dispute, Payment, Settlement
from casework.documents.formatting import staff_name, yuan, zh_date, zh_datetime
from casework.documents.registry import DocumentKind, on_transition, register

PACKET_KIND = "dispute_arbitration_packet"
# Notes longer than this are cut in the packet: the committee reads the summary, the
# full 调解笔录 are documents of their own.
NOTES_SUMMARY_CHARS = 300

S = Dispute.State
# The shared labels keyed by plain strings, as the stored fields hold them.
ENDING_ZH: dict[str, str] = {str(k): v for k, v in TERMINATION_REASON_ZH.items()}
MODE_ZH: dict[str, str] = {str(k): v for k, v in SESSION_MODE_ZH.items()}


def _ending(dispute: Dispute) -> str:
    """Why mediation ended, in the documents' words."""
    if dispute.state == S.TERMINATED:
        reason = ENDING_ZH.get(dispute.termination_reason, "")
        return f"调解终止：{reason}" if reason else "调解终止"
    return "双方达成调解协议并已生效，但被申请人未按协议约定履行"


def _summary(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= NOTES_SUMMARY_CHARS:
        return text
    return text[:NOTES_SUMMARY_CHARS] + "……"


def session_rows(dispute: Dispute) -> list[dict]:
    return [
        {
            "held_at": zh_datetime(s.held_at),
            "mode": MODE_ZH.get(s.mode, s.mode),
            "place": s.place,
            "attendees": s.attendees,
            "notes": _summary(s.notes),
        }
        for s in dispute.sessions.all()
    ]


def extension_rows(dispute: Dispute) -> list[dict]:
    return [
        {"previous_due": zh_date(e.previous_due), "new_due": zh_date(e.new_due), "how": e.note}
        for e in dispute.extensions.all()
    ]


def evidence_rows(dispute: Dispute) -> list[dict]:
    return [
        {
            "name": item.original_name,
            "description": item.description,
            "uploaded_on": zh_date(timezone.localdate(item.uploaded_at)),
        }
        for item in dispute.evidence.order_by("uploaded_at", "pk")
    ]


def settlement_details(dispute: Dispute) -> dict | None:
    """The agreed terms, the instalments and the payments of an agreement not performed."""
    settlement = Settlement.objects.filter(dispute=dispute).first()
    if settlement is None:
        return None
    instalments = list(settlement.instalments.all())
    paid = sum((i.paid for i in instalments), Decimal("0"))
    payments = Payment.objects.filter(instalment__settlement=settlement).select_related(
        "instalment"
    )
    return {
        "amount": yuan(settlement.amount),
        "terms": settlement.terms,
        "instalments": instalment_rows(settlement),
        "paid_total": yuan(paid),
        "outstanding": yuan(max(settlement.amount - paid, Decimal("0"))),
        "payments": [
            {"paid_on": zh_date(p.paid_on), "amount": yuan(p.amount), "seq": p.instalment.seq}
            for p in payments
        ],
    }


def packet_context(dispute: Dispute) -> dict:
    handoff = ArbitrationHandoff.objects.select_related("committee", "handed_off_by").get(
        dispute=dispute
    )
    committee = handoff.committee
    return {
        "case": case_details(dispute, full=True),
        "committee": {"name": committee.name, "address": committee.address},
        "handed_off_on": zh_date(timezone.localdate(handoff.handed_off_at)),
        "handed_off_by": staff_name(handoff.handed_off_by),
        "note": handoff.note,
        "ended_on": zh_date(timezone.localdate(dispute.ended_at)) if dispute.ended_at else "",
        "ending": _ending(dispute),
        "outcome_note": dispute.outcome_note,
        "sessions": session_rows(dispute),
        "extensions": extension_rows(dispute),
        "settlement": None if dispute.state == S.TERMINATED else settlement_details(dispute),
        "evidence": evidence_rows(dispute),
        "limitation": limitation_details(dispute),
        "issued_on": zh_date(timezone.localdate()),
    }


register(
    DocumentKind(
        slug=PACKET_KIND,
        title=_("Arbitration hand-off packet"),
        template="pdf/disputes/arbitration_packet.html",
        context=packet_context,
        for_parties=False,
    )
)
on_transition(Dispute, HANDOFF_STEP, PACKET_KIND)
