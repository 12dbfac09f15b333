from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "casework.disputes"
    label = "disputes"
    verbose_name = _("Wage disputes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from casework.core import invariants
        from casework.disputes import (
            arbitration_documents,  # noqa: F401  (the hand-off packet)
            queues,  # noqa: F401  (registers the home-page queues)
        )
        from casework.disputes.access import _register_document_scopes, disputes_visible_to
        from casework.disputes.invariants import payment_violations
        from casework.disputes.models import Dispute
        from casework.disputes.views import portal  # noqa: F401  (registers the party pages)
        from casework.parties import cases

        _register_document_scopes()
        cases.register(
            Dispute,
            "applicants",
            "respondent_person",
            organisations=("respondent_organization",),
            visible_to=disputes_visible_to,
            url_name="disputes:detail",
        )
        invariants.register(payment_violations)
