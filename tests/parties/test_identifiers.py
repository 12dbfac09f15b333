from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from casework.core.formfields import AmountField
from casework.parties import identifiers
from casework.parties.forms import PersonForm
from casework.parties.models import Person
from tests.conftest import EMPLOYER_USCC, WANG_ID


def test_the_standard_example_id_number_is_accepted_and_normalised():
    assert identifiers.normalise_ric("11010519491231002x") == WANG_ID
    assert identifiers.normalise_ric(" 110105 19491231 002X ") == WANG_ID


def test_birth_date_and_sex_come_from_the_id_number():
    assert str(identifiers.ric_birth_date(WANG_ID)) == "1949-12-31"
    assert identifiers.ric_sex(WANG_ID) == "F"
    assert identifiers.ric_sex("110105199003071239") == "M"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "ric_checksum"),
        ("1101051949123100", "ric_length"),
        ("110105194913310021", "ric_component"),
    ],
)
def test_a_bad_id_number_says_what_is_wrong(number, code):
    with pytest.raises(ValidationError) as exc:
        identifiers.normalise_ric(number)
    assert exc.value.code == code


def test_credit_code_check_passes_the_standard_example():
    assert identifiers.check_uscc(EMPLOYER_USCC) == (EMPLOYER_USCC, None)


def test_credit_code_with_a_wrong_check_character_is_an_overridable_problem():
    code, problem = identifiers.check_uscc("91350100M000100Y44")
    assert code == "91350100M000100Y44"
    assert problem.code == "uscc_checksum"


def test_credit_code_with_forbidden_letters_is_a_format_error():
    _code, problem = identifiers.check_uscc("91350100M00010OY43")
    assert problem.code == "uscc_format"


@pytest.mark.parametrize("raw", ["13800138000", "138 0013 8000", "+8613800138000", "138-0013-8000"])
def test_mobile_numbers_are_normalised(raw):
    assert identifiers.normalise_mobile(raw) == "13800138000"


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "0755-1234567", ""])
def test_a_bad_mobile_number_is_refused(raw):
    with pytest.raises(ValidationError):
        identifiers.normalise_mobile(raw)


def test_masks_keep_only_what_identifies_the_record():
    assert identifiers.mask_id(WANG_ID) == "110105********002X"
    assert identifiers.mask_phone("13800138000") == "138****8000"
    assert identifiers.mask_name("王小明") == "王**"
    assert identifiers.mask_name("王") == "王"
    assert identifiers.mask_id("") == ""


# -- full-width input (phone keyboards in Chinese mode) ---------------------------------


def full_width(text: str) -> str:
    """The same characters as a Chinese phone keyboard types them: １３８, Ｘ, ．."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_full_width_identifiers_are_stored_as_ascii(db):
    person = Person(name="全角", id_number=full_width(WANG_ID), mobile=full_width("13800138000"))
    person.full_clean(exclude=["user"])
    person.save()

    person = Person.objects.get(pk=person.pk)
    assert (person.id_number, person.mobile) == (WANG_ID, "13800138000")
    assert identifiers.check_uscc(full_width(EMPLOYER_USCC)) == (EMPLOYER_USCC, None)


@pytest.mark.parametrize("digits", ["١٣٨٠٠١٣٨٠٠٠", "۱۳۸۰۰۱۳۸۰۰۰"])
def test_digits_of_other_scripts_are_not_a_mobile_number(digits):
    # Python's \d matches them, and NFKC leaves them as they are.
    with pytest.raises(ValidationError):
        identifiers.normalise_mobile(digits)


def test_a_full_width_amount_is_read_as_the_same_amount():
    field = AmountField(max_digits=12, decimal_places=2)

    assert field.clean(full_width("1234.50")) == Decimal("1234.50")


def test_a_wrong_check_digit_gives_exactly_one_message(db):
    wrong = WANG_ID[:-1] + ("0" if WANG_ID[-1] != "0" else "1")
    form = PersonForm(
        data={"name": "王小明", "id_number": wrong, "mobile": "13800138000", "address": ""}
    )

    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["id_number"]] == ["ric_checksum"]
    assert list(form.errors) == ["id_number"]
