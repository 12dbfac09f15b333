from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from casework.core.diagram import mermaid


class Command(BaseCommand):
    help = "Print a case model's state diagram (Mermaid), drawn from its transitions."

    def add_arguments(self, parser) -> None:
        parser.add_argument("model", help="app_label.ModelName, e.g. disputes.Dispute")

    def handle(self, *args, model: str, **options) -> None:
        try:
            model_cls = apps.get_model(model)
        except (LookupError, ValueError) as exc:
            raise CommandError(f"{model}: {exc}") from None
        try:
            self.stdout.write(mermaid(model_cls))
        except Exception as exc:  # a model without an FSM state field
            raise CommandError(f"{model} has no state transitions: {exc}") from None
