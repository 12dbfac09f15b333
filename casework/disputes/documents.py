"""The documents of the wage-dispute workflow
(docs/domain.md, "Wage disputes"; docs/workflows.md, "Documents").

Each context function returns the snapshot its PDF shows: dates, times and
amounts already written the Chinese way, and Chinese labels for every choice,
because an issued document reads the same whoever pressed the button.

ID numbers are masked (casework.parties.identifiers.mask_id) in notices and
records; the mediation agreement and the 支付令 application carry the full
numbers, because the agreement binds the named parties and a court needs
their full identity. The documents of the steps around mediation (申请登记回执,
撤回申请确认书, 延长调解期限确认书, 结案通知书) are notices too: masked, since none
binds a party or goes to a court, and the parties have the full numbers anyway.

Every dispute document is for its parties as well as for staff (the portal lists
them on the party's case page): each is addressed to them or, like the 调解笔录,
records what they said.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.calendar import add_working_days, unknown_years
from casework.disputes.models import (
    MEDIATION_DAYS,
    ClaimType,
    Dispute,
    Payment,
    Session,
    Settlement,
)
from casework.documents.formatting import SEX_ZH, rmb_upper, staff_name, yuan, zh_date, zh_datetime
from casework.documents.models import Document
from casework.documents.registry import DocumentKind, on_transition, register
from casework.parties.identifiers import mask_id, mask_phone
from casework.parties.models import Organization, Person

# -- Chinese labels (the documents' own terms, whatever the UI language) ----------

CLAIM_TYPE_ZH = {
    ClaimType.UNPAID_WAGES: "拖欠劳动报酬",
    ClaimType.INJURY_MEDICAL: "工伤医疗费",
    ClaimType.SEVERANCE: "经济补偿",
    ClaimType.DAMAGES: "赔偿金",
    ClaimType.OTHER: "其他",
}

# 劳动争议调解仲裁法 Art. 10: the three kinds of mediation body.
MEDIATION_BODY_TYPE_ZH = {
    Organization.MediationBodyType.ENTERPRISE: "企业劳动争议调解委员会",
    Organization.MediationBodyType.PEOPLES: "依法设立的基层人民调解组织",
    Organization.MediationBodyType.TOWNSHIP: "在乡镇、街道设立的具有劳动争议调解职能的组织",
}

CHANNEL_ZH = {
    "written": "书面申请",
    "oral": "口头申请",
    "online": "网上申请",
    "agreement": "依零工服务协议提出申请",
}

METHOD_ZH = {
    Settlement.Method.BANK_TRANSFER: "银行转账",
    Settlement.Method.CASH: "在调解组织现场以现金支付",
    Settlement.Method.MOBILE: "移动支付",
}

TERMINATION_REASON_ZH = {
    Dispute.TerminationReason.NO_AGREEMENT: "经调解，双方当事人未能达成调解协议",
    Dispute.TerminationReason.PARTY_REFUSED: "一方当事人拒绝继续调解",
    Dispute.TerminationReason.DEADLINE_PASSED: (
        "自本调解组织收到调解申请之日起十五日内未达成调解协议，且双方当事人未一致同意延长调解期限"
    ),
}

SESSION_MODE_ZH = {
    Session.Mode.IN_PERSON: "现场调解",
    Session.Mode.ONLINE: "线上调解",
}

# The four marks that make a 调解协议书 effective (Art. 14), in the order they are signed.
MARKS_ZH = (
    ("applicant_signed_at", "申请人签名"),
    ("respondent_signed_at", "被申请人签名或盖章"),
    ("mediator_signed_at", "调解员签名"),
    ("body_sealed_at", "调解组织加盖印章"),
)

AGREEMENT_KIND = "dispute_agreement"
RECEIPT_KIND = "dispute_registration_receipt"
EXTENSION_KIND = "dispute_extension_confirmation"
# The steps outside the transitions that issue documents (their audit actions).
FILED_STEP = "filed"
EXTENDED_STEP = "extended"


# -- the parts every document shares ------------------------------------------------


def person_details(person: Person, *, full: bool) -> dict:
    """A natural person; ``full`` prints the whole ID and mobile numbers."""
    return {
        "kind": "person",
        "name": person.name,
        "sex": SEX_ZH.get(person.sex, ""),
        "birth_date": zh_date(person.birth_date),
        "id_number": person.id_number if full else mask_id(person.id_number),
        "mobile": person.mobile if full else mask_phone(person.mobile),
        "address": person.address,
    }


def organization_details(org: Organization) -> dict:
    return {
        "kind": "organization",
        "name": org.name,
        "credit_code": org.credit_code,  # a registered organisation's code is public
        "address": org.address,
        "phone": org.phone,
        "representatives": [p.name for p in org.representatives.all()],
    }


def respondent_details(dispute: Dispute, *, full: bool) -> dict:
    if dispute.respondent_organization_id:
        return organization_details(dispute.respondent_organization)
    return person_details(dispute.respondent_person, full=full)


def mediation_body_details(dispute: Dispute) -> dict:
    body = dispute.mediation_body
    return {
        "name": body.name,
        "type": MEDIATION_BODY_TYPE_ZH.get(body.mediation_body_type, ""),
        "address": body.address or dispute.market.address,
        "phone": body.phone,
    }


def market_details(dispute: Dispute) -> dict:
    market = dispute.market
    return {"name": market.name, "hotline": market.hotline, "address": market.address}


def claim_details(dispute: Dispute) -> list[dict]:
    claims = []
    for item in dispute.claims.all():
        period = ""
        if item.period_start or item.period_end:
            period = f"{zh_date(item.period_start)}至{zh_date(item.period_end)}"
        claims.append(
            {
                "type": CLAIM_TYPE_ZH.get(item.claim_type, item.claim_type),
                "amount": yuan(item.amount),
                "period": period,
                "description": item.description,
            }
        )
    return claims


def limitation_details(dispute: Dispute) -> dict:
    """The arbitration limitation (Art. 27) as the notices state it.

    ``date`` is the computed last day, or "" when none applies: ``wages_no_limit``
    says it is because unpaid wages are claimed while employment lasts; otherwise
    the dates the period runs from are not recorded, and the general rule is shown.
    """
    last_day = dispute.limitation_date()
    wages = ClaimType.UNPAID_WAGES in dispute.claim_type_set
    return {
        "date": zh_date(last_day),
        "provisional": bool(last_day and unknown_years(last_day, last_day)),
        "wages_no_limit": last_day is None and wages and dispute.employment_ended_on is None,
    }


def case_details(dispute: Dispute, *, full: bool) -> dict:
    """What every dispute document names: the case, the parties, the matter, the body."""
    return {
        "code": dispute.code,
        "applicants": [person_details(p, full=full) for p in dispute.applicants.all()],
        "respondent": respondent_details(dispute, full=full),
        "matter": dispute.matter,
        "reasons": dispute.reasons,
        "claims": claim_details(dispute),
        "total_claimed": yuan(dispute.total_claimed),
        "channel": CHANNEL_ZH.get(dispute.channel, dispute.channel),
        "received_at": zh_datetime(dispute.received_at),
        "received_on": zh_date(timezone.localdate(dispute.received_at)),
        "accepted_on": zh_date(timezone.localdate(dispute.accepted_at))
        if dispute.accepted_at
        else "",
        "body": mediation_body_details(dispute),
        "market": market_details(dispute),
        "mediator": staff_name(dispute.owner),
        "payment_order_possible": dispute.payment_order_possible,
    }


def instalment_rows(settlement: Settlement, *, today: datetime.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    return [
        {
            "seq": i.seq,
            "due_date": zh_date(i.due_date),
            "amount": yuan(i.amount),
            "paid": yuan(i.paid),
            "outstanding": yuan(i.outstanding),
            "overdue": i.due_date < today and i.outstanding > 0,
        }
        for i in settlement.instalments.all()
    ]


def _settlement(dispute: Dispute) -> Settlement:
    # Read afresh: payments update the instalments with F() expressions.
    return Settlement.objects.select_related("mediator").get(dispute=dispute)


# -- the context of each document ---------------------------------------------------


def acceptance_notice_context(dispute: Dispute) -> dict:
    return {
        "case": case_details(dispute, full=False),
        "due_date": zh_date(dispute.due_date),
        "issued_on": zh_date(timezone.localdate()),
    }


def refusal_notice_context(dispute: Dispute) -> dict:
    return {
        "case": case_details(dispute, full=False),
        "reason": dispute.decision_reason,
        "limitation": limitation_details(dispute),
        "issued_on": zh_date(timezone.localdate()),
    }


def session_record_context(session: Session) -> dict:
    dispute = session.dispute
    return {
        "case": case_details(dispute, full=False),
        "held_at": zh_datetime(session.held_at),
        "mode": SESSION_MODE_ZH.get(session.mode, session.mode),
        "place": session.place,
        "attendees": session.attendees,
        "signers": split_attendees(session.attendees),
        "notes": session.notes,
        "recorder": staff_name(session.recorded_by),
        "issued_on": zh_date(timezone.localdate()),
    }


def split_attendees(text: str) -> list[str]:
    """One signature line per attendee named on a line or in a list (、，,；;)."""
    for separator in "、，,；;":
        text = text.replace(separator, "\n")
    return [name.strip() for name in text.splitlines() if name.strip()]


def agreement_context(dispute: Dispute) -> dict:
    """The 调解协议书: full identity of the parties, the agreed terms and the four marks."""
    settlement = _settlement(dispute)
    instalments = instalment_rows(settlement)
    last_due = settlement.instalments.order_by("-due_date").values_list("due_date", flat=True)
    marks = [
        {"label": label, "at": zh_datetime(getattr(settlement, field))} for field, label in MARKS_ZH
    ]
    moments = [getattr(settlement, field) for field, _label in MARKS_ZH]
    complete = all(moments)
    return {
        "case": case_details(dispute, full=True),
        "amount": yuan(settlement.amount),
        "amount_upper": rmb_upper(settlement.amount),
        "method": METHOD_ZH.get(settlement.method, settlement.method),
        "terms": settlement.terms,
        "instalments": instalments,
        "performance_due": zh_date(last_due.first()),
        "mediator": staff_name(settlement.mediator) or staff_name(dispute.owner),
        "marks": marks,
        "effective_at": zh_datetime(max(moments)) if complete else "",
        "issued_on": zh_date(timezone.localdate()),
    }


def latest_agreement(dispute: Dispute) -> Document | None:
    """The effective 调解协议书 the referral relies on: its newest version, ready or on its way."""
    return (
        Document.objects.for_subject(dispute)
        .filter(kind=AGREEMENT_KIND, status__in=[Document.Status.READY, *Document.IN_PROGRESS])
        .order_by("-version")
        .first()
    )


def _agreement_reference(dispute: Dispute) -> dict:
    doc = latest_agreement(dispute)
    if doc is None:
        return {"verification_code": "", "code_display": "", "version": None}
    code = doc.verification_code
    return {
        "verification_code": code,
        "code_display": "-".join(code[i : i + 4] for i in range(0, len(code), 4)),
        "version": doc.version,
    }


def _unpaid(dispute: Dispute) -> dict:
    """What the respondent still owes under the agreement, instalment by instalment."""
    settlement = _settlement(dispute)
    today = timezone.localdate()
    instalments = list(settlement.instalments.all())
    open_items = [i for i in instalments if i.outstanding > 0]
    outstanding = sum((i.outstanding for i in open_items), Decimal("0"))
    overdue = sum((i.outstanding for i in open_items if i.due_date < today), Decimal("0"))
    open_seqs = {i.seq for i in open_items}
    payments = Payment.objects.filter(instalment__settlement=settlement).select_related(
        "instalment"
    )
    moments = [getattr(settlement, field) for field, _label in MARKS_ZH]
    return {
        "agreed_amount": yuan(settlement.amount),
        "paid_total": yuan(sum((i.paid for i in instalments), Decimal("0"))),
        "outstanding_instalments": [
            row for row in instalment_rows(settlement, today=today) if row["seq"] in open_seqs
        ],
        "outstanding": yuan(outstanding),
        "outstanding_upper": rmb_upper(outstanding),
        "overdue": yuan(overdue),
        "not_yet_due": outstanding != overdue,
        "payments": [
            {"paid_on": zh_date(p.paid_on), "amount": yuan(p.amount), "seq": p.instalment.seq}
            for p in payments
        ],
        "method": METHOD_ZH.get(settlement.method, settlement.method),
        "effective_at": zh_datetime(max(moments)) if all(moments) else "",
    }


def payment_order_packet_context(dispute: Dispute) -> dict:
    return {
        "case": case_details(dispute, full=True),
        "agreement": _agreement_reference(dispute),
        "unpaid": _unpaid(dispute),
        "issued_on": zh_date(timezone.localdate()),
    }


def arbitration_guidance_context(dispute: Dispute) -> dict:
    return {
        "case": case_details(dispute, full=False),
        "agreement": _agreement_reference(dispute),
        "unpaid": _unpaid(dispute),
        "limitation": limitation_details(dispute),
        "issued_on": zh_date(timezone.localdate()),
    }


def termination_notice_context(dispute: Dispute) -> dict:
    return {
        "case": case_details(dispute, full=False),
        "reason": TERMINATION_REASON_ZH.get(dispute.termination_reason, ""),
        "outcome": dispute.outcome_note,
        "ended_on": zh_date(timezone.localdate(dispute.ended_at)) if dispute.ended_at else "",
        "limitation": limitation_details(dispute),
        "issued_on": zh_date(timezone.localdate()),
    }


# -- the documents of the steps outside the mediation itself ---------------------------
# 申请登记回执 (intake), 撤回申请确认书 (withdraw), 延长调解期限确认书 (each extension)
# and 结案通知书 (close): docs/domain.md, "Wage disputes", "A document at every step".


def acceptance_decision_due(dispute: Dispute) -> datetime.date:
    """The day by which the body decides on acceptance (企业劳动争议协商调解规定,
    *[unconfirmed]*: DISPUTE_ACCEPTANCE_WORKING_DAYS working days from receipt)."""
    received_on = timezone.localdate(dispute.received_at)
    return add_working_days(received_on, settings.DISPUTE_ACCEPTANCE_WORKING_DAYS)


def portal_address(dispute: Dispute) -> str:
    """The portal page where a registered party follows the case (办件进度)."""
    return settings.PUBLIC_BASE_URL + reverse("portal:dispute", args=[dispute.code])


def registration_receipt_context(dispute: Dispute) -> dict:
    return {
        "case": case_details(dispute, full=False),
        "source_agreement": dispute.source_agreement_code,
        "mediation_days": MEDIATION_DAYS,
        "mediation_due": zh_date(dispute.mediation_due),
        "acceptance_days": settings.DISPUTE_ACCEPTANCE_WORKING_DAYS,
        "acceptance_due": zh_date(acceptance_decision_due(dispute)),
        "portal_url": portal_address(dispute),
        "issued_on": zh_date(timezone.localdate()),
    }


def withdrawal_confirmation_context(dispute: Dispute) -> dict:
    return {
        "case": case_details(dispute, full=False),
        "reason": dispute.withdrawal_reason,
        "withdrawn_on": zh_date(timezone.localdate(dispute.ended_at)) if dispute.ended_at else "",
        "limitation": limitation_details(dispute),
        "issued_on": zh_date(timezone.localdate()),
    }


def extension_confirmation_context(dispute: Dispute) -> dict:
    """The newest extension: each one issues its own version of the confirmation."""
    extension = dispute.extensions.select_related("recorded_by").order_by("-pk").first()
    if extension is None:
        raise ValueError(f"{dispute.code} has no extension to confirm")
    return {
        "case": case_details(dispute, full=False),
        "seq": dispute.extensions.filter(pk__lte=extension.pk).count(),
        "previous_due": zh_date(extension.previous_due),
        "new_due": zh_date(extension.new_due),
        "mediation_due": zh_date(dispute.mediation_due),
        "how_agreed": extension.note,
        "recorded_at": zh_datetime(extension.recorded_at),
        "recorded_by": staff_name(extension.recorded_by),
        "mediation_days": MEDIATION_DAYS,
        "issued_on": zh_date(timezone.localdate()),
    }


REFERRAL_ZH: dict[str, str] = {
    Dispute.Referral.PAYMENT_ORDER: "申请支付令",
    Dispute.Referral.ARBITRATION: "申请劳动争议仲裁",
}


def _step_day(dispute: Dispute, *actions: str) -> str:
    """The local day of the dispute's latest audit event among ``actions``."""
    event = dispute.events.filter(action__in=actions).order_by("-seq").first()
    return zh_date(timezone.localdate(event.at)) if event else ""


def _performance(dispute: Dispute) -> dict:
    """What was agreed and paid, for a closing notice."""
    if not hasattr(dispute, "settlement"):
        return {}
    payments = Payment.objects.filter(instalment__settlement=dispute.settlement)
    paid = payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    last_paid = payments.order_by("-paid_on").values_list("paid_on", flat=True).first()
    return {**_unpaid(dispute), "paid_upper": rmb_upper(paid), "performed_on": zh_date(last_paid)}


def closing_notice_context(dispute: Dispute) -> dict:
    """How the dispute ended: performed in full, or referred (支付令 / arbitration)."""
    ending = dispute.referral or ("performed" if dispute.all_paid() else "")
    return {
        "case": case_details(dispute, full=False),
        "ending": ending,
        "referral": REFERRAL_ZH.get(dispute.referral, ""),
        "referred_on": _step_day(dispute, "refer_payment_order", "refer_arbitration"),
        "defaulted_on": _step_day(dispute, "mark_defaulted"),
        "performance": _performance(dispute),
        "agreement": _agreement_reference(dispute),
        "limitation": limitation_details(dispute),
        "closed_on": zh_date(timezone.localdate()),
        "issued_on": zh_date(timezone.localdate()),
    }


# -- registration -------------------------------------------------------------------

KINDS = [
    DocumentKind(
        slug="dispute_acceptance_notice",
        title=_("Mediation acceptance notice"),
        template="pdf/disputes/acceptance_notice.html",
        context=acceptance_notice_context,
    ),
    DocumentKind(
        slug="dispute_refusal_notice",
        title=_("Notice of non-acceptance of a mediation application"),
        template="pdf/disputes/refusal_notice.html",
        context=refusal_notice_context,
    ),
    DocumentKind(
        slug="dispute_session_record",
        title=_("Mediation session record"),
        template="pdf/disputes/session_record.html",
        context=session_record_context,
    ),
    DocumentKind(
        slug="dispute_agreement_draft",
        title=_("Mediation agreement (draft)"),
        template="pdf/disputes/agreement_draft.html",
        context=agreement_context,
        seal=False,
    ),
    DocumentKind(
        slug=AGREEMENT_KIND,
        title=_("Mediation agreement"),
        template="pdf/disputes/agreement.html",
        context=agreement_context,
        seal=True,
    ),
    DocumentKind(
        slug="dispute_termination_notice",
        title=_("Notice of termination of mediation"),
        template="pdf/disputes/termination_notice.html",
        context=termination_notice_context,
    ),
    DocumentKind(
        slug="dispute_payment_order_packet",
        title=_("Payment order application packet"),
        template="pdf/disputes/payment_order_packet.html",
        context=payment_order_packet_context,
    ),
    DocumentKind(
        slug="dispute_arbitration_guidance",
        title=_("Arbitration application guidance"),
        template="pdf/disputes/arbitration_guidance.html",
        context=arbitration_guidance_context,
    ),
    DocumentKind(
        slug=RECEIPT_KIND,
        title=_("Receipt of a registered mediation application"),
        template="pdf/disputes/registration_receipt.html",
        context=registration_receipt_context,
    ),
    DocumentKind(
        slug="dispute_withdrawal_confirmation",
        title=_("Confirmation of a withdrawn mediation application"),
        template="pdf/disputes/withdrawal_confirmation.html",
        context=withdrawal_confirmation_context,
    ),
    DocumentKind(
        slug=EXTENSION_KIND,
        title=_("Confirmation of an extended mediation period"),
        template="pdf/disputes/extension_confirmation.html",
        context=extension_confirmation_context,
    ),
    DocumentKind(
        slug="dispute_closing_notice",
        title=_("Notice of closing"),
        template="pdf/disputes/closing_notice.html",
        context=closing_notice_context,
    ),
]

for _kind in KINDS:
    register(_kind)

on_transition(Dispute, "accept", "dispute_acceptance_notice")
on_transition(Dispute, "refuse", "dispute_refusal_notice")
on_transition(Dispute, "settle", "dispute_agreement_draft")
on_transition(Dispute, "make_effective", AGREEMENT_KIND)
on_transition(Dispute, "terminate", "dispute_termination_notice")
on_transition(Dispute, "refer_payment_order", "dispute_payment_order_packet")
on_transition(Dispute, "refer_arbitration", "dispute_arbitration_guidance")
on_transition(Dispute, "withdraw", "dispute_withdrawal_confirmation")
on_transition(Dispute, "close", "dispute_closing_notice")
# Steps that are no transition issue their documents through the same registry, under
# the name of their audit action: services.dispute_file() ("filed") and
# services.extension_record() ("extended") call transition_documents() themselves.
on_transition(Dispute, FILED_STEP, RECEIPT_KIND)
on_transition(Dispute, EXTENDED_STEP, EXTENSION_KIND)
# dispute_session_record is issued by services.session_record(), not by a transition.
