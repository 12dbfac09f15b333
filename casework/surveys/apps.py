from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "casework.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each workflow declares who is asked about its cases in its surveys.py.
        autodiscover_modules("surveys")
