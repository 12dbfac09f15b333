from django.apps import AppConfig


class CaseAppConfig(AppConfig):
    """A minimal workflow used only by the tests to exercise the case core.

    casework.documents autodiscovers its documents.py like any workflow app's.
    """

    name = "tests.caseapp"
    label = "caseapp"
    default_auto_field = "django.db.models.BigAutoField"
