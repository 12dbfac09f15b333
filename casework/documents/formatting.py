"""Chinese formatting for issued documents: dates, times, money, sex and staff names.

Every workflow's documents write these the same way (2026年11月22日, 2026年11月22日9时05分,
3,000.00, 叁仟元整 for the capital numerals legal documents require), because an
issued document reads the same whoever pressed the button and whatever the UI
language.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from casework.parties.models import Sex

SEX_ZH = {Sex.MALE: "男", Sex.FEMALE: "女"}


def zh_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def zh_datetime(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    # 2026年11月22日9时05分: no space, which justified lines would stretch.
    local = timezone.localtime(moment)
    return f"{zh_date(local.date())}{local.hour}时{local.minute:02d}分"


def yuan(amount: Decimal) -> str:
    """3,000.00 (the unit 元 is written by the template)."""
    return f"{amount:,.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")


def _four_digits(value: int) -> str:
    """1010 → 壹仟零壹拾: one group of up to four digits, without its group unit."""
    out, zero, started = "", False, False
    for position in range(3, -1, -1):
        digit = value // 10**position % 10
        if digit == 0:
            zero = started
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _SMALL_UNITS[position]
        started = True
    return out


def rmb_upper(amount: Decimal) -> str:
    """The amount in capital numerals as money is written on legal documents.

    3000 → 叁仟元整, 10010.50 → 壹万零壹拾元伍角, 1500.05 → 壹仟伍佰元零伍分.
    """
    cents = int((Decimal(amount) * 100).quantize(Decimal("1")))
    if cents < 0:
        raise ValueError("a negative amount")
    whole, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    groups = []
    rest = whole
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    text, gap = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = bool(text)
            continue
        if text and (gap or group < 1000):
            text += "零"
        text += _four_digits(group) + _GROUP_UNITS[index]
        gap = False
    if text:
        text += "元"
    if jiao == 0 and fen == 0:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text


def staff_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""
