"""Alibaba Cloud SMS (Dysmsapi 2017-05-25, SendSms) with the RPC signature (HMAC-SHA1).

Settings: ALIYUN_SMS_ACCESS_KEY_ID, ALIYUN_SMS_ACCESS_KEY_SECRET, ALIYUN_SMS_SIGN_NAME,
ALIYUN_SMS_ENDPOINT (dysmsapi.aliyuncs.com), GATEWAY_TIMEOUT_SECONDS, GATEWAY_SCHEME;
template codes from SMS_TEMPLATE_CODES (docs/gateways.md).
"""

import base64
import datetime
import hashlib
import hmac
import json
import uuid
from urllib.parse import quote, urlencode

from casework.core.gateways import NoAnswer, log_failure, national_number, post, scrub, setting
from casework.core.sms import SendResult, Sms, SmsError, template_code

THROTTLED = {
    "isv.BUSINESS_LIMIT_CONTROL",  # per-number frequency limit
    "isv.DAY_LIMIT_CONTROL",  # the account's daily limit (console setting)
    "isv.MONTH_LIMIT_CONTROL",
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
}
REJECTED = {
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.INVALID_JSON_PARAM",
    "isv.INVALID_PARAMETERS",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.PARAM_NOT_SUPPORT_URL",
    "isv.SMS_CONTENT_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SMS_SIGN_ILLEGAL",
    "isv.SIGN_STATE_ILLEGAL",
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.EXTEND_CODE_ERROR",
}
# The provider's own trouble: the same message may go through later.
TRANSIENT = {"isp.SYSTEM_ERROR", "InternalError", "ServiceUnavailable"}


def percent_encode(value: str) -> str:
    """RFC 3986 as the RPC signature wants it: space %20, * %2A, ~ kept."""
    return quote(value, safe="~")


def rpc_signature(method: str, params: dict[str, str], secret: str) -> str:
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items())
    )
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_params(action_params: dict[str, str]) -> dict[str, str]:
    params = {
        "AccessKeyId": str(setting("ALIYUN_SMS_ACCESS_KEY_ID")),
        "Action": "SendSms",
        "Format": "JSON",
        "RegionId": str(setting("ALIYUN_SMS_REGION", "cn-hangzhou")),
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": uuid.uuid4().hex,  # the provider refuses a replayed nonce
        "SignatureVersion": "1.0",
        "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": "2017-05-25",
        **action_params,
    }
    secret = str(setting("ALIYUN_SMS_ACCESS_KEY_SECRET"))
    params["Signature"] = rpc_signature("POST", params, secret)
    return params


def classify(code: str, http_status: int) -> tuple[str, bool]:
    """(status, retry) of an error code (docs/gateways.md, "Errors")."""
    if code in THROTTLED or code.startswith("Throttling"):
        return "throttled", True
    if code in REJECTED:
        return "rejected", False
    return "failed", code in TRANSIENT or http_status >= 500


class AliyunSmsBackend:
    """Sends each message through Alibaba Cloud's SendSms; OutId carries its key."""

    provider = "aliyun"
    demo = False
    keeps_outbox = False

    def send(self, message: Sms) -> SendResult:
        try:
            return self._send(message)
        except SmsError as error:
            log_failure(self.provider, message, error)
            raise

    def _send(self, message: Sms) -> SendResult:
        params = {
            "PhoneNumbers": national_number(message.to),
            "SignName": str(setting("ALIYUN_SMS_SIGN_NAME")),
            "TemplateCode": template_code(message),
            # A JSON object of the template's variables (the provider matches them by name).
            "TemplateParam": json.dumps(dict(message.params), ensure_ascii=False),
        }
        if message.key:
            params["OutId"] = message.key
        body = urlencode(signed_params(params), quote_via=quote).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        host = str(setting("ALIYUN_SMS_ENDPOINT", "dysmsapi.aliyuncs.com"))
        try:
            reply = post(host, "/", body, headers)
        except NoAnswer as error:
            raise SmsError("timeout", "no-answer", str(error), retry=True) from error
        code = str(reply.body.get("Code") or f"HTTP {reply.status}")
        if code == "OK":
            return SendResult(provider_id=str(reply.body.get("BizId", "")))
        status, retry = classify(code, reply.status)
        detail = scrub(str(reply.body.get("Message", "")), message.to)
        raise SmsError(status, code, detail, retry=retry)
