"""Take today's audit digest now, if the daily beat job has not (docs/architecture.md)."""

from django.core.management.base import BaseCommand

from casework.core.digests import take_digest


class Command(BaseCommand):
    help = "Take today's audit digest of every chain head and issue its sealed document."

    def handle(self, *args, **options) -> None:
        digest, new = take_digest()
        what = "Took" if new else "Already taken:"
        self.stdout.write(
            f"{what} the audit digest of {digest.day}: {digest.chains} chains, "
            f"{digest.events} events, SHA-256 {digest.sha256}"
        )
