"""Sign-in for the party API (docs/api.md, "Signing in"): the portal's text code
(docs/portal.md), answered with tokens instead of a session.

The same rules as the sign-in pages: the same form validation, the same rate limits
(counted together with the pages'), the same answer for every well-formed number when a
code is sent (no enumeration), and only a portal login (worker, hiring party) gets
tokens. A number without a portal login is told to register in the portal.
"""

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from casework.api import registry, tokens
from casework.api.errors import ApiError, form_error, responses
from casework.api.schemas import Accepted
from casework.core.audit import client_ip
from portal import accounts
from portal.forms import CodeForm, MobileForm

router = Router(tags=["sign-in"])


class CodeIn(Schema):
    mobile: str


class TokenIn(Schema):
    mobile: str
    code: str


class RefreshIn(Schema):
    refresh_token: str


class RevokeIn(Schema):
    token: str


class TokenOut(Schema):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    refresh_expires_in: int


def _mobile(value: str) -> str:
    form = MobileForm({"mobile": value})
    if not form.is_valid():
        raise form_error(form)
    return form.cleaned_data["mobile"]


def _limited() -> ApiError:
    return ApiError(429, _("Too many codes were asked for; try again in an hour."))


@router.post(
    "/auth/code",
    response=responses({202: Accepted}),
    url_name="auth_code",
    auth=None,
    summary="Send a sign-in code by text message",
)
def send_code(request, payload: CodeIn):
    mobile = _mobile(payload.mobile)
    if accounts.send_limit_reached(request, mobile):
        raise _limited()
    try:
        accounts.code_send(mobile=mobile, client_ip=client_ip(request))
    except accounts.Refused as refused:
        raise ApiError(429, refused.message, code="resend_too_soon") from None
    return Status(
        202, {"detail": _("A code was sent by text message if the number is well formed.")}
    )


@router.post(
    "/auth/token",
    response=responses({200: TokenOut}, 403),
    url_name="auth_token",
    auth=None,
    summary="Exchange the code for an access and a refresh token",
)
def token(request, payload: TokenIn):
    mobile = _mobile(payload.mobile)
    if accounts.entry_limit_reached(request):
        raise _limited()
    form = CodeForm({"code": payload.code})
    if not form.is_valid():
        raise form_error(form)
    try:
        accounts.code_check(mobile=mobile, code=form.cleaned_data["code"])
    except accounts.Refused as refused:
        raise ApiError(
            422, refused.message, code="code_refused", fields={"code": [refused.message]}
        ) from None
    user = accounts.portal_user_for(mobile)
    if user is None:
        raise ApiError(
            403,
            _("This number has no portal login yet: register in the portal first."),
            code="not_registered",
        )
    return tokens.issue(user, client_ip=client_ip(request)).__dict__


@router.post(
    "/auth/refresh",
    response=responses({200: TokenOut}),
    url_name="auth_refresh",
    auth=None,
    summary="A new token pair for a refresh token",
)
def refresh(request, payload: RefreshIn):
    pair = tokens.refresh(payload.refresh_token.strip(), client_ip=client_ip(request))
    if pair is None:
        raise ApiError(401, _("The refresh token is not valid any more: sign in again."))
    return pair.__dict__


@router.post(
    "/auth/revoke",
    response=responses({200: Accepted}),
    url_name="auth_revoke",
    auth=None,
    summary="Sign out: end the sign-in of an access or refresh token",
)
def revoke(request, payload: RevokeIn):
    # The same answer whether or not the token existed: it proves nothing about others.
    tokens.revoke(payload.token.strip())
    return {"detail": _("Signed out.")}


registry.add_router("", router, tags=["sign-in"])
