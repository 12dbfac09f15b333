from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "casework.core"
    label = "core"
    verbose_name = _("Case core")

    def ready(self) -> None:
        from casework.core import checks  # noqa: F401  (registers system checks)
