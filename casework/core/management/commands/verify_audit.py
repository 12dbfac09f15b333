"""Check every audit chain; exit 1 naming the first broken row of each broken chain."""

from django.core.management.base import BaseCommand, CommandError

from casework.core.audit import verify_chains
from casework.core.models import CaseEvent


class Command(BaseCommand):
    help = "Verify the hash chains of all case events (exit status 1 if any chain is broken)."

    def handle(self, *args, **options) -> None:
        rows, broken = verify_chains()
        chains = CaseEvent.objects.values("subject_type", "subject_id").distinct().count()
        self.stdout.write(f"Checked {rows} case events in {chains} chains.")
        if not broken:
            self.stdout.write(self.style.SUCCESS("All audit chains are intact."))
            return
        for link in broken:
            self.stderr.write(str(link))
        raise CommandError(f"{len(broken)} broken audit chain(s); first: {broken[0]}")
