"""Fixtures for the document tests: PDF tools and fresh rate limits."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.cache import cache

from casework.documents import services
from casework.documents.models import Document
from casework.documents.views import rate_limit_key

TEST_ADDRESSES = ("127.0.0.1", "10.9.9.9")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Only our own keys: with CACHE_URL set the cache is a shared Redis database.
    keys = [rate_limit_key(address) for address in TEST_ADDRESSES]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def run_tool(name: str, *args: str) -> str:
    """Run one of the poppler-utils tools and return what it printed."""
    executable = shutil.which(name)
    assert executable, f"{name} is missing: apt-get install poppler-utils"
    return subprocess.run([executable, *args], capture_output=True, text=True, check=True).stdout


def pdftotext(data: bytes, tmp_path: Path, *, layout: bool = False) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return run_tool("pdftotext", *(["-layout"] if layout else []), str(path), "-")


def squeeze(text: str) -> str:
    """Text without any whitespace: pdftotext's spacing between CJK glyphs varies."""
    return "".join(text.split())


def render_now(doc: Document) -> Document:
    """Render a pending document the way the task does, and return the fresh row."""
    return services.document_render(doc.pk)
