"""The staff lists on a phone and a wide screen (issue 17, item 9: layout).

A list's table sits in <div class="table-scroll">: on a 390 px phone it scrolls sideways
within itself instead of widening the page. A case number is marked "code" (one line,
never broken: static/css/app.css).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from agreements.models import Agreement


class Tables(HTMLParser):
    """Whether each table is inside a .table-scroll, and the text of each .code element."""

    def __init__(self, html: str):
        super().__init__()
        self.stack: list[set[str]] = []
        self.tables: list[bool] = []
        self.codes: list[str] = []
        self._code_depth: int | None = None
        self.feed(html)

    VOID = {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "table":
            self.tables.append(any("table-scroll" in c for c in self.stack))
        self.stack.append(classes)
        if "code" in classes and self._code_depth is None:
            self._code_depth = len(self.stack)
            self.codes.append("")

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        if self._code_depth == len(self.stack):
            self._code_depth = None
        self.stack.pop()

    def handle_data(self, data):
        if self._code_depth is not None:
            self.codes[-1] += data.strip()


def tables_of(response) -> Tables:
    assert response.status_code == 200, response.status_code
    page = Tables(response.content.decode())
    assert page.tables, "no table on the page"
    assert all(page.tables), "a table outside a .table-scroll box"
    return page


@pytest.fixture
def caseworker(client, carol_caseworker):
    client.force_login(carol_caseworker)
    return client


def test_the_agreement_list_scrolls_within_itself_and_keeps_codes_whole(
    caseworker, new_agreement, verified_parties
):
    agreement = new_agreement(Agreement.State.SENT)
    page = tables_of(caseworker.get(reverse("agreements:list")))
    assert agreement.code in page.codes
    tables_of(caseworker.get(reverse("agreements:outbox")))


def test_the_registers_scroll_within_themselves(client, alice_mediator, olga_officer, wang_worker):
    client.force_login(alice_mediator)
    tables_of(client.get(reverse("parties:people")))
    tables_of(client.get(reverse("parties:organizations")))
    client.force_login(olga_officer)
    tables_of(client.get(reverse("complaints:intermediaries")))


def test_a_persons_cases_are_listed_with_whole_codes(client, alice_mediator, new_dispute):
    dispute = new_dispute()
    person = dispute.applicants.first()
    client.force_login(alice_mediator)
    page = tables_of(client.get(reverse("parties:person", args=[person.pk])))
    assert dispute.code in page.codes


def test_the_case_header_keeps_the_case_number_whole(client, alice_mediator, new_dispute):
    dispute = new_dispute()
    client.force_login(alice_mediator)
    page = Tables(client.get(reverse("disputes:detail", args=[dispute.code])).content.decode())
    assert dispute.code in page.codes


def test_the_stylesheet_widens_the_content_and_keeps_codes_and_headers_whole():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    assert re.search(r"^main \{[^}]*max-width:1440px", css, re.M)
    assert re.search(r"^\.code \{[^}]*white-space:nowrap", css, re.M)
    assert re.search(r"^th \{[^}]*word-break:keep-all", css, re.M)
    assert re.search(r"^\.table-scroll \{[^}]*overflow-x:auto", css, re.M)
    # The queues' tables (table.queue) scroll the same way on a phone.
    assert re.search(r"table\.queue \{ display:block;[^}]*overflow-x:auto", css)
