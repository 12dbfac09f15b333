"""Local stand-ins for Alibaba Cloud SMS and Tencent Cloud SMS / FaceID.

Each is a threaded HTTP server on 127.0.0.1 (a free port) that checks a request's
signature with its own implementation of the provider's documented algorithm (not the
gateway's code), records the request and answers as the provider documents. ``mode``
picks the answer: "ok", "throttled", "rejected" (a template the provider does not
know), "silent" (accepts the connection and never answers), and for FaceID "mismatch"
and "unavailable".
"""

import base64
import datetime
import hashlib
import hmac
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: bytes
    params: dict = field(default_factory=dict)  # the parsed form or JSON body
    verified: bool = False  # the signature matched


class FakeServer:
    """Start with ``with Fake(...) as fake``; ``fake.host`` is "127.0.0.1:port"."""

    silent_seconds = 3.0  # longer than the tests' client timeout

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = secrets  # key id -> secret
        self.mode = "ok"
        self.requests: list[Recorded] = []
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,))

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()  # wakes a "silent" handler
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def answer(self, request: Recorded) -> tuple[int, dict]:
        raise NotImplementedError

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Recorded(self.path, headers, self.rfile.read(length))
                fake.requests.append(request)
                if fake.mode == "silent":
                    fake._stop.wait(fake.silent_seconds)
                    self.close_connection = True
                    return
                status, data = fake.answer(request)
                body = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # quiet test output
                pass

        return Handler


# --- Alibaba Cloud: RPC signature (HMAC-SHA1), form-encoded POST ---------------------------


def aliyun_encode(value: str) -> str:
    """The documented recipe: URL-encode in UTF-8, then + -> %20, * -> %2A, %7E -> ~."""
    encoded = urllib.parse.quote_plus(value.encode("utf-8"))
    return encoded.replace("+", "%20").replace("*", "%2A").replace("%7E", "~")


def aliyun_signature(method: str, params: dict[str, str], secret: str) -> str:
    pairs = sorted((aliyun_encode(k), aliyun_encode(v)) for k, v in params.items())
    query = "&".join(f"{k}={v}" for k, v in pairs)
    string_to_sign = method + "&" + aliyun_encode("/") + "&" + aliyun_encode(query)
    mac = hmac.new((secret + "&").encode(), string_to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


class AliyunSmsFake(FakeServer):
    ANSWERS = {
        "ok": {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"},
        "throttled": {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"},
        "rejected": {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "该账号下找不到对应模板"},
    }

    def __init__(self, secrets: dict[str, str]) -> None:
        super().__init__(secrets)
        self.nonces: set[str] = set()

    def answer(self, request: Recorded) -> tuple[int, dict]:
        params = dict(urllib.parse.parse_qsl(request.body.decode(), keep_blank_values=True))
        request.params = params
        refusal = self.check_signature(params)
        if refusal:
            return refusal
        request.verified = True
        return 200, {**self.ANSWERS[self.mode], "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990"}

    def check_signature(self, params: dict[str, str]) -> tuple[int, dict] | None:
        signature = params.pop("Signature", "")
        secret = self.secrets.get(params.get("AccessKeyId", ""))
        if secret is None:
            return 404, {
                "Code": "InvalidAccessKeyId.NotFound",
                "Message": "Specified access key is not found.",
            }
        if params.get("SignatureMethod") != "HMAC-SHA1" or params.get("SignatureVersion") != "1.0":
            return 400, {"Code": "InvalidParameter", "Message": "SignatureMethod/Version"}
        when = datetime.datetime.strptime(params.get("Timestamp", ""), "%Y-%m-%dT%H:%M:%SZ")
        if abs(when.replace(tzinfo=datetime.UTC).timestamp() - time.time()) > 900:
            return 400, {
                "Code": "InvalidTimeStamp.Expired",
                "Message": "Specified time stamp or date value is expired.",
            }
        nonce = params.get("SignatureNonce", "")
        if not nonce or nonce in self.nonces:
            return 400, {
                "Code": "SignatureNonceUsed",
                "Message": "Specified signature nonce was used already.",
            }
        self.nonces.add(nonce)
        if not hmac.compare_digest(signature, aliyun_signature("POST", params, secret)):
            return 400, {
                "Code": "SignatureDoesNotMatch",
                "Message": "Specified signature is not matched with our calculation.",
            }
        return None


# --- Tencent Cloud: TC3-HMAC-SHA256 in the Authorization header, JSON POST ---------------

_AUTHORIZATION = re.compile(
    r"TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[a-z]+)"
    r"/tc3_request, SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})"
)


def tc3_signature(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    secret_date = sign(("TC3" + secret_key).encode("utf-8"), date)
    secret_signing = sign(sign(secret_date, service), "tc3_request")
    return hmac.new(secret_signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def tencent_error(code: str, message: str) -> dict:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "req-error"}}


class TencentFake(FakeServer):
    service = ""
    action = ""
    version = ""

    def answer(self, request: Recorded) -> tuple[int, dict]:
        refusal = self.check_signature(request)
        if refusal:
            return 200, refusal  # Tencent Cloud answers errors with HTTP 200
        request.verified = True
        request.params = json.loads(request.body)
        return 200, self.reply(request)

    def reply(self, request: Recorded) -> dict:
        raise NotImplementedError

    def check_signature(self, request: Recorded) -> dict | None:
        found = _AUTHORIZATION.fullmatch(request.headers.get("authorization", ""))
        if not found:
            return tencent_error("AuthFailure.InvalidAuthorization", "Authorization is invalid.")
        secret_key = self.secrets.get(found["id"])
        if secret_key is None:
            return tencent_error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        timestamp = int(request.headers.get("x-tc-timestamp", "0"))
        day = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
        if abs(timestamp - time.time()) > 300 or day != found["date"]:
            return tencent_error("AuthFailure.SignatureExpire", "Signature expired.")
        if found["service"] != self.service or request.headers.get("x-tc-action") != self.action:
            return tencent_error("AuthFailure.InvalidAuthorization", "Wrong service or action.")
        if request.headers.get("x-tc-version") != self.version:
            return tencent_error("NoSuchVersion", "The API version does not exist.")
        signed = found["signed"].split(";")
        if not {"content-type", "host"} <= set(signed):
            return tencent_error(
                "AuthFailure.InvalidAuthorization", "host and content-type must be signed."
            )
        # Header names and values lower-cased and trimmed, as the document says.
        canonical_headers = "".join(
            f"{h}:{request.headers.get(h, '').strip().lower()}\n" for h in signed
        )
        canonical_request = "\n".join(
            [
                "POST",
                "/",
                "",
                canonical_headers,
                found["signed"],
                hashlib.sha256(request.body).hexdigest(),
            ]
        )
        scope = f"{found['date']}/{found['service']}/tc3_request"
        digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
        string_to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{digest}"
        expected = tc3_signature(secret_key, found["date"], found["service"], string_to_sign)
        if not hmac.compare_digest(expected, found["signature"]):
            return tencent_error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. "
                "Please check your signature is correct.",
            )
        return None


class TencentSmsFake(TencentFake):
    service, action, version = "sms", "SendSms", "2021-01-11"

    def reply(self, request: Recorded) -> dict:
        if self.mode == "rejected":
            return tencent_error(
                "FailedOperation.TemplateIncorrectOrUnapproved",
                "template is not approved or request content does not match "
                "the approved template content",
            )
        number = request.params["PhoneNumberSet"][0]
        sent = {
            "Code": "Ok",
            "Message": "send success",
            "SerialNo": "2640:104571066915705365784949619",
        }
        if self.mode == "throttled":
            sent = {
                "Code": "LimitExceeded.PhoneNumberDailyLimit",
                "Message": f"the SMS sent to {number} in a day exceed the limit",
                "SerialNo": "",
            }
        status = {
            **sent,
            "PhoneNumber": number,
            "Fee": 1 if sent["Code"] == "Ok" else 0,
            "SessionContext": request.params.get("SessionContext", ""),
            "IsoCode": "CN",
        }
        return {
            "Response": {
                "SendStatusSet": [status],
                "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
            }
        }


class TencentFaceIdFake(TencentFake):
    service, action, version = "faceid", "IdCardVerification", "2018-03-01"
    RESULTS = {
        "ok": ("0", "姓名和身份证号一致"),
        "mismatch": ("-1", "姓名和身份证号不一致"),
        "unavailable": ("-4", "证件库服务异常"),
    }

    def reply(self, request: Recorded) -> dict:
        if self.mode == "throttled":
            return tencent_error(
                "RequestLimitExceeded", "The number of requests exceeds the frequency limit."
            )
        result, description = self.RESULTS[self.mode]
        return {
            "Response": {
                "Result": result,
                "Description": description,
                "RequestId": "3e9c2f5e-5d1f-4b8e-9b0e-6c1f0c7a9d21",
            }
        }


# --- helpers for the tests --------------------------------------------------------------


def closed_port_host() -> str:
    """127.0.0.1 and a port nobody listens on: the connection is refused."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"127.0.0.1:{port}"


def warnings_of(caplog, logger: str = "casework.core.gateways") -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelname == "WARNING" and record.name.startswith(logger)
    ]
