"""System checks: a missing CJK font or HarfBuzz subsetting fails `manage.py check`."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from casework.documents import checks, registry

FONTS_WITHOUT_CJK = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def manage_check(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_manage_py_check_passes_on_this_machine():
    result = manage_check()

    assert result.returncode == 0, result.stderr
    assert "documents.E" not in result.stdout + result.stderr


def test_check_fails_naming_the_font_package_when_cjk_fonts_are_hidden(tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTS_WITHOUT_CJK.format(cache=tmp_path / "cache"))

    result = manage_check(FONTCONFIG_FILE=str(conf))

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "documents.E001" in output
    assert "fonts-noto-cjk" in output


def test_the_font_check_finds_the_installed_cjk_font():
    assert "Noto Sans CJK SC" in checks.cjk_font_families()
    assert checks.check_cjk_font() == []


def test_check_fails_naming_the_harfbuzz_package_without_subsetting(monkeypatch):
    from weasyprint.text import ffi

    assert checks.check_harfbuzz_subset() == []
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)

    [error] = checks.check_harfbuzz_subset()

    assert error.id == "documents.E002"
    assert "libharfbuzz-subset0" in error.hint


def test_a_configured_seal_file_that_is_missing_is_an_error(settings, tmp_path):
    settings.SEAL_CERT_FILE = str(tmp_path / "seal.pem")
    settings.SEAL_KEY_FILE = ""

    [error] = checks.check_seal_files()

    assert error.id == "documents.E003"
    assert "SEAL_KEY_FILE=(empty)" in error.msg


def test_a_transition_naming_an_unknown_document_kind_is_an_error(monkeypatch):
    assert checks.check_document_kinds() == []
    monkeypatch.setitem(registry._TRANSITIONS, ("caseapp.samplecase", "close"), ["no_such_kind"])

    [error] = checks.check_document_kinds()

    assert error.id == "documents.E004"
    assert "no_such_kind" in error.msg


def test_every_registered_template_exists():
    templates = Path(settings.BASE_DIR, "templates")
    assert (templates / "pdf" / "base.html").exists()
    assert checks.check_document_kinds() == []
