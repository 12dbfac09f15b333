from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "casework.reports"
    label = "reports"
    verbose_name = _("Statistics and ledgers")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from casework.core.queues import Queue, register
        from casework.core.roles import Role

        # Each workflow app declares what it reports in its reports.py.
        autodiscover_modules("reports")
        # The regional role's home page: its markets' statistics.
        register(
            Role.REGIONAL, Queue(_("Statistics of my markets"), "reports:index", _market_count)
        )


def _market_count(user) -> int:
    from casework.core.models import markets_for

    return markets_for(user).count()
