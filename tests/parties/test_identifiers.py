import pytest
from django.core.exceptions import ValidationError

from casework.parties import identifiers
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
