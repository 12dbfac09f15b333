"""Check every audit chain; exit 1 naming the first broken row of each broken chain.

With --digests, also check the chains against every daily audit digest and each
digest against its sealed copy: a chain rebuilt with correct hashes fails there.
"""

from django.core.management.base import BaseCommand, CommandError

from casework.core.audit import verify_chains
from casework.core.digests import verify_digests
from casework.core.models import CaseEvent


class Command(BaseCommand):
    help = "Verify the hash chains of all case events (exit status 1 if any chain is broken)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--digests",
            action="store_true",
            help="also check the chains against every sealed daily audit digest",
        )

    def handle(self, *args, **options) -> None:
        rows, broken = verify_chains()
        chains = CaseEvent.objects.values("subject_type", "subject_id").distinct().count()
        self.stdout.write(f"Checked {rows} case events in {chains} chains.")
        problems = [str(link) for link in broken]
        if options["digests"]:
            problems += self._digests()
        if not problems:
            self.stdout.write(self.style.SUCCESS("All audit chains are intact."))
            return
        for problem in problems:
            self.stderr.write(problem)
        raise CommandError(f"{len(problems)} audit problem(s); first: {problems[0]}")

    def _digests(self) -> list[str]:
        report = verify_digests()
        self.stdout.write(
            f"Checked {report.digests} audit digests ({report.heads} sealed chain heads)."
        )
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        if not report.digests:
            self.stdout.write("note: no audit digest has been taken yet (manage.py audit_digest)")
        return report.problems
