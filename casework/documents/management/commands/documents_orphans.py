"""List (and with --delete remove) stored files that no row references.

python manage.py documents_orphans            # list them
python manage.py documents_orphans --delete   # and remove them
"""

import datetime

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from casework.documents.files import orphan_files


class Command(BaseCommand):
    help = (
        "List the files under documents/ and evidence/ that no document or evidence row "
        "references (left by killed renders or rolled-back uploads); --delete removes them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--delete", action="store_true", help="remove the files listed")
        parser.add_argument(
            "--older-than",
            type=int,
            default=60,
            metavar="MINUTES",
            # A render or an upload in progress has a file not referenced *yet*.
            help="only files last changed this many minutes ago or earlier (default 60)",
        )

    def handle(self, *args, delete: bool, older_than: int, **options) -> None:
        orphans = orphan_files(older_than=datetime.timedelta(minutes=older_than))
        for name in orphans:
            if delete:
                default_storage.delete(name)
            self.stdout.write(f"{'deleted' if delete else 'orphan'}: {name}")
        verb = "deleted" if delete else "found (use --delete to remove them)"
        self.stdout.write(f"{len(orphans)} orphan files {verb}")
