"""Back up the database, the media files and the secret key into a dated folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write casework-YYYYmmdd-HHMMSS/ under --to: the database (pg_dump -Fc, or a copy of "
        "the SQLite file), the media files (a tar, or the list of objects in the bucket), the "
        "secret key file and MANIFEST.txt (SHA-256 of every file, what to keep offline)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--to", required=True, metavar="DIR", help="folder for the backups")
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            metavar="N",
            help="afterwards delete all but the newest N backups in DIR (default 0: keep all)",
        )

    def handle(self, *args, **options) -> None:
        if options["keep"] < 0:
            raise CommandError("--keep must be 0 or more")
        try:
            result = backup(Path(options["to"]), keep=options["keep"])
        except (BackupError, OSError) as exc:
            raise CommandError(f"backup failed: {exc}") from None
        self.stdout.write(f"Backup written to {result.folder}: {', '.join(result.files)}.")
        for note in result.notes:
            self.stdout.write(f"Keep offline, separately: {note}")
        self.stdout.write(self.style.SUCCESS("Backup complete."))
