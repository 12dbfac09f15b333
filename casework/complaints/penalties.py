"""The conduct a complaint is about, and the statutory penalty for each
(docs/domain.md, "Complaints").

The decision form shows the range for the conduct found; a proposed amount
outside it needs a written justification. The texts are the documents' own
Chinese, whatever the UI language.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Conduct(models.TextChoices):
    UNLICENSED = "unlicensed", _("job placement without a licence")
    FALSE_AD = "false_ad", _("false or illegal job advertisement")
    DEPOSIT = "deposit", _("deposit taken")
    ID_WITHHELD = "id_withheld", _("ID card withheld")
    DATA_LEAKED = "data_leaked", _("personal data leaked")
    FRAUD = "fraud", _("fraud or coercion")
    FEES_NOT_DISPLAYED = "fees_not_displayed", _("fees or licence not displayed, no ledger kept")
    DISCRIMINATION = "discrimination", _("employment discrimination")
    OTHER = "other", _("other")


class Measure(models.TextChoices):
    """What a decision orders or proposes for one conduct (docs/domain.md, "Complaints").

    Only the order to correct is the market's own; the others are proposed to the
    authority that imposes them (a complaint decided with ``Outcome.PENALTY_PROPOSED``).
    """

    CORRECT = "correct", _("order to correct")
    FINE = "fine", _("fine")
    APP_TAKEDOWN = "app_takedown", _("order the app taken down")
    SUSPEND_SERVICE = "suspend_service", _("suspend recruitment services")
    CLOSE_PLATFORM = "close_platform", _("close the platform or website")


# The measures beyond an order to correct and a fine: their name in the documents and
# their own legal basis (a fine and an order to correct take the conduct's, RULES).
# 人社部令第44号 is cited without an article: its liability articles are unconfirmed.
_ONLINE_RULES = "《网络招聘服务管理规定》（人力资源社会保障部令第44号）"
MEASURE_ZH: dict[str, str] = {
    Measure.CORRECT: "责令改正",
    Measure.FINE: "罚款",
    Measure.APP_TAKEDOWN: "责令下架应用程序（暂停或者终止提供服务）",
    Measure.SUSPEND_SERVICE: "责令暂停招聘服务（暂停相关业务）",
    Measure.CLOSE_PLATFORM: "关闭网络平台或者网站",
}
MEASURE_BASIS: dict[str, str] = {
    Measure.APP_TAKEDOWN: "《中华人民共和国个人信息保护法》第六十六条",
    Measure.SUSPEND_SERVICE: _ONLINE_RULES,
    Measure.CLOSE_PLATFORM: f"《人力资源市场暂行条例》第四十二条；{_ONLINE_RULES}",
}


@dataclass(frozen=True)
class PenaltyRule:
    minimum: Decimal | None
    maximum: Decimal | None
    per_worker: bool
    measures: str
    basis: str
    # What an order to correct alone requires: the public list shows this for a market's
    # order to correct, since ``measures`` also names the fine only the labour
    # administration can impose.
    correction: str = "责令改正"

    def bounds(self, workers: int | None = None) -> tuple[Decimal | None, Decimal | None]:
        """The fine range in yuan; per-worker ranges are multiplied by the workers affected."""
        factor = max(workers or 1, 1) if self.per_worker else 1
        low = self.minimum * factor if self.minimum is not None else None
        high = self.maximum * factor if self.maximum is not None else None
        return low, high

    def allows(self, amount: Decimal, workers: int | None = None) -> bool:
        low, high = self.bounds(workers)
        return (low is None or amount >= low) and (high is None or amount <= high)


_NOT_CORRECTED = (
    "责令改正，没收违法所得；拒不改正的，处一万元以上五万元以下罚款；"
    "情节严重的，吊销人力资源服务许可证"
)

RULES: dict[str, PenaltyRule] = {
    Conduct.UNLICENSED: PenaltyRule(
        Decimal(10000),
        Decimal(50000),
        False,
        "予以关闭或者责令停止从事职业中介活动，没收违法所得，处一万元以上五万元以下罚款",
        "《人力资源市场暂行条例》第十八条、第四十二条；《就业促进法》第四十条、第六十四条",
        correction="责令停止从事职业中介活动",
    ),
    Conduct.FALSE_AD: PenaltyRule(
        Decimal(10000),
        Decimal(50000),
        False,
        _NOT_CORRECTED,
        "《人力资源市场暂行条例》第二十四条、第四十三条",
    ),
    Conduct.FRAUD: PenaltyRule(
        Decimal(10000),
        Decimal(50000),
        False,
        _NOT_CORRECTED,
        "《人力资源市场暂行条例》第二十七条、第四十三条",
    ),
    Conduct.DATA_LEAKED: PenaltyRule(
        Decimal(10000),
        Decimal(50000),
        False,
        _NOT_CORRECTED,
        "《人力资源市场暂行条例》第二十九条、第四十三条",
    ),
    Conduct.ID_WITHHELD: PenaltyRule(
        None,
        Decimal(200),
        False,
        "责令限期将扣押的居民身份证退还劳动者；予以警告，可以处二百元以下罚款",
        "《就业促进法》第四十一条第四项、第六十六条；《居民身份证法》第十六条",
        correction="责令限期将扣押的居民身份证退还劳动者",
    ),
    Conduct.DEPOSIT: PenaltyRule(
        Decimal(500),
        Decimal(2000),
        True,
        "责令限期退还劳动者押金，并以每人五百元以上二千元以下的标准处以罚款",
        "《就业促进法》第四十一条第四项、第六十六条",
        correction="责令限期退还劳动者押金",
    ),
    # Discriminatory content in job information (条例 第二十四条) is punished as the other
    # breaches of 第二十四条 are (第四十三条); the worker may also sue (就业促进法 第六十二条).
    Conduct.DISCRIMINATION: PenaltyRule(
        Decimal(10000),
        Decimal(50000),
        False,
        _NOT_CORRECTED,
        "《就业促进法》第三条、第六十二条；《人力资源市场暂行条例》第二十四条、第四十三条",
    ),
    Conduct.FEES_NOT_DISPLAYED: PenaltyRule(
        Decimal(5000),
        Decimal(10000),
        False,
        "责令改正；拒不改正的，处五千元以上一万元以下罚款",
        "《人力资源市场暂行条例》第三十二条、第三十三条、第四十四条",
    ),
}


def rule_for(conduct: str) -> PenaltyRule | None:
    return RULES.get(conduct)


def measure_basis(measure: str, conduct: str) -> str:
    """The legal basis of ``measure`` for ``conduct``: its own, or the conduct's."""
    if measure in MEASURE_BASIS:
        return MEASURE_BASIS[measure]
    rule = rule_for(conduct)
    return rule.basis if rule else ""
