from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    label = "assistance"
    verbose_name = _("Hardship assistance")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from assistance import queues  # noqa: F401  (registers the home-page queues)
        from assistance.access import cases_visible_to
        from assistance.models import AssistanceCase
        from assistance.views import portal  # noqa: F401  (registers the party pages)
        from casework.parties import cases

        cases.register(
            AssistanceCase, "person", visible_to=cases_visible_to, url_name="assistance:detail"
        )
