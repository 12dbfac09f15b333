from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    label = "agreements"
    verbose_name = _("Gig agreements")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from agreements import queues  # noqa: F401  (registers the home-page queues)
        from agreements.access import _register_document_scopes, agreements_visible_to
        from agreements.models import Agreement
        from agreements.views import portal  # noqa: F401  (registers the party pages)
        from casework.parties import cases

        _register_document_scopes()
        cases.register(
            Agreement,
            "worker",
            "hiring_person",
            "hiring_signer",
            organisations=("hiring_organization", "intermediary"),
            visible_to=agreements_visible_to,
            url_name="agreements:detail",
        )
