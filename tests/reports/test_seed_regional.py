"""The regional role on the demo data: it reaches every page and export it can and sees
no person's name, ID number or mobile on any of them (the issue's acceptance test)."""

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.urls import reverse

from casework.parties.models import Person
from casework.reports.registry import reports

# Pages a crawl must not "visit": they change the session.
SKIP = (reverse("logout"), "/i18n/")
MAX_PAGES = 300


@pytest.fixture
def regional_client(client, seeded_demo, db):
    assert client.login(username="regional", password="demo12345")
    return client


def personal_strings() -> set[str]:
    values = set()
    for name, id_number, mobile in Person.objects.values_list("name", "id_number", "mobile"):
        values |= {name, id_number, mobile}
    return {value for value in values if value and len(value) >= 2}


def reachable(client) -> dict[str, bytes]:
    """Every same-site page linked from the home page and the statistics, by GET."""
    start = [reverse("home")]
    for report in reports():
        for name in ("workflow", "compare", "data"):
            start.append(reverse(f"reports:{name}", args=[report.slug]))
    seen: dict[str, bytes] = {}
    visited: set[tuple] = set()
    todo = list(start)
    while todo and len(seen) < MAX_PAGES:
        url = todo.pop()
        if _page_key(url) in visited or url.startswith(SKIP):
            continue
        visited.add(_page_key(url))
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen[url] = body
        if response.status_code == 302:
            todo.append(response["Location"])
            continue
        for link in re.findall(rb'href="([^"#]+)"', body):
            target = urljoin(url, link.decode().replace("&amp;", "&"))
            if not urlsplit(target).netloc and not target.startswith("/static/"):
                todo.append(target)
    return seen


def _page_key(url: str) -> tuple:
    # The same page for another period or page number shows the same kinds of things:
    # following "previous period" for ever would only make the crawl slow.
    parts = urlsplit(url)
    query = sorted(p for p in parse_qsl(parts.query) if p[0] not in ("period", "page"))
    return parts.path, tuple(query)


def test_the_regional_role_sees_no_personal_data_anywhere(regional_client):
    pages = reachable(regional_client)
    personal = personal_strings()

    found = [
        (url, value) for url, body in pages.items() for value in personal if value.encode() in body
    ]

    assert len(pages) > 10, sorted(pages)
    assert any(url.startswith("/statistics/") for url in pages)
    assert found == []


def test_the_regional_role_reaches_no_case_and_no_ledger(regional_client):
    for report in reports():
        for name in ("ledger_xlsx", "ledger_csv"):
            url = reverse(f"reports:{name}", args=[report.slug])
            assert regional_client.get(url).status_code == 403, url
    for url in ("/disputes/", "/complaints/", "/agreements/", "/assistance/", "/people/"):
        assert regional_client.get(url).status_code in (403, 404), url
