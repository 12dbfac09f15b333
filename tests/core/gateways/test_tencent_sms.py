"""The Tencent Cloud SMS gateway against a local fake of SendSms (tests/core/gateways/fakes.py)."""

import time

import pytest

from casework.core.gateways import tencent_sms
from casework.core.gateways.tencent_sms import TencentSmsBackend
from casework.core.sms import Sms, SmsError
from tests.core.gateways.fakes import TencentSmsFake, closed_port_host, warnings_of

SECRET_ID, SECRET_KEY = "AKIDFakeSecretIdOfTheTest", "fake-secret-key-of-the-test"
MESSAGE = Sms(
    to="13812345678",
    text="您的签署验证码为 482913，10 分钟内有效。",
    purpose="signing_code",
    params=(("code", "482913"), ("minutes", "10")),
    key="agreement-41:worker:signing-code-3",
)


@pytest.fixture
def fake(settings):
    with TencentSmsFake({SECRET_ID: SECRET_KEY}) as server:
        settings.TENCENT_SECRET_ID = SECRET_ID
        settings.TENCENT_SECRET_KEY = SECRET_KEY
        settings.TENCENT_SMS_SDK_APP_ID = "1400006666"
        settings.TENCENT_SMS_SIGN_NAME = "零工市场"
        settings.TENCENT_REGION = "ap-guangzhou"
        settings.TENCENT_SMS_ENDPOINT = server.host
        settings.GATEWAY_SCHEME = "http"
        settings.GATEWAY_TIMEOUT_SECONDS = 0.5
        settings.SMS_TEMPLATE_CODES = {"signing_code": "1110"}
        yield server


def send_failing(caplog) -> tuple[SmsError, str]:
    with pytest.raises(SmsError) as raised:
        TencentSmsBackend().send(MESSAGE)
    (line,) = warnings_of(caplog)
    return raised.value, line


def test_a_signed_request_carries_the_message_and_returns_the_serial_number(fake):
    result = TencentSmsBackend().send(MESSAGE)

    assert result.provider_id == "2640:104571066915705365784949619"
    (request,) = fake.requests
    assert request.verified
    assert request.headers["x-tc-action"] == "SendSms"
    assert request.headers["x-tc-version"] == "2021-01-11"
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    assert request.params == {
        "PhoneNumberSet": ["+8613812345678"],
        "SmsSdkAppId": "1400006666",
        "SignName": "零工市场",
        "TemplateId": "1110",
        "TemplateParamSet": ["482913", "10"],  # the values, in the template's order
        "SessionContext": MESSAGE.key,
    }


def test_a_per_number_limit_is_throttled_and_logged_with_a_masked_number(fake, caplog):
    fake.mode = "throttled"  # the call succeeds; the number's SendStatus says why not
    error, line = send_failing(caplog)

    assert (error.status, error.code, error.retry) == (
        "throttled",
        "LimitExceeded.PhoneNumberDailyLimit",
        True,
    )
    assert "sms tencent throttled" in line and MESSAGE.key in line
    assert "138****5678" in line and "13812345678" not in line  # also out of the provider's text
    assert "13812345678" not in error.detail
    assert "482913" not in line


def test_an_unapproved_template_is_rejected_for_good(fake, caplog):
    fake.mode = "rejected"
    error, line = send_failing(caplog)

    assert (error.status, error.code, error.retry) == (
        "rejected",
        "FailedOperation.TemplateIncorrectOrUnapproved",
        False,
    )
    assert "sms tencent rejected" in line and "138****5678" in line


def test_a_silent_provider_times_out(fake, caplog):
    fake.mode = "silent"
    started = time.monotonic()
    error, line = send_failing(caplog)

    assert time.monotonic() - started < 2
    assert (error.status, error.retry) == ("timeout", True)
    assert "sms tencent timeout" in line


def test_a_refused_connection_is_a_timeout(fake, settings, caplog):
    settings.TENCENT_SMS_ENDPOINT = closed_port_host()
    error, _line = send_failing(caplog)
    assert (error.status, error.retry) == ("timeout", True)


def test_a_wrong_secret_is_refused_by_the_signature_check(fake, settings, caplog):
    settings.TENCENT_SECRET_KEY = "not-the-secret-key"
    error, line = send_failing(caplog)

    assert (error.status, error.code, error.retry) == (
        "failed",
        "AuthFailure.SignatureFailure",
        False,
    )
    assert not fake.requests[0].verified
    assert "AuthFailure.SignatureFailure" in line


def test_an_unknown_secret_id_is_refused(fake, settings, caplog):
    settings.TENCENT_SECRET_ID = "AKIDSomebodyElse"
    error, _line = send_failing(caplog)
    assert (error.status, error.code) == ("failed", "AuthFailure.SecretIdNotFound")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("LimitExceeded.PhoneNumberThirtySecondLimit", ("throttled", True)),
        ("LimitExceeded.DeliveryFrequencyLimit", ("throttled", True)),
        ("RequestLimitExceeded", ("throttled", True)),
        ("LimitExceeded.PhoneNumberCountLimit", ("rejected", False)),
        ("FailedOperation.SignatureIncorrectOrUnapproved", ("rejected", False)),
        ("InvalidParameterValue.IncorrectPhoneNumber", ("rejected", False)),
        ("InvalidParameterValue.TemplateParameterFormatError", ("rejected", False)),
        ("FailedOperation.PhoneNumberInBlacklist", ("rejected", False)),
        ("InternalError.Timeout", ("failed", True)),
        ("FailedOperation.InsufficientBalanceInSmsPackage", ("failed", False)),
    ],
)
def test_error_codes_map_to_a_status(code, expected):
    assert tencent_sms.classify(code) == expected


def test_the_gateway_is_a_production_part():
    assert (TencentSmsBackend.provider, TencentSmsBackend.demo) == ("tencent", False)
