"""Security headers on every page, and templates that need no inline script or style."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# Pages a browser shows. templates/pdf/ is rendered by WeasyPrint into PDFs, never served.
PAGE_TEMPLATES = sorted(
    path
    for folder in [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
    if ".venv" not in folder.parts
    for path in folder.rglob("*.html")
    if "pdf" not in path.relative_to(folder).parts
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"|\son[a-z]+=\"|javascript:", re.I)


def test_the_templates_were_found():
    assert len(PAGE_TEMPLATES) > 50


@pytest.mark.parametrize("path", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_an_inline_script_or_style(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "move the script to static/js/"
    assert not INLINE_STYLE.search(text), "move the style to static/css/"


@pytest.mark.parametrize("url_name", ["login", "complaints_public:report", "healthz"])
def test_every_response_carries_the_security_headers(client, db, url_name):
    response = client.get(reverse(url_name))

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_a_staff_page_with_a_script_loads_it_from_static(client, carol_caseworker):
    client.force_login(carol_caseworker)

    page = client.get(reverse("agreements:new")).content.decode()

    assert re.search(r'<script src="/static/js/agreements-new\.js" defer>', page)
    assert not INLINE_SCRIPT.search(page)
