"""Check what must hold for every case; exit 1 naming the first violation."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from casework.core.invariants import case_models, find_violations


class Command(BaseCommand):
    help = (
        "Check every case of every workflow against its audit trail, its flow tasks, its "
        "payments and its stored files (exit status 1 if anything is wrong)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--orphan-grace",
            type=int,
            default=0,
            metavar="MINUTES",
            help="Ignore unreferenced files younger than this (an upload or a render in progress "
            "on a live system). Default 0.",
        )

    def handle(self, *args, **options) -> None:
        grace = timedelta(minutes=options["orphan_grace"])
        violations = find_violations(orphans_older_than=grace)
        cases = sum(model.objects.count() for model in case_models())
        self.stdout.write(f"Checked {cases} cases.")
        if not violations:
            self.stdout.write(self.style.SUCCESS("All invariants hold."))
            return
        for violation in violations:
            self.stderr.write(str(violation))
        raise CommandError(f"{len(violations)} invariant violation(s); first: {violations[0]}")
