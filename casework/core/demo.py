"""Demo data every workflow shares: the demo people and valid identifiers.

``DEMO_PEOPLE`` are the workers (and one individual hiring party) without logins
whom the demo cases of every workflow name. ``resident_id`` and ``credit_code``
complete the first 17 characters of a resident ID number (GB 11643) or a unified
social credit code (GB 32100) with their check character, so demo and bulk data
pass the same checks as real numbers.
"""

from stdnum.cn import uscc

# -- resident ID numbers (GB 11643) ---------------------------------------------------

RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
AREA_CODE = "110105"  # 北京市朝阳区


def resident_id(body: str) -> str:
    """The 18-character number for the first 17 digits: the GB 11643 check character added."""
    total = sum(int(digit) * weight for digit, weight in zip(body, RIC_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


# -- unified social credit codes (GB 32100) --------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(body: str) -> str:
    """The 18-character unified social credit code: the GB 32100 check character added."""
    return body + uscc.calc_check_digit(body)


# -- the demo people -------------------------------------------------------------------

# Demo workers and an individual hiring party without logins: (key, name, first 17 ID digits,
# mobile). The 17th digit is odd for men and even for women.
DEMO_PEOPLE = [
    ("liu", "刘大海", "11010519780415031", "13800000011"),
    ("huang", "黄桂英", "11010519820923024", "13800000012"),
    ("ma", "马小军", "11010519900101051", "13800000013"),
    ("he", "何春梅", "11010519870312062", "13800000014"),
    ("zhou", "周志勇", "11010519751120073", "13800000015"),
    ("wu", "吴晓燕", "11010519950707086", "13800000016"),
    ("sun", "孙铁柱", "11010519690228097", "13800000017"),
    ("wang", "王德发", "11010519720830115", "13900000018"),  # a labour contractor
]
