"""Tencent Cloud API 3.0: a JSON POST signed with TC3-HMAC-SHA256 (shared by SMS and FaceID).

Settings: TENCENT_SECRET_ID, TENCENT_SECRET_KEY; the endpoint and region come from the
caller. An answer with ``Response.Error`` raises TencentError; no answer raises NoAnswer.
"""

import datetime
import hashlib
import hmac
import json

from casework.core.gateways import Reply, post, setting

CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED_HEADERS = "content-type;host;x-tc-action"


class TencentError(Exception):
    def __init__(self, code: str, message: str, http_status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.http_status = code, message, http_status


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(
    *,
    host: str,
    service: str,
    action: str,
    payload: bytes,
    timestamp: int,
    secret_id: str,
    secret_key: str,
) -> str:
    """The Authorization header of a request (Tencent Cloud's "Signature v3")."""
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    canonical_headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action.lower()}\n"
    canonical_request = "\n".join(
        ["POST", "/", "", canonical_headers, SIGNED_HEADERS, hashlib.sha256(payload).hexdigest()]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders={SIGNED_HEADERS}, Signature={signature}"
    )


def call(*, host: str, service: str, action: str, version: str, region: str, params: dict) -> dict:
    """The ``Response`` object of a successful call. ``service`` names the product in
    the signature's scope ("sms", "faceid"): the endpoint may be a proxy or a test server."""
    payload = json.dumps(params).encode()
    timestamp = int(datetime.datetime.now(datetime.UTC).timestamp())
    headers = {
        "Content-Type": CONTENT_TYPE,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Timestamp": str(timestamp),
        "X-TC-Version": version,
        "Authorization": authorization(
            host=host,
            service=service,
            action=action,
            payload=payload,
            timestamp=timestamp,
            secret_id=str(setting("TENCENT_SECRET_ID")),
            secret_key=str(setting("TENCENT_SECRET_KEY")),
        ),
    }
    if region:
        headers["X-TC-Region"] = region
    return _response(post(host, "/", payload, headers))


def _response(reply: Reply) -> dict:
    response = reply.body.get("Response")
    if not isinstance(response, dict):
        raise TencentError(f"HTTP {reply.status}", "no Response in the answer", reply.status)
    error = response.get("Error")
    if isinstance(error, dict):
        raise TencentError(str(error.get("Code", "")), str(error.get("Message", "")), reply.status)
    return response
