"""The portal is a shell: workflows plug their party pages and home sections into it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import path, reverse

from casework.core import portal as registry
from tests.caseapp.models import SampleCase

WORKFLOW_PACKAGES = ("agreements", "assistance", "casework.disputes", "casework.complaints")


def test_the_portal_imports_no_workflow():
    imported = set()
    for source in (Path(settings.BASE_DIR) / "portal").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert not [m for m in imported if m.startswith(WORKFLOW_PACKAGES)]


def test_the_home_sections_come_in_the_registered_order():
    names = [w.name for w in registry.workflows()]
    assert names.index("agreements") < names.index("disputes") < names.index("complaints")


def test_a_test_workflow_plugs_its_party_page_in_by_registration(client, wang_worker, market):
    case = SampleCase.objects.create(market=market, owner=wang_worker)
    client.force_login(wang_worker)
    page = client.get(reverse("portal:home")).content.decode()
    assert "My sample cases" in page
    url = reverse("portal:sample", args=[case.code])
    assert url == f"/portal/samples/{case.code}/"
    assert url in page
    assert client.get(url).content.decode() == f"{case.code}: received"


def test_the_test_workflow_shows_nothing_to_others(client, wang_worker, li_worker, market):
    case = SampleCase.objects.create(market=market, owner=wang_worker)
    client.force_login(li_worker)
    assert "My sample cases" not in client.get(reverse("portal:home")).content.decode()
    assert client.get(reverse("portal:sample", args=[case.code])).status_code == 404


def test_a_url_name_is_registered_once():
    taken = registry.PortalWorkflow(
        name="another", urls=[path("elsewhere/", lambda request: None, name="dispute")]
    )
    with pytest.raises(ValueError, match="dispute"):
        registry.register(taken)
    assert "another" not in [w.name for w in registry.workflows()]
