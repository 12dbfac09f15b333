from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "casework.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from casework.documents import checks  # noqa: F401  (registers system checks)

        # Each workflow app declares the documents its transitions produce in documents.py.
        autodiscover_modules("documents")
