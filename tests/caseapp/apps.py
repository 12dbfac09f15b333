from django.apps import AppConfig


class CaseAppConfig(AppConfig):
    """A minimal workflow used only by the tests to exercise the case core.

    casework.documents autodiscovers its documents.py like any workflow app's; its
    home-page queue and its party page join by registration alone (queues.py and
    portal.py, imported below): no file outside tests/caseapp names it but the
    INSTALLED_APPS line of tests/settings.py.
    """

    name = "tests.caseapp"
    label = "caseapp"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tests.caseapp import portal, queues  # noqa: F401  (register themselves)
