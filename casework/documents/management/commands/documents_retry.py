"""Render failed documents again, and send the pending renders that are due.

python manage.py documents_retry                 # every failed document
python manage.py documents_retry 12 ABCD-EFGH-…  # by id or verification code
"""

from django.core.management.base import BaseCommand, CommandError

from casework.documents import services
from casework.documents.forms import normalize_code
from casework.documents.models import Document


class Command(BaseCommand):
    help = (
        "Render failed documents again (all of them, or those given by id or verification "
        "code), then send the pending renders that are due, as the beat sweep does."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("documents", nargs="*", help="document ids or verification codes")

    def handle(self, *args, documents: list[str], **options) -> None:
        for doc in self._chosen(documents):
            if services.document_retry(doc.pk):
                self.stdout.write(f"{self._name(doc)}: failed ({doc.error}); rendering again")
            else:
                self.stdout.write(f"{self._name(doc)}: {doc.status}, not failed; left alone")
        # Without a beat process (the embedded set-up) nothing else sends them.
        result = services.document_sweep()
        self.stdout.write(
            f"sweep: {result.sent} pending sent, {result.unsent} could not be sent, "
            f"{result.lost} lost renders taken back, {result.given_up} given up, "
            f"{result.temp_removed} dead temporary files removed"
        )

    def _chosen(self, wanted: list[str]) -> list[Document]:
        if not wanted:
            return list(Document.objects.filter(status=Document.Status.FAILED).order_by("pk"))
        return [self._find(value) for value in wanted]

    def _find(self, value: str) -> Document:
        if value.isdigit():
            found = Document.objects.filter(pk=int(value))
        else:
            found = Document.objects.filter(verification_code=normalize_code(value))
        try:
            return found.get()
        except Document.DoesNotExist:
            raise CommandError(f"no document {value}") from None

    @staticmethod
    def _name(doc: Document) -> str:
        return f"document {doc.pk} ({doc.title} v{doc.version}, {doc.verification_code})"
