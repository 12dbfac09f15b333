"""Restore a backup folder into a new, empty database and the media folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Check every file of a backup folder against MANIFEST.txt, then restore its database "
        "into the configured database (which must be empty: createdb a new one), its media "
        "files into MEDIA_ROOT and its secret key file into CASEWORK_VAR_DIR."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--from", dest="source", required=True, metavar="DIR", help="a backup folder"
        )

    def handle(self, *args, **options) -> None:
        try:
            done = restore(Path(options["source"]))
        except (BackupError, OSError) as exc:
            raise CommandError(f"restore failed: {exc}") from None
        for line in done:
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                "Restore complete. Next: python manage.py migrate, verify_audit, check_invariants."
            )
        )
