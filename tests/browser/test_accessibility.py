"""axe-core (static/vendor/axe-core/) on the main pages of each kind of user, at both sizes.

A violation of impact "serious" or "critical" fails the test; the others are printed
(pytest -rA shows them) for whoever works on the templates next.
"""

import pytest

from tests.browser.support import axe_violations, blocking, describe, visit

pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

pytestmark = pytest.mark.browser

# name: (login or None, path; {fact} is filled from the demo's facts)
PAGES = {
    "staff-home": ("mediator", "/"),
    "queue-disputes": ("mediator", "/disputes/"),
    "dispute-case": ("mediator", "/disputes/{dispute}/"),
    "portal-home": ("worker", "/portal/"),
    "portal-agreement": ("worker", "/portal/agreements/{agreement}/"),
    "report-form": (None, "/report/"),
    "verify": (None, "/verify/"),
    "verify-result": (None, "/verify/{document_code}/"),
    "statistics": ("supervisor", "/statistics/disputes/"),
    "markets-directory": (None, "/markets/"),
    "markets-map": (None, "/markets/map/"),
    # A dispute with the committee: the arbitration and the legal-aid sections.
    "dispute-arbitration-legal-aid": ("mediator", "/disputes/{arbitrated_dispute}/"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(open_page, demo, name):
    user, path = PAGES[name]
    page = open_page(user)
    visit(page, demo, path.format(**demo.facts))

    violations = axe_violations(page, demo)
    print(f"axe {name} {page.viewport_name}: {len(violations)} violation(s)")
    if violations:
        print(describe(violations))
    serious = blocking(violations)
    assert not serious, f"axe on {page.url} at {page.viewport_name}:\n{describe(serious)}"
