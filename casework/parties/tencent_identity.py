"""Tencent Cloud FaceID identity check (API 2018-03-01, IdCardVerification): name and
resident ID number against the authoritative register.

Settings: TENCENT_SECRET_ID, TENCENT_SECRET_KEY, TENCENT_FACEID_ENDPOINT
(faceid.tencentcloudapi.com), GATEWAY_TIMEOUT_SECONDS, GATEWAY_SCHEME (docs/gateways.md).

It reads only ``name`` and ``id_number`` of the person, and answers with an
IdentityResult, or raises IdentityServiceUnavailable (casework.parties.verification).
"""

import logging
from typing import Protocol

from casework.core.gateways import NoAnswer, setting
from casework.core.gateways.tencent_cloud import TencentError, call
from casework.core.logs import mask_personal_data
from casework.parties.verification import IdentityResult, IdentityServiceUnavailable

logger = logging.getLogger(__name__)

# The documented results that are an answer about the person (0 passes).
REFUSALS = {
    "-1": "姓名与身份证号不一致",
    "-2": "身份证号不合法（长度或校验位不正确）",
    "-3": "姓名不合法（长度或格式不正确）",
    "-5": "证件库中无此身份证号的记录",
}
# The service's own trouble: no answer about the person; ask again later.
UNAVAILABLE = {
    "-4": "证件库服务异常",
    "-6": "权威比对系统升级中，请稍后再试",
    "-7": "认证次数超过当日限制",
}


class PersonLike(Protocol):
    name: str
    id_number: str


def _unavailable(
    code: str, detail: str, retry: bool, person: PersonLike, ref: str = ""
) -> IdentityServiceUnavailable:
    """Logs the one line an unanswered check writes (no name, no ID number)."""
    logger.warning(
        "identity tencent unavailable: code=%s retry=%s person=%s request=%s: %s",
        code,
        retry,
        getattr(person, "pk", None) or "-",
        ref or "-",
        detail,
    )
    return IdentityServiceUnavailable(code, detail, retry=retry)


def _api_retry(code: str, http_status: int) -> bool:
    transient = ("InternalError", "RequestLimitExceeded", "LimitExceeded", "FailedOperation")
    return code.startswith(transient) or http_status >= 500


class TencentIdentityBackend:
    """Asks FaceID's IdCardVerification whether name and ID number belong together."""

    provider = "tencent"
    demo = False

    def verify(self, person: PersonLike) -> IdentityResult:
        try:
            response = call(
                host=str(setting("TENCENT_FACEID_ENDPOINT", "faceid.tencentcloudapi.com")),
                service="faceid",
                action="IdCardVerification",
                version="2018-03-01",
                region="",  # the API takes no region
                params={"IdCard": person.id_number, "Name": person.name},
            )
        except NoAnswer as error:
            raise _unavailable("timeout", str(error), True, person) from error
        except TencentError as error:
            retry = _api_retry(error.code, error.http_status)
            raise _unavailable(
                error.code, mask_personal_data(error.message)[:300], retry, person
            ) from error
        return self._answer(response, person)

    def _answer(self, response: dict, person: PersonLike) -> IdentityResult:
        result = str(response.get("Result", ""))
        reference = str(response.get("RequestId", ""))
        if result == "0":
            return IdentityResult(True, reference=reference)
        if result in REFUSALS:
            logger.info("identity tencent refused: result=%s request=%s", result, reference)
            return IdentityResult(False, reference=reference, note=REFUSALS[result])
        detail = UNAVAILABLE.get(
            result, mask_personal_data(str(response.get("Description", "")))[:300]
        )
        raise _unavailable(f"Result {result}", detail, result in UNAVAILABLE, person, reference)
