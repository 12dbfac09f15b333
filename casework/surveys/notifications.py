"""The survey invitation's text message (casework.notifications; docs/notifications.md).

Chinese, as the market registers it with its SMS provider; the parameters in order."""

from django.utils.translation import gettext_lazy as _

from casework.notifications.registry import Template, register

INVITATION = "survey_invitation"

register(
    Template(
        INVITATION,
        _("Satisfaction survey invitation"),
        "您的事项（{code}）已办结。请对本次服务作出评价（非常满意、满意、基本满意、不满意、"
        "非常不满意），30日内有效，仅可评价一次：{url}",
        params=("code", "url"),
    ),
)
