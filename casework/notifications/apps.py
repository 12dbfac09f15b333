from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "casework.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from casework.notifications import tasks  # noqa: F401  (services send its task)

        # Each workflow app declares its messages in its notifications.py.
        autodiscover_modules("notifications")
