from django.apps import AppConfig


class CaseAppConfig(AppConfig):
    """A minimal workflow used only by the tests to exercise the case core.

    casework.documents autodiscovers its documents.py like any workflow app's; its
    party page joins the portal by registration alone (portal.py, imported below).
    """

    name = "tests.caseapp"
    label = "caseapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tests.caseapp import portal  # noqa: F401  (registers the party page)
