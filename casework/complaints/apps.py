from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "casework.complaints"
    label = "complaints"
    verbose_name = _("Complaints against intermediaries")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework.complaints import queues  # noqa: F401  (registers the home-page queues)
        from casework.complaints.access import complaints_visible_to, register_document_scopes
        from casework.complaints.models import Complaint
        from casework.complaints.views import portal  # noqa: F401  (registers the party pages)
        from casework.parties import cases

        register_document_scopes()
        cases.register(
            Complaint,
            "complainant",
            organisations=("respondent",),
            visible_to=complaints_visible_to,
            url_name="complaints:detail",
        )
