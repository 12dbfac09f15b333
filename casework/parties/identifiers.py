"""Checking, normalising and masking identifiers (GB 11643, GB 32100, mobile numbers)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from casework.core.formfields import nfkc

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")  # ASCII digits only: \d also matches ١٢٣


def normalise_ric(value: str) -> str:
    """Return the compact resident ID number or raise ValidationError with the reason."""
    compact = re.sub(r"[\s-]", "", nfkc(value)).upper()
    try:
        return ric.validate(compact)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("The check digit of this ID number is wrong; please compare it with the card."),
            code="ric_checksum",
        ) from None
    except stdnum_errors.InvalidLength:
        raise ValidationError(
            _("A resident ID number has 18 characters."), code="ric_length"
        ) from None
    except stdnum_errors.InvalidComponent:
        raise ValidationError(
            _("The birth date or area code in this ID number is not valid."),
            code="ric_component",
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError(
            _("This is not a valid resident ID number."), code="ric_invalid"
        ) from None


def ric_birth_date(number: str) -> datetime.date:
    return ric.get_birth_date(number)


def ric_sex(number: str) -> str:
    # The 17th character (sequence code) is odd for men and even for women.
    return "M" if int(number[16]) % 2 else "F"


def check_uscc(value: str) -> tuple[str, ValidationError | None]:
    """Return (compact code, problem); a failed check digit is a problem staff may override."""
    compact = uscc.compact(nfkc(value))
    try:
        return uscc.validate(compact), None
    except stdnum_errors.InvalidChecksum:
        return compact, ValidationError(
            _(
                "The check character of this credit code is wrong. Some early genuine codes "
                "fail this check: a supervisor may accept it with a reason."
            ),
            code="uscc_checksum",
        )
    except stdnum_errors.ValidationError:
        return compact, ValidationError(
            _(
                "A unified social credit code has 18 characters "
                "from 0-9 and A-Y (no I, O, S, V, Z)."
            ),
            code="uscc_format",
        )


def normalise_mobile(value: str) -> str:
    compact = re.sub(r"[\s-]", "", nfkc(value))
    if compact.startswith("+86"):
        compact = compact[3:]
    if not MOBILE_RE.match(compact):
        raise ValidationError(
            _("Enter an 11-digit mainland mobile number starting with 1."), code="mobile"
        )
    return compact


def mask_id(number: str) -> str:
    """110105********002X: area code and last four, as lists and letters show it."""
    if not number:
        return ""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(number: str) -> str:
    if not number:
        return ""
    if len(number) < 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str) -> str:
    """张*, 欧阳**: the surname only, for public pages."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name
