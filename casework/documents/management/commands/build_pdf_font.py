"""Rebuild the documents' font (casework/documents/pdf_font.py) from the installed
Noto Sans CJK SC, after fonts-noto-cjk changes.

python manage.py build_pdf_font
"""

import shutil
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.documents import pdf_font


def installed_face(family: str) -> tuple[Path, int]:
    """(file, face index) of the installed font ``family``, as fontconfig finds it."""
    fc_match = shutil.which("fc-match")
    if not fc_match:
        raise CommandError("fc-match not found: apt-get install fontconfig")
    found = subprocess.run(  # noqa: S603 (a fixed program, the family is ours)
        [fc_match, "-f", "%{file}\t%{index}\t%{family}", family],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout
    path, _tab, rest = found.partition("\t")
    index, _tab, families = rest.partition("\t")
    if not path or family not in families.split(","):
        raise CommandError(f"{family} is not installed: apt-get install fonts-noto-cjk")
    return Path(path), int(index or 0)


class Command(BaseCommand):
    help = "Cut the documents' font (GB 2312 and Latin) out of the installed Noto Sans CJK SC."

    def handle(self, *args, **options) -> None:
        source, index = installed_face(pdf_font.SOURCE_FAMILY)
        target = pdf_font.font_path()
        glyphs = pdf_font.build(source, index, target)
        size = target.stat().st_size
        self.stdout.write(f"{target}: {glyphs} glyphs, {size} bytes, from {source} (face {index})")
