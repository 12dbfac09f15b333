from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "casework.directory"
    label = "directory"
    verbose_name = _("Market directory")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from casework.directory.card import card_figures
        from casework.documents.market_card import card_figures_hook

        # A workflow that knows a directory figure (e.g. agreements signed) derives it in
        # its own directory.py, through casework.directory.registry.
        autodiscover_modules("directory")
        # The sealed market card prints the directory's figures (documents cannot import us).
        card_figures_hook.set(card_figures)
