"""The Tencent Cloud FaceID identity check against a local fake of IdCardVerification."""

import time

import pytest

from casework.parties.models import Person
from casework.parties.tencent_identity import TencentIdentityBackend
from casework.parties.verification import IdentityResult, IdentityServiceUnavailable
from tests.conftest import LI_ID
from tests.core.gateways.fakes import TencentFaceIdFake, closed_port_host, warnings_of

SECRET_ID, SECRET_KEY = "AKIDFakeSecretIdOfTheTest", "fake-secret-key-of-the-test"


@pytest.fixture
def fake(settings):
    with TencentFaceIdFake({SECRET_ID: SECRET_KEY}) as server:
        settings.TENCENT_SECRET_ID = SECRET_ID
        settings.TENCENT_SECRET_KEY = SECRET_KEY
        settings.TENCENT_FACEID_ENDPOINT = server.host
        settings.GATEWAY_SCHEME = "http"
        settings.GATEWAY_TIMEOUT_SECONDS = 0.5
        yield server


@pytest.fixture
def person() -> Person:
    return Person(name="李四", id_number=LI_ID)  # never saved: no database needed


def verify_unavailable(person, caplog) -> tuple[IdentityServiceUnavailable, str]:
    with pytest.raises(IdentityServiceUnavailable) as raised:
        TencentIdentityBackend().verify(person)
    (line,) = warnings_of(caplog, "casework.parties.tencent_identity")
    assert LI_ID not in line and "李四" not in line
    return raised.value, line


def test_a_signed_request_asks_about_name_and_id_number_and_passes(fake, person):
    answer = TencentIdentityBackend().verify(person)

    assert answer == IdentityResult(True, reference="3e9c2f5e-5d1f-4b8e-9b0e-6c1f0c7a9d21")
    (request,) = fake.requests
    assert request.verified
    assert request.headers["x-tc-action"] == "IdCardVerification"
    assert request.headers["x-tc-version"] == "2018-03-01"
    assert request.params == {"IdCard": LI_ID, "Name": "李四"}


def test_a_mismatch_is_a_failed_check_with_a_chinese_note(fake, person):
    fake.mode = "mismatch"
    answer = TencentIdentityBackend().verify(person)
    assert (answer.passed, answer.note) == (False, "姓名与身份证号不一致")
    assert answer.reference


def test_the_register_out_of_service_is_unavailable_not_a_failed_check(fake, person, caplog):
    fake.mode = "unavailable"  # Result -4
    error, line = verify_unavailable(person, caplog)

    assert (error.code, error.retry) == ("Result -4", True)
    assert "identity tencent unavailable" in line and "证件库服务异常" in line


def test_a_rate_limit_is_unavailable_and_retried(fake, person, caplog):
    fake.mode = "throttled"
    error, _line = verify_unavailable(person, caplog)
    assert (error.code, error.retry) == ("RequestLimitExceeded", True)


def test_a_silent_service_times_out(fake, person, caplog):
    fake.mode = "silent"
    started = time.monotonic()
    error, line = verify_unavailable(person, caplog)

    assert time.monotonic() - started < 2
    assert (error.code, error.retry) == ("timeout", True)
    assert "code=timeout" in line


def test_a_refused_connection_is_unavailable(fake, settings, person, caplog):
    settings.TENCENT_FACEID_ENDPOINT = closed_port_host()
    error, _line = verify_unavailable(person, caplog)
    assert (error.code, error.retry) == ("timeout", True)


def test_a_wrong_secret_is_refused_by_the_signature_check(fake, settings, person, caplog):
    settings.TENCENT_SECRET_KEY = "not-the-secret-key"
    error, line = verify_unavailable(person, caplog)

    assert (error.code, error.retry) == ("AuthFailure.SignatureFailure", False)
    assert not fake.requests[0].verified
    assert "AuthFailure.SignatureFailure" in line


def test_the_gateway_is_a_production_part():
    assert (TencentIdentityBackend.provider, TencentIdentityBackend.demo) == ("tencent", False)
