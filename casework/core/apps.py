from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "casework.core"
    label = "core"
    verbose_name = _("Case core")

    def ready(self) -> None:
        from casework.core import (
            checks,  # noqa: F401  (registers system checks)
            logs,  # noqa: F401  (the request id's Celery signals)
        )
        from casework.core.queues import Queue, register
        from casework.core.roles import Role
        from casework.core.views import recent_access_count

        access = Queue(
            _("Personal data access log (last 7 days)"), "access_log", recent_access_count
        )
        register(Role.AUDITOR, access)
        register(Role.SUPERVISOR, access)
