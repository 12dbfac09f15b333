from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from casework.core.diagram import mermaid


class Command(BaseCommand):
    help = "Print a case model's state diagram (Mermaid), drawn from its transitions."

    def add_arguments(self, parser) -> None:
        parser.add_argument("model", help="app_label.ModelName, e.g. disputes.Dispute")
        parser.add_argument(
            "--language", default="en", help="language of the step labels (default en; zh-hans)"
        )

    def handle(self, *args, model: str, language: str, **options) -> None:
        with translation.override(language):
            self._print(model)

    def _print(self, model: str) -> None:
        try:
            model_cls = apps.get_model(model)
        except (LookupError, ValueError) as exc:
            raise CommandError(f"{model}: {exc}") from None
        try:
            self.stdout.write(mermaid(model_cls))
        except Exception as exc:  # a model without an FSM state field
            raise CommandError(f"{model} has no state transitions: {exc}") from None
