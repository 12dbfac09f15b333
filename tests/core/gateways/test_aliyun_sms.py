"""The Alibaba Cloud SMS gateway against a local fake of SendSms (tests/core/gateways/fakes.py)."""

import json
import time

import pytest

from casework.core.gateways import aliyun_sms
from casework.core.gateways.aliyun_sms import AliyunSmsBackend
from casework.core.sms import Sms, SmsError
from tests.core.gateways.fakes import AliyunSmsFake, aliyun_signature, closed_port_host, warnings_of

KEY_ID, SECRET = "LTAI5tFakeKeyId", "fake-secret-of-the-test"
MESSAGE = Sms(
    to="13812345678",
    text="您的签署验证码为 482913，10 分钟内有效。",
    purpose="signing_code",
    params=(("code", "482913"), ("minutes", "10")),
    key="agreement-41:worker:signing-code-3",
)


@pytest.fixture
def fake(settings):
    with AliyunSmsFake({KEY_ID: SECRET}) as server:
        settings.ALIYUN_SMS_ACCESS_KEY_ID = KEY_ID
        settings.ALIYUN_SMS_ACCESS_KEY_SECRET = SECRET
        settings.ALIYUN_SMS_SIGN_NAME = "零工市场"
        settings.ALIYUN_SMS_ENDPOINT = server.host
        settings.GATEWAY_SCHEME = "http"
        settings.GATEWAY_TIMEOUT_SECONDS = 0.5
        settings.SMS_TEMPLATE_CODES = {"signing_code": "SMS_154950909"}
        yield server


def send_failing(caplog) -> tuple[SmsError, str]:
    with pytest.raises(SmsError) as raised:
        AliyunSmsBackend().send(MESSAGE)
    (line,) = warnings_of(caplog)
    return raised.value, line


def test_the_fakes_check_reproduces_the_documented_example():
    """Alibaba Cloud's own example of the RPC signature (DescribeRegions, testsecret)."""
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    expected = "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    assert aliyun_signature("GET", params, "testsecret") == expected
    assert aliyun_sms.rpc_signature("GET", params, "testsecret") == expected


def test_a_signed_request_carries_the_message_and_returns_the_bizid(fake):
    result = AliyunSmsBackend().send(MESSAGE)

    assert result.provider_id == "900619746936498440^0"
    (request,) = fake.requests
    assert request.verified
    params = request.params
    assert (params["Action"], params["Version"], params["Format"]) == (
        "SendSms",
        "2017-05-25",
        "JSON",
    )
    assert params["PhoneNumbers"] == "13812345678"
    assert params["SignName"] == "零工市场"
    assert params["TemplateCode"] == "SMS_154950909"
    # A JSON object of the template's variables, in the message's order.
    assert list(json.loads(params["TemplateParam"]).items()) == [
        ("code", "482913"),
        ("minutes", "10"),
    ]
    assert params["OutId"] == MESSAGE.key
    assert "482913，10 分钟" not in request.body.decode()  # the text itself is never sent


def test_a_number_with_the_country_code_is_sent_as_eleven_digits(fake):
    AliyunSmsBackend().send(Sms(to="+86 138 1234 5678", text="t", purpose="signing_code"))
    assert fake.requests[0].params["PhoneNumbers"] == "13812345678"


def test_throttled_is_retried_later_and_logged_with_a_masked_number(fake, caplog):
    fake.mode = "throttled"
    error, line = send_failing(caplog)

    assert (error.status, error.code, error.retry) == (
        "throttled",
        "isv.BUSINESS_LIMIT_CONTROL",
        True,
    )
    assert "sms aliyun throttled" in line
    assert "isv.BUSINESS_LIMIT_CONTROL" in line and MESSAGE.key in line
    assert "138****5678" in line and "13812345678" not in line
    assert "482913" not in line  # neither the text nor its parameters


def test_an_unknown_template_is_rejected_for_good(fake, caplog):
    fake.mode = "rejected"
    error, line = send_failing(caplog)

    assert (error.status, error.code, error.retry) == (
        "rejected",
        "isv.SMS_TEMPLATE_ILLEGAL",
        False,
    )
    assert "sms aliyun rejected" in line and "138****5678" in line


def test_a_silent_provider_times_out(fake, caplog):
    fake.mode = "silent"
    started = time.monotonic()
    error, line = send_failing(caplog)

    assert time.monotonic() - started < 2  # the client's 0.5 s, not the fake's 3 s
    assert (error.status, error.retry) == ("timeout", True)
    assert "sms aliyun timeout" in line and "138****5678" in line


def test_a_refused_connection_is_a_timeout(fake, settings, caplog):
    settings.ALIYUN_SMS_ENDPOINT = closed_port_host()
    error, _line = send_failing(caplog)
    assert (error.status, error.retry) == ("timeout", True)


def test_a_wrong_secret_is_refused_by_the_signature_check(fake, settings, caplog):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"
    error, line = send_failing(caplog)

    assert (error.status, error.code, error.retry) == ("failed", "SignatureDoesNotMatch", False)
    assert not fake.requests[0].verified
    assert "SignatureDoesNotMatch" in line


def test_a_template_without_a_provider_code_is_rejected_before_sending(fake, settings, caplog):
    settings.SMS_TEMPLATE_CODES = {}
    error, line = send_failing(caplog)

    assert (error.status, error.code, error.retry) == ("rejected", "no-template-code", False)
    assert fake.requests == []
    assert "no-template-code" in line


@pytest.mark.parametrize(
    ("code", "http_status", "expected"),
    [
        ("isv.DAY_LIMIT_CONTROL", 200, ("throttled", True)),
        ("Throttling.User", 400, ("throttled", True)),
        ("isv.SMS_SIGNATURE_ILLEGAL", 200, ("rejected", False)),
        ("isv.MOBILE_NUMBER_ILLEGAL", 200, ("rejected", False)),
        ("isv.TEMPLATE_MISSING_PARAMETERS", 200, ("rejected", False)),
        ("isp.SYSTEM_ERROR", 200, ("failed", True)),
        ("ServiceUnavailable", 503, ("failed", True)),
        ("isv.OUT_OF_SERVICE", 200, ("failed", False)),
        ("InvalidAccessKeyId.NotFound", 404, ("failed", False)),
    ],
)
def test_error_codes_map_to_a_status(code, http_status, expected):
    assert aliyun_sms.classify(code, http_status) == expected


def test_the_gateway_is_a_production_part():
    assert (AliyunSmsBackend.provider, AliyunSmsBackend.demo) == ("aliyun", False)
