from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "casework.reports"
    label = "reports"
    verbose_name = _("Statistics and ledgers")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each workflow app declares what it reports in its reports.py.
        autodiscover_modules("reports")
