"""The documents of complaints against intermediaries
(docs/domain.md, "Complaints"; docs/workflows.md).

=============================  ======================================  ===========================
kind                           document                                issued by
=============================  ======================================  ===========================
complaint_receipt              受理回执                                 accept
complaint_not_accepted         不予受理告知书                           not_accept
complaint_supplement_notice    补正通知书（一次性告知）                 request_supplement
complaint_interview_record     调查笔录 (subject: an Interview)         services.interview_record
complaint_decision             责令改正通知书 / 处理决定书              decide
complaint_referral_letter      移送函                                   refer, refer_to_inspection
complaint_result_notice        投诉处理结果告知书                       close, refer
=============================  ======================================  ===========================

Each context is a snapshot in Chinese, whatever the UI language: dates written
the Chinese way and Chinese labels for every choice.

**Personal data** (个人信息保护法 Art. 6; docs/domain.md, "Personal data"):

* The notices to the complainant are addressed to its name, or to 匿名投诉人
  when it complained anonymously; no notice carries its mobile number (an
  anonymous complainant's contact number is for text messages only).
* The referral letter is the one document that gives the complainant's name
  and mobile number to someone else: the receiving authority needs a contact.
  It does so only for a named complaint and writes 匿名投诉 otherwise.
* The records for staff (调查笔录, 处理决定) and the letters to the respondent
  name no complainant at all.
* ID numbers, where a registered complainant has one, are always masked.
* The public verification page shows the complaint number and the market only.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.complaints.models import (
    Channel,
    Complaint,
    DecisionItem,
    FeedbackResult,
    Interview,
    NotAcceptedReason,
    Outcome,
    ReferralTarget,
)
from casework.complaints.penalties import (
    MEASURE_ZH,
    Conduct,
    PenaltyRule,
    measure_basis,
    rule_for,
)
from casework.documents.formatting import rmb_upper, staff_name, yuan, zh_date, zh_datetime
from casework.documents.models import Document
from casework.documents.registry import (
    DocumentKind,
    PublicFact,
    on_transition,
    register,
    register_public_summary,
)
from casework.parties.identifiers import mask_id
from casework.parties.models import Organization

RECEIPT_KIND = "complaint_receipt"
NOT_ACCEPTED_KIND = "complaint_not_accepted"
SUPPLEMENT_KIND = "complaint_supplement_notice"
INTERVIEW_KIND = "complaint_interview_record"
DECISION_KIND = "complaint_decision"
REFERRAL_KIND = "complaint_referral_letter"
RESULT_KIND = "complaint_result_notice"

# The reasons for not accepting a complaint in the notice's words (the SMS uses them too).
NOT_ACCEPTED_ZH = {
    NotAcceptedReason.TOO_OLD: "所投诉的违法行为已超过二年",
    NotAcceptedReason.NO_RESPONDENT: "没有明确的被投诉人",
    NotAcceptedReason.NOT_COMPETENT: "不属于本机构职权范围",
    NotAcceptedReason.NO_SUPPLEMENT: "未在期限内补正材料",
}

# Where a complainant follows its case with the tracking code it was given (the code
# itself is not stored: only its hash is).
TRACK_PATH = "/report/track/"


ANONYMOUS_ADDRESSEE = "匿名投诉人"

# -- Chinese labels (the documents' own terms, whatever the UI language) ----------

CONDUCT_ZH = {
    Conduct.UNLICENSED: "未经许可从事职业中介活动",
    Conduct.FALSE_AD: "发布虚假或者违法的招聘信息",
    Conduct.DEPOSIT: "向劳动者收取押金",
    Conduct.ID_WITHHELD: "扣押劳动者居民身份证等证件",
    Conduct.DATA_LEAKED: "泄露劳动者个人信息",
    Conduct.FRAUD: "以欺诈、胁迫等手段或者以招聘为名牟取不正当利益",
    Conduct.FEES_NOT_DISPLAYED: "未明示收费标准、许可证或者未建立服务台账",
    Conduct.DISCRIMINATION: "发布含有歧视性内容的招聘信息（就业歧视）",
    Conduct.OTHER: "其他违法行为",
}

OUTCOME_ZH = {
    Outcome.ORDER_TO_CORRECT: "责令改正",
    Outcome.PENALTY_PROPOSED: "拟予行政处罚",
    Outcome.NO_VIOLATION: "未发现违法行为",
    Outcome.MINOR_CORRECTED: "违法行为轻微并已改正，不予处罚",
}

CHANNEL_ZH = {
    Channel.COUNTER: "窗口投诉",
    Channel.PHONE: "电话投诉",
    Channel.PORTAL: "网上服务平台投诉",
    Channel.WEB: "网上投诉",
}

ROLE_ZH = {
    Interview.Role.RESPONDENT: "被投诉人（职业中介机构）",
    Interview.Role.COMPLAINANT: "投诉人",
    Interview.Role.WITNESS: "证人",
}

LICENCE_STATUS_ZH = {
    Organization.LicenceStatus.VALID: "有效",
    Organization.LicenceStatus.SUSPENDED: "暂停",
    Organization.LicenceStatus.REVOKED: "已吊销",
    Organization.LicenceStatus.NONE: "未取得许可",
}

# The kind of body a complaint goes to, as the letters name it.
REFERRAL_TARGET_ZH = {
    ReferralTarget.LABOUR_INSPECTION: "劳动保障监察机构",
    ReferralTarget.MARKET_REGULATION: "市场监督管理部门",
    ReferralTarget.POLICE: "公安机关",
    ReferralTarget.OTHER_MARKET: "其他零工市场",
}


# -- the parts every document shares ------------------------------------------------


def _local_day(moment: datetime.datetime | None) -> str:
    return zh_date(timezone.localdate(moment)) if moment else ""


def market_details(complaint: Complaint) -> dict:
    market = complaint.market
    return {
        "name": market.name,
        "hotline": market.hotline,
        "address": market.address,
        "complaint_channel": market.complaint_channel,
    }


def respondent_details(complaint: Complaint) -> dict:
    """The intermediary as identified in the registry, or as the complainant named it."""
    org = complaint.respondent
    if org is None:
        return {
            "identified": False,
            "name": complaint.respondent_name_given,
            "credit_code": "",
            "licence_number": "",
            "licence_status": "",
            "address": complaint.respondent_details_given,
            "phone": "",
        }
    return {
        "identified": True,
        "name": org.name,
        "credit_code": org.credit_code,
        "licence_number": org.licence_number,
        "licence_status": LICENCE_STATUS_ZH.get(org.licence_status, ""),
        "address": org.address,
        "phone": org.phone,
    }


def complainant_addressee(complaint: Complaint) -> str:
    """Whom a notice to the complainant is addressed to: its name, or 匿名投诉人."""
    if complaint.anonymous:
        return ANONYMOUS_ADDRESSEE
    if complaint.complainant_id:
        return complaint.complainant.name
    return complaint.complainant_name or "投诉人"


def complainant_details(complaint: Complaint, *, with_contact: bool = False) -> dict:
    """Who complains; ``with_contact`` adds the mobile number (named complaints only)."""
    if complaint.anonymous:
        return {"anonymous": True, "name": "", "id_number": "", "mobile": ""}
    person = complaint.complainant if complaint.complainant_id else None
    name = person.name if person else complaint.complainant_name
    mobile = (person.mobile if person else "") or complaint.contact_mobile
    return {
        "anonymous": False,
        "name": name,
        "id_number": mask_id(person.id_number) if person else "",
        "mobile": mobile if with_contact else "",
    }


def conduct_labels(complaint: Complaint) -> list[str]:
    return [CONDUCT_ZH.get(code, code) for code in complaint.categories]


def case_details(complaint: Complaint) -> dict:
    """What every complaint document names: the case, its dates, the conduct, the officer."""
    deposit = None
    if complaint.deposit_amount is not None:
        deposit = {
            "amount": yuan(complaint.deposit_amount),
            "workers": complaint.deposit_workers,
        }
    return {
        "code": complaint.code,
        "channel": CHANNEL_ZH.get(complaint.channel, complaint.channel),
        "received_on": _local_day(complaint.received_at),
        "accepted_on": _local_day(complaint.accepted_at),
        "conduct": conduct_labels(complaint),
        "conduct_on": zh_date(complaint.conduct_on),
        "deposit": deposit,
        "market": market_details(complaint),
        "officer": staff_name(complaint.owner),
    }


def track_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}{TRACK_PATH}"


def fine_range(rule: PenaltyRule, workers: int | None) -> str:
    """The statutory fine range in words: 1,500.00元至6,000.00元, 200.00元以下."""
    low, high = rule.bounds(workers)
    if low is None and high is None:
        return ""
    if low is None:
        return f"{yuan(high)}元以下"
    if high is None:
        return f"{yuan(low)}元以上"
    return f"{yuan(low)}元至{yuan(high)}元"


def rule_details(conduct: str, workers: int | None) -> dict | None:
    rule = rule_for(conduct)
    if rule is None:
        return None
    per_worker = ""
    if rule.per_worker:
        per_worker = f"每人{yuan(rule.minimum)}元至{yuan(rule.maximum)}元"
    return {
        "basis": rule.basis,
        "measures": rule.measures,
        "range": fine_range(rule, workers),
        "per_worker": per_worker,
        "workers": max(workers or 1, 1) if rule.per_worker else None,
    }


# -- the context of each document ---------------------------------------------------


def receipt_context(complaint: Complaint) -> dict:
    """受理回执: the complaint is accepted, what happens next and how to follow it."""
    return {
        "case": case_details(complaint),
        "addressee": complainant_addressee(complaint),
        "complainant": complainant_details(complaint),
        "respondent": {"name": respondent_details(complaint)["name"]},
        "investigation_days": settings.COMPLAINT_INVESTIGATION_WORKING_DAYS,
        "extension_days": settings.COMPLAINT_EXTENSION_WORKING_DAYS,
        "investigation_due": zh_date(complaint.investigation_due),
        "track_url": track_url(),
        "issued_on": _local_day(complaint.accepted_at) or zh_date(timezone.localdate()),
    }


def not_accepted_context(complaint: Complaint) -> dict:
    """不予受理告知书: the reason, the competent authority and the complainant's rights."""
    reason = complaint.not_accepted_reason
    return {
        "case": case_details(complaint),
        "addressee": complainant_addressee(complaint),
        "respondent": respondent_details(complaint),
        "reason": NOT_ACCEPTED_ZH.get(reason, reason),
        "not_competent": reason == NotAcceptedReason.NOT_COMPETENT,
        "authority": complaint.competent_authority,
        "explanation": complaint.not_accepted_note,
        "decided_on": _local_day(complaint.closed_at) or zh_date(timezone.localdate()),
        "issued_on": zh_date(timezone.localdate()),
    }


def supplement_context(complaint: Complaint) -> dict:
    """补正通知书 (一次性告知): every missing item, the due date, the paused clock."""
    return {
        "case": case_details(complaint),
        "addressee": complainant_addressee(complaint),
        "respondent": respondent_details(complaint),
        "items": list(complaint.supplement_items),
        "due": zh_date(complaint.supplement_due),
        "paused_on": zh_date(complaint.acceptance_paused_on),
        "acceptance_days": settings.COMPLAINT_ACCEPTANCE_WORKING_DAYS,
        "days_left": complaint.acceptance_days_left(),
        "issued_on": _local_day(complaint.supplement_requested_at) or zh_date(timezone.localdate()),
    }


def interview_context(interview: Interview) -> dict:
    """调查笔录: one questioning, for the file (staff only)."""
    complaint = interview.complaint
    return {
        "case": case_details(complaint),
        "respondent": respondent_details(complaint),
        "held_at": zh_datetime(interview.held_at),
        "place": interview.place,
        "investigators": interview.investigators,
        "recorder": staff_name(interview.recorded_by),
        "interviewee": {
            "name": interview.interviewee_name,
            "role": ROLE_ZH.get(interview.interviewee_role, interview.interviewee_role),
            "position": interview.interviewee_position,
        },
        "record": interview.record,
        "issued_on": zh_date(timezone.localdate()),
    }


def label_zh(labels: Mapping[Any, str], code: str) -> str:
    """A choice's Chinese label, or its code when it has none."""
    return labels.get(code, code)


def item_details(item: DecisionItem, outcome: str) -> dict:
    """One conduct of the decision: its measures, each with its basis, and the fine."""
    rule = rule_details(item.conduct, item.workers_affected)
    fine = None
    if outcome == Outcome.PENALTY_PROPOSED and item.amount is not None:
        found = rule_for(item.conduct)
        amount = Decimal(item.amount)
        outside = found is None or not found.allows(amount, item.workers_affected)
        fine = {
            "amount": yuan(amount),
            "upper": rmb_upper(amount),
            "outside_range": outside,
            "justification": item.justification if outside else "",
        }
    return {
        "conduct": label_zh(CONDUCT_ZH, item.conduct),
        "workers_affected": item.workers_affected,
        "rule": rule,
        "measures": [
            {"name": MEASURE_ZH.get(m, m), "basis": measure_basis(m, item.conduct)}
            for m in item.measures
        ],
        "fine": fine,
    }


def _total(complaint: Complaint) -> dict | None:
    """The fines proposed for several conducts, added up (the complaint's penalty_amount)."""
    if complaint.outcome != Outcome.PENALTY_PROPOSED or complaint.penalty_amount is None:
        return None
    amount = Decimal(complaint.penalty_amount)
    return {"amount": yuan(amount), "upper": rmb_upper(amount)}


def decision_context(complaint: Complaint) -> dict:
    """责令改正通知书 / 处理决定书, to the respondent: facts, basis, measures and its rights."""
    outcome = complaint.outcome
    rule = rule_details(complaint.conduct_found, complaint.workers_affected)
    penalty = None
    if outcome == Outcome.PENALTY_PROPOSED and complaint.penalty_amount is not None:
        found = rule_for(complaint.conduct_found)
        amount = Decimal(complaint.penalty_amount)
        outside = found is None or not found.allows(amount, complaint.workers_affected)
        penalty = {
            "amount": yuan(amount),
            "upper": rmb_upper(amount),
            "outside_range": outside,
            "justification": complaint.penalty_justification if outside else "",
        }
    items = [item_details(item, outcome) for item in complaint.decision_items.all()]
    return {
        "case": case_details(complaint),
        "heading": "责令改正通知书" if outcome == Outcome.ORDER_TO_CORRECT else "处理决定书",
        "outcome": outcome,
        "outcome_label": OUTCOME_ZH.get(outcome, outcome),
        "respondent": respondent_details(complaint),
        "findings": complaint.findings,
        "conduct_found": CONDUCT_ZH.get(complaint.conduct_found, ""),
        "workers_affected": complaint.workers_affected,
        "rule": rule,
        "measures": complaint.measures,
        "correction_due": zh_date(complaint.correction_due),
        "penalty": penalty,
        "items": items,
        "total": _total(complaint) if len(items) > 1 else None,
        "statement_days": settings.COMPLAINT_STATEMENT_DAYS,
        "decided_by": staff_name(complaint.decided_by),
        "decided_on": _local_day(complaint.decided_at) or zh_date(timezone.localdate()),
        "issued_on": _local_day(complaint.decided_at) or zh_date(timezone.localdate()),
    }


def _interview_label(interview: Interview, complaint: Complaint) -> str:
    role = ROLE_ZH.get(interview.interviewee_role, interview.interviewee_role)
    if complaint.anonymous and interview.interviewee_role == Interview.Role.COMPLAINANT:
        return role  # an anonymous complainant stays unnamed, even when questioned
    return f"{role}{interview.interviewee_name}"


def enclosed_materials(complaint: Complaint) -> list[dict]:
    """What goes with a referral: the complaint, its evidence files, the records so far."""
    rows = [{"kind": "投诉登记材料", "name": f"投诉编号{complaint.code}", "code": ""}]
    rows += [
        {"kind": "证据材料", "name": item.original_name, "code": ""}
        for item in complaint.evidence.all()
    ]
    for interview in complaint.interviews.all():
        doc = (
            Document.objects.for_subject(interview)
            .filter(kind=INTERVIEW_KIND)
            .order_by("-version")
            .first()
        )
        label = _interview_label(interview, complaint)
        rows.append(
            {
                "kind": "调查笔录",
                "name": f"{zh_datetime(interview.held_at)}询问{label}",
                "code": doc.verification_code if doc else "",
            }
        )
    return rows


def referral_letter_context(complaint: Complaint) -> dict:
    """移送函 to the receiving authority: the case, the reason and the materials (staff only)."""
    return {
        "case": case_details(complaint),
        "body": complaint.referral_body,
        "target": REFERRAL_TARGET_ZH.get(complaint.referral_target, complaint.referral_target),
        "respondent": respondent_details(complaint),
        "complainant": complainant_details(complaint, with_contact=True),
        "facts": complaint.facts,
        "reason": complaint.referral_reason,
        "materials": enclosed_materials(complaint),
        "contact": {"name": staff_name(complaint.owner), "phone": complaint.market.hotline},
        "referred_on": _local_day(complaint.referred_at) or zh_date(timezone.localdate()),
        "issued_on": _local_day(complaint.referred_at) or zh_date(timezone.localdate()),
    }


FEEDBACK_RESULT_ZH: dict[str, str] = {
    FeedbackResult.HANDLED: "已立案并依法处理",
    FeedbackResult.NOT_OPENED: "不予立案",
    FeedbackResult.TRANSFERRED: "已转交其他机关处理",
}


def feedback_details(complaint: Complaint) -> dict | None:
    """Labour inspection's feedback on a complaint referred to it, once recorded."""
    if complaint.feedback_recorded_at is None:
        return None
    return {
        "on": zh_date(complaint.feedback_on),
        "result": FEEDBACK_RESULT_ZH.get(complaint.feedback_result, ""),
        "reference": complaint.feedback_reference,
        "note": complaint.feedback_note,
    }


def result_notice_context(complaint: Complaint) -> dict:
    """结果告知书 to the complainant: the result, or where the complaint was referred
    (and, referred to labour inspection, what the inspection reported back)."""
    referred = complaint.referred_at is not None
    return {
        "case": case_details(complaint),
        "addressee": complainant_addressee(complaint),
        "respondent": {"name": respondent_details(complaint)["name"]},
        "result": complaint.result_summary,
        "referred": referred,
        "body": complaint.referral_body if referred else "",
        "target": REFERRAL_TARGET_ZH.get(complaint.referral_target, "") if referred else "",
        "referred_on": _local_day(complaint.referred_at),
        "feedback": feedback_details(complaint),
        "closed_on": _local_day(complaint.closed_at) or zh_date(timezone.localdate()),
        "issued_on": _local_day(complaint.closed_at) or zh_date(timezone.localdate()),
    }


# -- the public verification page -------------------------------------------------------


def complaint_public_summary(complaint: Complaint) -> list[PublicFact]:
    """The complaint number and the market: nothing about the complainant or the respondent.

    The page itself shows the document's date (when it was issued).
    """
    return [
        PublicFact(_("Complaint number"), complaint.code, mono=True),
        PublicFact(_("Market"), complaint.market.name),
    ]


def interview_public_summary(interview: Interview) -> list[PublicFact]:
    return complaint_public_summary(interview.complaint)


# -- registration -------------------------------------------------------------------

KINDS = [
    DocumentKind(
        RECEIPT_KIND,
        _("Complaint acceptance receipt"),
        "pdf/complaints/receipt.html",
        receipt_context,
    ),
    DocumentKind(
        NOT_ACCEPTED_KIND,
        _("Notice of non-acceptance of a complaint"),
        "pdf/complaints/not_accepted.html",
        not_accepted_context,
    ),
    DocumentKind(
        SUPPLEMENT_KIND,
        _("Notice to supplement a complaint (one-time notice)"),
        "pdf/complaints/supplement_notice.html",
        supplement_context,
    ),
    DocumentKind(
        INTERVIEW_KIND,
        _("Investigation record"),
        "pdf/complaints/interview_record.html",
        interview_context,
        for_parties=False,
    ),
    DocumentKind(
        DECISION_KIND,
        _("Order to correct / decision"),
        "pdf/complaints/decision.html",
        decision_context,
        for_parties=False,
    ),
    DocumentKind(
        REFERRAL_KIND,
        _("Referral letter to another authority"),
        "pdf/complaints/referral_letter.html",
        referral_letter_context,
        for_parties=False,
    ),
    DocumentKind(
        RESULT_KIND,
        _("Notice of the complaint's result"),
        "pdf/complaints/result_notice.html",
        result_notice_context,
    ),
]

for _kind in KINDS:
    register(_kind)

on_transition(Complaint, "accept", RECEIPT_KIND)
on_transition(Complaint, "not_accept", NOT_ACCEPTED_KIND)
on_transition(Complaint, "request_supplement", SUPPLEMENT_KIND)
on_transition(Complaint, "decide", DECISION_KIND)
on_transition(Complaint, "refer", REFERRAL_KIND, RESULT_KIND)
# Referred to labour inspection: the result notice waits for its feedback (close).
on_transition(Complaint, "refer_to_inspection", REFERRAL_KIND)
on_transition(Complaint, "close", RESULT_KIND)
# complaint_interview_record is issued by services.interview_record() for each Interview.
register_public_summary(Complaint, complaint_public_summary)
register_public_summary(Interview, interview_public_summary)
