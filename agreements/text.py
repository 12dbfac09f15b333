"""The text both parties sign: the agreement's particulars followed by the standard terms.

``compose()`` is called once, when the agreement is sent for signing; the result
is stored in ``Agreement.final_text`` and its SHA-256 in ``text_hash``. The
signing page shows this text and hash, each signature records the hash, and the
signed PDF prints it. Party ID numbers appear masked: the text is shown to the
other party. The wording is Chinese whatever the reader's language, as the
agreement itself is.
"""

from dataclasses import dataclass

from agreements.models import Agreement, InjuryCover, PaymentMethod, PayUnit, Trade

TITLE = "零工服务协议"

TRADE = {
    Trade.MOVING: "搬运装卸",
    Trade.HOUSEKEEPING: "家政保洁",
    Trade.RENOVATION: "装修",
    Trade.CATERING: "餐饮",
    Trade.DELIVERY: "配送",
    Trade.OTHER: "其他",
}
PAY_UNIT = {
    PayUnit.HOUR: "元/小时",
    PayUnit.DAY: "元/天",
    PayUnit.PIECE: "元/件",
    PayUnit.JOB: "元/次（单）",
}
PAYMENT_METHOD = {
    PaymentMethod.CASH: "现金",
    PaymentMethod.BANK: "银行转账",
    PaymentMethod.MOBILE: "移动支付（微信/支付宝）",
    PaymentMethod.OTHER: "其他",
}
INJURY_COVER = {
    InjuryCover.OCCUPATIONAL: "职业伤害保障",
    InjuryCover.ACCIDENT: "甲方购买的意外伤害保险",
    InjuryCover.LIABILITY: "雇主责任保险",
    InjuryCover.NONE: "未购买保险，由甲方依法承担责任",
}


@dataclass(frozen=True)
class Line:
    label: str
    value: str


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def hiring_lines(agreement: Agreement) -> list[Line]:
    org, person = agreement.hiring_organization, agreement.hiring_person
    if org is not None:
        signer = agreement.hiring_signer
        return [
            Line("甲方（用工方）", org.name),
            Line("统一社会信用代码", org.credit_code),
            Line("经办人", f"{signer.name}（身份证号 {signer.masked_id}）"),
        ]
    return [
        Line("甲方（用工方）", person.name),
        Line("身份证号", person.masked_id),
        Line("联系电话", person.masked_mobile),
    ]


def party_lines(agreement: Agreement) -> list[Line]:
    worker = agreement.worker
    lines = [
        *hiring_lines(agreement),
        Line("乙方（零工）", worker.name),
        Line("身份证号", worker.masked_id),
        Line("联系电话", worker.masked_mobile),
    ]
    if agreement.intermediary is not None:
        lines.append(Line("居间服务机构", agreement.intermediary.name))
    return lines


def particular_lines(agreement: Agreement) -> list[Line]:
    """The particulars, in the order docs/domain.md ("Gig agreements") lists them."""
    a = agreement
    trade = TRADE[a.trade]
    pay = f"{a.pay_rate:.2f}{PAY_UNIT[a.pay_unit]}"
    if a.pay_total is not None:
        pay += f"，合计{a.pay_total:.2f}元"
    cover = INJURY_COVER[a.injury_cover]
    if a.insurance_details:
        cover += f"（{a.insurance_details}）"
    lines = [
        Line("工种", trade),
        Line("工作内容", a.job_description),
        Line("工作地点", a.work_place),
        Line("工作期间", f"{_date(a.start_date)}至{_date(a.end_date)}"),
        Line("工作时间", a.work_hours),
        Line("休息安排", a.rest or "按国家规定"),
        Line("劳动报酬", pay),
        Line("支付方式", PAYMENT_METHOD[a.payment_method]),
        Line("支付日期", f"不迟于{_date(a.payment_date)}"),
        Line("劳动安全保护", a.safety),
        Line("职业伤害保障", cover),
    ]
    if a.special_terms:
        lines.append(Line("专项约定", a.special_terms))
    if a.supersedes_id:
        lines.append(Line("变更说明", f"本协议变更并取代协议{a.supersedes.code}"))
    return lines


def compose(agreement: Agreement) -> str:
    terms = agreement.terms
    parts = [TITLE, f"协议编号：{agreement.code}", f"市场：{agreement.market.name}", ""]
    parts += [f"{line.label}：{line.value}" for line in party_lines(agreement)]
    parts += ["", "一、协议要素"]
    parts += [f"{line.label}：{line.value}" for line in particular_lines(agreement)]
    parts += ["", f"二、{terms.title}（{terms.version}）"]
    for clause in terms.clauses.all():
        parts += [f"第{clause.number}条 {clause.heading}", clause.body.strip()]
    return "\n".join(parts) + "\n"
