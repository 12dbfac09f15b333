"""Tencent Cloud SMS (API 2021-01-11, SendSms).

Settings: TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TENCENT_SMS_SDK_APP_ID,
TENCENT_SMS_SIGN_NAME, TENCENT_REGION (ap-guangzhou), TENCENT_SMS_ENDPOINT
(sms.tencentcloudapi.com), GATEWAY_TIMEOUT_SECONDS, GATEWAY_SCHEME; template ids from
SMS_TEMPLATE_CODES (docs/gateways.md).
"""

from casework.core.gateways import NoAnswer, log_failure, national_number, scrub, setting
from casework.core.gateways.tencent_cloud import TencentError, call
from casework.core.sms import SendResult, Sms, SmsError, template_code

REJECTED = {
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
    "FailedOperation.TemplateUnapprovedOrNotExist",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.PhoneNumberParseFail",
    "FailedOperation.ContainSensitiveWord",
    "FailedOperation.MissingSignature",
    "FailedOperation.MissingTemplateToModify",
    # Too many numbers in one request: not a rate limit, the same request fails again.
    "LimitExceeded.PhoneNumberCountLimit",
}
REJECTED_PREFIXES = ("InvalidParameterValue.", "InvalidParameter.", "UnsupportedOperation.")
THROTTLED_PREFIXES = ("LimitExceeded", "RequestLimitExceeded")


def classify(code: str, http_status: int = 200) -> tuple[str, bool]:
    """(status, retry) of an error code (docs/gateways.md, "Errors")."""
    if code in REJECTED or code.startswith(REJECTED_PREFIXES):
        return "rejected", False
    if code.startswith(THROTTLED_PREFIXES):
        return "throttled", True
    return "failed", code.startswith("InternalError") or http_status >= 500


class TencentSmsBackend:
    """Sends each message through Tencent Cloud's SendSms; SessionContext carries its key."""

    provider = "tencent"
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
            "PhoneNumberSet": [f"+86{national_number(message.to)}"],
            "SmsSdkAppId": str(setting("TENCENT_SMS_SDK_APP_ID")),
            "SignName": str(setting("TENCENT_SMS_SIGN_NAME")),
            "TemplateId": template_code(message),
            "TemplateParamSet": [value for _name, value in message.params],
            "SessionContext": message.key,
        }
        try:
            response = call(
                host=str(setting("TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com")),
                service="sms",
                action="SendSms",
                version="2021-01-11",
                region=str(setting("TENCENT_REGION", "ap-guangzhou")),
                params=params,
            )
        except NoAnswer as error:
            raise SmsError("timeout", "no-answer", str(error), retry=True) from error
        except TencentError as error:
            status, retry = classify(error.code, error.http_status)
            raise SmsError(
                status, error.code, scrub(error.message, message.to), retry=retry
            ) from error
        return self._result(response, message)

    def _result(self, response: dict, message: Sms) -> SendResult:
        """The call succeeds as a whole; each number has its own Code ("Ok" when sent)."""
        statuses = response.get("SendStatusSet") or [{}]
        sent = statuses[0]
        code = str(sent.get("Code", "no-status"))
        if code == "Ok":
            return SendResult(provider_id=str(sent.get("SerialNo", "")))
        status, retry = classify(code)
        raise SmsError(status, code, scrub(str(sent.get("Message", "")), message.to), retry=retry)
