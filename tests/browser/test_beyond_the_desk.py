"""Issue 18 in a real browser, at a laptop's and a phone's size: the public market
directory and its map, a market's card, a failed dispute handed to arbitration up to the
committee's result and 仲裁结案率, and a worker referred to legal aid.

The labels are looked up as the server shows them (zh(): the project's own catalogue, in
Chinese), so a journey reads the page as its user does, whatever stage its translation is at.
The arbitration and legal-aid journeys change the demo's data: each takes cases no other
journey reads (conftest.py FACTS: "to_arbitration", "legal_aid_dispute").
"""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation

from tests.browser.conftest import VIEWPORTS
from tests.browser.support import check_page, heading, shot, visit

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PERCENT = re.compile(r"\d+(\.\d+)?\s*%")


def zh(msgid: str, context: str | None = None) -> str:
    with translation.override("zh-hans"):
        if context:
            return translation.pgettext(context, msgid)
        return translation.gettext(msgid)


def section(page, selector: str):
    return page.locator(f"main section{selector}")


def save(page) -> None:
    """The step form's Save button; the step goes back to the case page."""
    with page.expect_navigation():
        page.locator("main form button[type=submit].primary").click()


def reload_until_visible(page, locator, seconds: float = 20) -> None:
    """A document is rendered after its step's commit: the page shows it a moment later."""
    deadline = time.monotonic() + seconds
    while not locator.count() and time.monotonic() < deadline:
        time.sleep(1)
        page.reload()
    expect(locator.first).to_be_visible()


# Leaflet fades the popup in and pans the map to show it whole: the screenshot waits.
POPUP_SETTLED = """() => {
    const popup = document.querySelector('#market-map .leaflet-popup');
    if (!popup || getComputedStyle(popup).opacity !== '1') return false;
    const box = popup.getBoundingClientRect();
    const map = document.getElementById('market-map').getBoundingClientRect();
    return box.top >= map.top && box.bottom <= map.bottom
        && box.left >= map.left && box.right <= map.right;
}"""

TITLE_UNDER_ZOOM = """() => {
    const a = document.querySelector('#market-map .leaflet-popup h3').getBoundingClientRect();
    const b = document.querySelector('#market-map .leaflet-control-zoom').getBoundingClientRect();
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}"""


# The markets: the directory, from the public pages' own link


def test_markets_directory_from_the_public_link(open_page, demo):
    page = open_page()
    visit(page, demo, "/report/")
    with page.expect_navigation():
        page.locator("header a[href='/markets/']").click()

    assert urlsplit(page.url).path == "/markets/", page.url
    assert heading(page) == zh("Gig market directory")
    entries = page.locator("main article.market")
    expect(entries).to_have_count(len(demo.facts["markets"]))
    for market in demo.facts["markets"]:
        entry = entries.filter(has=page.locator("h2", has_text=market["name"]))
        for field in ("address", "hotline", "hours"):
            expect(entry).to_contain_text(market[field])
    check_page(page, "markets-directory")


def test_markets_map_without_tiles_asks_no_tile_host(open_page, demo):
    page = open_page()
    own = urlsplit(demo.base).netloc
    elsewhere: list[str] = []

    def only_the_demo_server(route):
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:  # a tile server, a font, anything: blocked, and remembered
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_demo_server)
    visit(page, demo, "/markets/")
    with page.expect_navigation():
        page.locator("main nav a[href='/markets/map/']").click()

    assert heading(page) == zh("Map of the markets")
    board = page.locator("#market-map")
    expect(board).to_be_visible()
    expect(board).to_have_class(re.compile(r"\bno-tiles\b"))
    # The same markets as text below the map, for readers without it.
    expect(page.locator("main article.market")).to_have_count(len(demo.facts["markets"]))
    markers = page.locator("#market-map .leaflet-marker-icon")
    expect(markers.first).to_be_visible()
    expect(page.locator("#market-map .leaflet-tile")).to_have_count(0)
    markers.first.click()
    popup = page.locator("#market-map .leaflet-popup-content")
    expect(popup).to_be_visible()
    names = [market["name"] for market in demo.facts["markets"]]
    expect(popup.locator("h3")).to_have_text(re.compile("|".join(map(re.escape, names))))
    page.wait_for_function(POPUP_SETTLED)
    assert not page.evaluate(TITLE_UNDER_ZOOM), "the zoom buttons cover the market's name"
    check_page(page, "markets-map")
    assert not elsewhere, f"the map asked for addresses off the demo server: {elsewhere}"


# The market's card: the directory's PDF link


def test_market_card_pdf(open_page, demo):
    page = open_page()
    visit(page, demo, "/markets/")
    link = page.locator("main article.market a[type='application/pdf']").first
    expect(link).to_be_visible()
    shot(page, "market-card")

    url = demo.url(link.get_attribute("href"))
    answer = page.request.get(url)
    # The card is rendered after the commit that issued it: at first it may be "pending".
    for _attempt in range(10):
        if answer.status != 503:
            break
        time.sleep(1)
        answer = page.request.get(url)
    assert answer.status == 200, f"{url}: HTTP {answer.status}"
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF-")


# A failed mediation handed to the arbitration committee, up to 仲裁结案率


def _case_from_the_all_tab(page, demo, code: str) -> None:
    """The holder finds the case in the all tab, filtered by its state."""
    visit(page, demo, "/disputes/?tab=all")
    state = page.locator("#id_state")
    for wanted in ("terminated", "defaulted"):
        state.select_option(wanted)
        with page.expect_navigation():
            page.locator("main form button[type=submit]", has_text=zh("Filter")).click()
        link = page.locator(f"main table.queue a[href='/disputes/{code}/']")
        if link.count():
            with page.expect_navigation():
                link.first.click()
            return
    raise AssertionError(f"{code} is in neither state's list")


def test_arbitration_handoff_to_the_closure_rate(open_page, demo, viewport):
    # One case for each size: a case is handed to arbitration once.
    code, holder = demo.facts["to_arbitration"][list(VIEWPORTS).index(viewport["name"])]
    page = open_page(holder)
    _case_from_the_all_tab(page, demo, code)
    assert heading(page).startswith(code)
    arbitration = section(page, "#arbitration")
    expect(arbitration).to_be_visible()
    check_page(page, "arbitration-1-case")

    with page.expect_navigation():
        arbitration.locator(f"a[href='/disputes/{code}/arbitration/handoff/']").click()
    page.get_by_label(zh("note to the committee")).fill("当事人已同意移送，证据原件随案移交。")
    check_page(page, "arbitration-2-handoff")
    save(page)
    expect(arbitration).to_contain_text(zh("not yet recorded"))

    with page.expect_navigation():
        arbitration.locator(f"a[href='/disputes/{code}/arbitration/filing/']").click()
    page.get_by_label(zh("arbitration case number")).fill(f"劳人仲案字〔2026〕第{code[-4:]}号")
    check_page(page, "arbitration-3-filing")
    save(page)
    due = _fact(page, zh("arbitration due by"))
    assert DATE.search(due), f"no due date in {due!r}"
    check_page(page, "arbitration-4-accepted")

    with page.expect_navigation():
        arbitration.locator(f"a[href='/disputes/{code}/arbitration/result/']").click()
    page.locator("#id_result").select_option(index=1)
    result = page.locator("#id_result option:checked").inner_text().strip()
    save(page)
    assert _fact(page, zh("result")) == result
    check_page(page, "arbitration-5-result")

    # The market's supervisor reads the month's figures: the closing counts in 仲裁结案率.
    figures = open_page("supervisor")
    visit(figures, demo, "/statistics/disputes/")
    row = figures.locator("main table.figures tbody tr", has_text=zh("Arbitration closure rate"))
    expect(row).to_have_count(1)
    expect(row.locator("td.num").first).to_have_text(PERCENT)
    check_page(figures, "arbitration-6-statistics")


def _fact(page, term: str) -> str:
    """The text after a term of the arbitration section's list."""
    term_cell = page.locator("#arbitration dt", has_text=re.compile(f"^{re.escape(term)}$"))
    expect(term_cell).to_have_count(1)
    return term_cell.locator("xpath=following-sibling::dd[1]").inner_text().strip()


# A worker referred to legal aid: the referral, the centre's answer and the outcome, the
# worker's letter on the portal


def test_legal_aid_referral_to_the_portal(open_page, demo):
    code = demo.facts["legal_aid_dispute"]
    page = open_page("mediator")
    visit(page, demo, f"/disputes/{code}/")
    legal_aid = section(page, "#legal-aid")
    with page.expect_navigation():
        legal_aid.locator(f"a[href='/legal-aid/refer/disputes/{code}/']").click()
    workers = page.get_by_label(zh("Worker"))
    option = workers.locator("option", has_text=demo.facts["person"])
    workers.select_option(option.get_attribute("value"))
    page.get_by_label(zh("The matter in short")).fill("追索拖欠工资，请中心指派律师代理仲裁。")
    check_page(page, "legal-aid-1-refer")
    save(page)
    assert urlsplit(page.url).path == f"/disputes/{code}/", page.url
    # The worker's open referral from this case: the one just made (one at a time).
    referral = legal_aid.locator("li", has_text=demo.facts["person"]).filter(
        has=page.locator("a[href$='/answer/']")
    )
    expect(referral).to_have_count(1)
    expect(referral).to_contain_text(zh("referred, waiting for the centre"))
    answer_link = referral.locator("a[href$='/answer/']")

    # The list of referrals waiting for the centre leads back to the case.
    visit(page, demo, "/legal-aid/?state=referred")
    row = page.locator("main table tbody tr", has=page.locator(f"a[href='/disputes/{code}/']"))
    expect(row.first).to_contain_text(demo.facts["person"])
    check_page(page, "legal-aid-2-list")
    with page.expect_navigation():
        row.first.locator(f"a[href='/disputes/{code}/']").click()

    with page.expect_navigation():
        answer_link.click()
    page.locator("input[name=accepted][value=yes]").check()
    page.get_by_label(zh("Date of the answer")).fill(_today())
    page.get_by_label(zh("Centre's reference number")).fill(f"法援〔2026〕{code[-3:]}号")
    save(page)
    outcome_link = legal_aid.locator("li", has_text=demo.facts["person"]).locator(
        "a[href$='/outcome/']"
    )
    with page.expect_navigation():
        outcome_link.click()
    page.get_by_label(zh("Date of the outcome")).fill(_today())
    page.get_by_label(zh("Result")).select_option(index=0)
    save(page)
    expect(outcome_link).to_have_count(0)
    expect(legal_aid.locator("li", has_text=demo.facts["person"]).last).to_contain_text(
        zh("outcome recorded", "legal aid")
    )
    check_page(page, "legal-aid-3-concluded")

    visit(page, demo, "/legal-aid/?state=concluded")
    expect(page.locator(f"main table a[href='/disputes/{code}/']").first).to_be_visible()

    worker = open_page("worker")
    visit(worker, demo, "/portal/")
    letters = worker.locator(
        "main section", has=worker.locator("h2", has_text=zh("Legal aid"))
    ).locator("a[href^='/documents/']")
    reload_until_visible(worker, letters)
    answer = worker.request.get(demo.url(letters.first.get_attribute("href")))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    check_page(worker, "legal-aid-4-portal")


def _today() -> str:
    """Today in the server's time zone (settings.TIME_ZONE), as its date fields take it."""
    return timezone.localdate().isoformat()
