from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "legal_aid_referred": _("Referred to legal aid"),
    "legal_aid_accepted": _("Legal aid: accepted by the centre"),
    "legal_aid_declined": _("Legal aid: declined by the centre"),
    "legal_aid_concluded": _("Legal aid: outcome recorded"),
}


class LegalAidConfig(AppConfig):
    name = "casework.legalaid"
    label = "legalaid"
    verbose_name = _("Legal-aid referrals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from casework.core.diagram import register_event_labels
        from casework.legalaid import (
            portal,  # noqa: F401  (the worker's section of the portal home)
            queues,  # noqa: F401  (the home page's line)
        )
        from casework.legalaid.access import register_document_scope

        register_document_scope()
        # The steps are written on the trail of a case of any workflow: every case
        # history names them (casework.core.diagram.labelled_events).
        register_event_labels(EVENT_LABELS)
        # Each workflow says which of its cases may be referred in its legalaid.py.
        autodiscover_modules("legalaid")
