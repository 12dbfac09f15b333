"""The API's OpenAPI schema as a file (docs/api/openapi.json), and a check that it is current.

manage.py api_schema                               print it
manage.py api_schema --write docs/api/openapi.json  write it
manage.py api_schema --check docs/api/openapi.json  exit 1, with a diff, when the file differs

The content is what GET /api/v1/openapi.json serves, as sorted, indented JSON, so a change
of the API shows up as a readable diff in review.
"""

import difflib
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import translation
from ninja.responses import NinjaJSONEncoder

from casework.api.site import get_api

DIFF_LINES = 60


def schema_text() -> str:
    # The served schema is built in the request's language; the file is in the default one.
    with translation.override(settings.LANGUAGE_CODE):
        schema = get_api().get_openapi_schema(path_prefix=reverse("api:api-root"))
        # The encoder of the served answer: lazy strings and the like become plain JSON.
        plain = json.loads(json.dumps(schema, cls=NinjaJSONEncoder))
    return json.dumps(plain, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def short_diff(old: str, new: str, name: str) -> str:
    lines = list(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=name,
            tofile="the served schema",
            n=2,
        )
    )
    shown = "".join(lines[:DIFF_LINES])
    if len(lines) > DIFF_LINES:
        shown += f"... and {len(lines) - DIFF_LINES} more lines of diff\n"
    return shown


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a build step: the warnings are for running sites
    help = "Print, write or check the API's OpenAPI schema (docs/api/openapi.json)."

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", metavar="FILE", help="write the schema to FILE")
        group.add_argument(
            "--check", metavar="FILE", help="exit non-zero with a diff when FILE differs"
        )

    def handle(self, *args, write: str | None, check: str | None, **options) -> None:
        text = schema_text()
        if write:
            Path(write).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {write}")
        elif check:
            self._check(Path(check), text)
        else:
            self.stdout.write(text, ending="")

    def _check(self, path: Path, text: str) -> None:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old == text:
            return
        self.stderr.write(short_diff(old, text, str(path)), ending="")
        raise CommandError(
            f"{path} is not the served schema: run manage.py api_schema --write {path}"
        )
