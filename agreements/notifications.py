"""The gig agreements' text messages (casework.notifications; docs/notifications.md).

The texts are those the market registers with its SMS provider: Chinese, with the
parameters in the order given. The signing code is urgent (sent at any hour) and secret
(masked in what staff see, dropped from the stored parameters once sent)."""

from django.utils.translation import gettext_lazy as _

from casework.notifications.registry import Template, register

SIGNING_CODE = "agreement_signing_code"
READY_TO_SIGN = "agreement_ready_to_sign"
SIGNED = "agreement_signed"

register(
    Template(
        SIGNING_CODE,
        _("Agreement: signing code"),
        "您正在签署零工服务协议{code}，文本摘要{digest}，验证码{otp}，{minutes}分钟内有效。"
        "验证码仅用于本人签署，请勿告诉他人。",
        params=("code", "digest", "otp", "minutes"),
        urgent=True,
        secret=("otp",),
    ),
    Template(
        READY_TO_SIGN,
        _("Agreement ready to sign"),
        "零工服务协议{code}已发出待签署，请于{deadline}前登录零工市场服务平台查看并签署。",
        params=("code", "deadline"),
    ),
    Template(
        SIGNED,
        _("Agreement in force"),
        "零工服务协议{code}已由双方签署生效。您可随时登录零工市场服务平台免费查看和下载协议。",
        params=("code",),
    ),
)
