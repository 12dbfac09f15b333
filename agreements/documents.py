"""The documents of a gig agreement (docs/domain.md, "Gig agreements";
docs/workflows.md, "Documents").

* ``agreement_draft`` (sending for signing): the text to be signed, watermarked 草稿.
* ``agreement_signed`` (second signature), sealed: the text as signed, a signature
  page with each signer's evidence (电子签名法 Art. 13; 电子劳动合同订立指引) and
  the agreement's audit trail.
* ``agreement_termination`` (terminate): the 协议解除通知书.

Each context is a snapshot in Chinese, whatever the UI language, as the
agreement itself is. ID numbers are always masked: the PDF goes to both
parties (the full numbers stay in the market's records, clause 个人信息保护).
The public verification page shows masked party names, signing times and the
text hash only (``agreement_public_summary``).
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements import text
from agreements.models import Agreement, Party, Signature
from casework.core.models import CaseEvent
from casework.documents.formatting import staff_name, zh_date, zh_datetime
from casework.documents.registry import (
    DocumentKind,
    PublicFact,
    on_transition,
    register,
    register_public_summary,
)
from casework.parties.identifiers import mask_id, mask_name, mask_phone
from casework.parties.models import RealNameCheck

DRAFT_KIND = "agreement_draft"
SIGNED_KIND = "agreement_signed"
TERMINATION_KIND = "agreement_termination"

PARTY_ZH = {Party.HIRING: "甲方（用工方）", Party.WORKER: "乙方（零工）"}

CHANNEL_ZH = {
    Signature.Channel.PORTAL: "服务平台，本人在线签署",
    Signature.Channel.COUNTER: "服务窗口，工作人员协助签署",
}

CHECK_METHOD_ZH = {
    RealNameCheck.Method.ID_CARD_SEEN: "工作人员查验居民身份证",
    RealNameCheck.Method.VERIFICATION_SERVICE: "身份核验服务核验",
    RealNameCheck.Method.LICENCE_SEEN: "查验营业执照及经办人身份证件",
}

# The audit trail's actions (services.py and the transitions) in the documents' words;
# short enough for one line of the audit table's column.
ACTION_ZH = {
    "created": "创建协议",
    "draft_changed": "修改协议要素",
    "send_for_signing": "定稿并发送签署",
    "signing_code_sent": "发送签署验证码",
    "signing_code_refused": "签署验证码未通过",
    "sign_first": "一方签署",
    "sign_second": "双方签署，协议生效",
    "cancel": "撤销协议",
    "expire": "逾期未签，协议失效",
    "complete": "确认工作完成",
    "terminate": "解除协议",
    "supersede": "被变更后的协议取代",
    "payment_confirmed": "乙方确认收到报酬",
    "payment_reported_unpaid": "乙方报告未收到报酬",
    "dispute_opened": "申请欠薪争议调解",
    "claimed": "领取待办",
    "reassigned": "改派经办人员",
}

ROLE_ZH = {
    "mediator": "调解员",
    "caseworker": "窗口工作人员",
    "complaint_officer": "投诉处理人员",
    "supervisor": "主管",
    "auditor": "审计人员",
    "worker": "零工",
    "hiring_party": "用工方",
    "party": "当事人",
    "deadline": "系统（期限）",
}


# -- formatting ---------------------------------------------------------------------


def zh_moment(moment: datetime.datetime | None) -> str:
    """To the second, for evidence: 2026年11月22日9时05分07秒."""
    if moment is None:
        return ""
    return f"{zh_datetime(moment)}{timezone.localtime(moment).second:02d}秒"


def role_zh(role: str) -> str:
    # A staff member may hold several roles, stored comma-separated.
    return "、".join(ROLE_ZH.get(part, part) for part in role.split(",") if part)


def _lines(lines: list[text.Line]) -> list[dict]:
    return [{"label": line.label, "value": line.value} for line in lines]


# -- the agreement text -------------------------------------------------------------


def agreement_text(agreement: Agreement) -> dict:
    """The signed text, laid out: parties, particulars and every clause of the terms.

    The layout is built from the records, which must compose to exactly the
    frozen ``final_text``. Should a record have changed since (a party's name
    corrected), the frozen text is printed as it is instead: the PDF always
    shows what the hash binds.
    """
    terms = agreement.terms
    common = {
        "code": agreement.code,
        "market": market_details(agreement),
        "terms": {"title": terms.title, "version": terms.version},
        "text_hash": agreement.text_hash,
        "sent_at": zh_datetime(agreement.sent_at),
        "sign_deadline": zh_datetime(agreement.sign_deadline),
    }
    if text.compose(agreement) != agreement.final_text:
        empty = {"parties": [], "particulars": [], "clauses": []}
        return {**common, **empty, "verbatim": agreement.final_text}
    return {
        **common,
        "parties": _lines(text.party_lines(agreement)),
        "particulars": _lines(text.particular_lines(agreement)),
        "clauses": [
            {"number": c.number, "heading": c.heading, "body": c.body.strip()}
            for c in terms.clauses.all()
        ],
        "verbatim": "",
    }


def market_details(agreement: Agreement) -> dict:
    market = agreement.market
    return {"name": market.name, "hotline": market.hotline, "address": market.address}


# -- signatures and the audit trail ---------------------------------------------------


def check_details(check: RealNameCheck | None, whose: str) -> dict | None:
    if check is None:
        return None
    return {
        "whose": whose,
        "method": CHECK_METHOD_ZH.get(check.method, check.method),
        "checked_at": zh_moment(check.checked_at),
        "checked_by": staff_name(check.checked_by) or "身份核验服务",
        "reference": check.backend_reference,
    }


def signature_evidence(signature: Signature, agreement: Agreement) -> dict:
    org, code = signature.organization, signature.code
    party_whose = "甲方（单位）" if org is not None else "签署人本人"
    checks = [
        check_details(signature.real_name_check, party_whose),
        check_details(signature.signer_check, "经办人"),
    ]
    return {
        "party": PARTY_ZH[signature.party],
        "signer": signature.signer.name,
        "id_number": mask_id(signature.signer.id_number),
        "organization": {"name": org.name, "credit_code": org.credit_code} if org else None,
        "signed_at": zh_moment(signature.signed_at),
        "ip": signature.client_ip or "未记录",
        "user_agent": signature.user_agent or "未记录",
        "channel": CHANNEL_ZH.get(signature.channel, signature.channel),
        "login": staff_name(signature.user),
        "code_sent_to": mask_phone(code.mobile),
        "code_sent_at": zh_moment(code.created_at),
        "checks": [check for check in checks if check is not None],
        "text_hash": signature.text_hash,
        "hash_matches": signature.text_hash == agreement.text_hash,
    }


def _signatures(agreement: Agreement):
    return agreement.signatures.select_related(
        "signer",
        "organization",
        "code",
        "user",
        "real_name_check__checked_by",
        "signer_check__checked_by",
    )


def audit_rows(agreement: Agreement) -> list[dict]:
    rows = [_audit_row(event) for event in agreement.events]
    # perform() issues the signed PDF before it records its own event: add that step
    # from the agreement, which the transition has already stamped.
    if agreement.signed_at and not any(row["action_slug"] == "sign_second" for row in rows):
        last = _signatures(agreement).last()
        rows.append(
            {
                "seq": "",
                "at": zh_moment(agreement.signed_at),
                "actor": staff_name(last.user) if last else "",
                "role": "",
                "action_slug": "sign_second",
                "action": ACTION_ZH["sign_second"],
                "note": agreement.text_hash,
                "hash": "",
            }
        )
    return rows


def _audit_row(event: CaseEvent) -> dict:
    return {
        "seq": event.seq,
        "at": zh_moment(event.at),
        "actor": event.actor_name,
        "role": role_zh(event.role),
        "action_slug": event.action,
        "action": ACTION_ZH.get(event.action, event.action),
        "note": event.note,
        "hash": event.hash[:16],  # the hash chain's link, enough to compare with the records
    }


# -- the context of each document ---------------------------------------------------


def draft_context(agreement: Agreement) -> dict:
    return {"agreement": agreement_text(agreement), "issued_on": zh_date(timezone.localdate())}


def signed_context(agreement: Agreement) -> dict:
    signatures = list(_signatures(agreement))
    order = {Party.HIRING: 0, Party.WORKER: 1}  # 甲方 first, as the text names them
    signatures.sort(key=lambda s: order[s.party])
    return {
        "agreement": agreement_text(agreement),
        "signed_at": zh_moment(agreement.signed_at),
        "signatures": [signature_evidence(s, agreement) for s in signatures],
        "audit": audit_rows(agreement),
        "issued_on": zh_date(timezone.localdate()),
    }


def termination_context(agreement: Agreement) -> dict:
    return {
        "code": agreement.code,
        "market": market_details(agreement),
        "parties": _lines(text.party_lines(agreement)),
        "hiring_name": agreement.hiring_party.name,
        "worker_name": agreement.worker.name,
        "work": {
            "trade": text.TRADE.get(agreement.trade, agreement.trade),
            "description": agreement.job_description,
            "place": agreement.work_place,
            "period": f"{zh_date(agreement.start_date)}至{zh_date(agreement.end_date)}",
        },
        "pay": _pay(agreement),
        "payment_method": text.PAYMENT_METHOD.get(agreement.payment_method, ""),
        "payment_date": zh_date(agreement.payment_date),
        "signed_on": zh_date(timezone.localdate(agreement.signed_at))
        if agreement.signed_at
        else "",
        "reason": agreement.end_reason,
        "ended_at": zh_datetime(agreement.ended_at),
        "ended_on": zh_date(timezone.localdate(agreement.ended_at)) if agreement.ended_at else "",
        "text_hash": agreement.text_hash,
        "issued_on": zh_date(timezone.localdate()),
    }


def _pay(agreement: Agreement) -> str:
    pay = f"{agreement.pay_rate:.2f}{text.PAY_UNIT.get(agreement.pay_unit, '')}"
    if agreement.pay_total is not None:
        pay += f"，合计{agreement.pay_total:.2f}元"
    return pay


# -- the public verification page -------------------------------------------------------


def agreement_public_summary(agreement: Agreement) -> list[PublicFact]:
    """Masked names, signing times and the text hash: nothing else of the agreement."""
    signed = {s.party: s.signed_at for s in agreement.signatures.all()}
    rows = [
        PublicFact(_("Agreement number"), agreement.code, mono=True),
        PublicFact(_("Party A (hiring party)"), mask_name(agreement.hiring_party.name)),
        PublicFact(_("Party B (worker)"), mask_name(agreement.worker.name)),
    ]
    for party, label in (
        (Party.HIRING, _("Party A signed at")),
        (Party.WORKER, _("Party B signed at")),
    ):
        moment = signed.get(party)
        value = timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else None
        rows.append(PublicFact(label, value or _("not signed")))
    if agreement.text_hash:
        rows.append(PublicFact(_("SHA-256 of the agreement text"), agreement.text_hash, mono=True))
    return rows


# -- registration -------------------------------------------------------------------

KINDS = [
    DocumentKind(
        slug=DRAFT_KIND,
        title=_("Gig agreement (draft)"),
        template="pdf/agreements/agreement_draft.html",
        context=draft_context,
    ),
    DocumentKind(
        slug=SIGNED_KIND,
        title=_("Gig agreement (signed)"),
        template="pdf/agreements/agreement_signed.html",
        context=signed_context,
        seal=True,
    ),
    DocumentKind(
        slug=TERMINATION_KIND,
        title=_("Notice of termination of a gig agreement"),
        template="pdf/agreements/termination_notice.html",
        context=termination_context,
    ),
]

for _kind in KINDS:
    register(_kind)

on_transition(Agreement, "send_for_signing", DRAFT_KIND)
on_transition(Agreement, "sign_second", SIGNED_KIND)
on_transition(Agreement, "terminate", TERMINATION_KIND)
register_public_summary(Agreement, agreement_public_summary)
