"""The referral letter (法律援助转介函) the worker takes to the legal-aid centre.

Its document kind is registered per workflow by casework.legalaid.registry.register(),
so that staff read it only with the case's view permission. The worker's ID number is
masked: the worker shows the ID card itself at the centre (docs/domain.md, "Legal aid").
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from casework.documents.formatting import zh_date
from casework.legalaid.models import Ground, LegalAidReferral, Result
from casework.parties.identifiers import mask_id

GROUND_ZH: dict[str, str] = {
    Ground.WAGES: "请求支付劳动报酬",
    Ground.WORK_INJURY: "请求工伤事故人身损害赔偿",
    Ground.HARDSHIP: "其他事项",
}
RESULT_ZH: dict[str, str] = {
    Result.CONCLUDED: "已指派律师，案件办结",
    Result.WON: "胜诉或请求得到支持",
    Result.SETTLED: "调解或和解结案",
    Result.WITHDRAWN: "撤回申请",
    Result.OTHER: "其他",
}
# What the worker brings to the centre, whatever the ground.
BRING = [
    "本转介函",
    "居民身份证原件及复印件",
    "案件的申请材料、受理或处理文书",
    "与本事项有关的证据材料：劳动关系或用工事实的证明（零工服务协议、考勤记录、工作群聊天记录等）、工资欠条、付款记录等",
]
# Only where the centre checks hardship (法律援助法 第四十一条 *[unconfirmed]*).
BRING_HARDSHIP = "经济困难状况的说明（或个人诚信承诺），以及能够证明的材料"


@dataclass(frozen=True)
class LetterContext:
    """The letter's snapshot for one workflow's cases (registry.register() makes one)."""

    kind_zh: str  # the kind of case in the letter's Chinese
    matter: Callable[[Any], str]

    def __call__(self, referral: LegalAidReferral) -> dict:
        case: Any = referral.subject
        green = referral.green_channel
        centre = referral.centre
        return {
            "centre": {
                "name": centre.name,
                "address": centre.address,
                "phone": centre.phone,
                "hours": centre.opening_hours,
            },
            "worker": {
                "name": referral.worker.name,
                "id_masked": mask_id(referral.worker.id_number),
            },
            "case": {"code": case.code, "kind": self.kind_zh, "matter": self.matter(case)},
            "summary": referral.summary,
            "ground": GROUND_ZH.get(referral.ground, referral.ground),
            "green_channel": green,
            "bring": BRING if green else [*BRING, BRING_HARDSHIP],
            "decision_days": settings.LEGAL_AID_DECISION_DAYS,
            "market": {"name": referral.market.name, "hotline": referral.market.hotline},
            "issued_on": zh_date(timezone.localdate()),
        }
