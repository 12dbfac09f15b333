"""The portal's text message (casework.notifications; docs/notifications.md, docs/portal.md).

The sign-in code is urgent (sent in the quiet hours too) and secret: the stored text
shows it masked."""

from django.utils.translation import gettext_lazy as _

from casework.notifications.registry import Template, register

SIGNIN_CODE = "portal_signin_code"

register(
    Template(
        SIGNIN_CODE,
        _("Portal sign-in code"),
        "您的登录验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信，"
        "切勿将验证码告诉他人。",
        params=("code", "minutes"),
        urgent=True,
        secret=("code",),
    ),
)
