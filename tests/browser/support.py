"""What every journey checks on a page, its screenshot, and the axe-core audit."""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("BROWSER_SHOTS") or REPO / "var" / "browser-shots")
FAILURES = Path(os.environ.get("BROWSER_FAILURES") or REPO / "var" / "browser-failures")

AXE = "/static/vendor/axe-core/axe.min.js"  # vendored from npm (static/vendor/README.md)
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass
class Demo:
    """The demo server and the facts of its data the journeys look for."""

    base: str
    env: dict[str, str]
    facts: dict[str, Any] = field(default_factory=dict)  # strings, and lists of them
    logins: dict[str, Any] = field(default_factory=dict)  # user name -> storage state

    def url(self, path: str) -> str:
        return self.base + path


# The elements that stick out past the right edge, named like `div.table-scroll`.
WIDE_ELEMENTS = """width => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .filter(e => !e.parentElement
                 || e.parentElement.getBoundingClientRect().right <= width + 1)
    .slice(0, 6)
    .map(e => e.tagName.toLowerCase()
              + (typeof e.className === 'string' && e.className.trim()
                 ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
              + ' (' + Math.round(e.getBoundingClientRect().right) + ' px)')"""


def visit(page: Any, demo: Demo, path: str) -> None:
    """Open ``path``; the answer must be a page, not an error (DEBUG is off: real ones)."""
    answer = page.goto(demo.url(path))
    assert answer is not None and answer.ok, f"{path}: HTTP {answer and answer.status}"


def shot(page: Any, name: str) -> str:
    """A full-page PNG of the journey's page, named by the journey and the size."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{page.viewport_name}.png"
    page.screenshot(path=str(path), full_page=True)
    return str(path)


def check_page(page: Any, name: str) -> None:
    """Screenshot, then: no JavaScript error, and nothing scrolls sideways at this width."""
    shot(page, name)
    assert not page.js_errors, f"JavaScript errors on {page.url}: {page.js_errors}"
    # A phone's browser zooms out to fit a page wider than its screen, and innerWidth then
    # grows with it: the screen's width is the context's, not what the page reports.
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    screen = min(inner, page.viewport_size["width"])
    if width > screen:
        wide = ", ".join(page.evaluate(WIDE_ELEMENTS, screen))
        raise AssertionError(
            f"{page.url} scrolls sideways at {page.viewport_name}: scrollWidth {width} > "
            f"{screen} px (innerWidth {inner}); wider than the screen: {wide}"
        )


def axe_violations(page: Any, demo: Demo) -> list[dict[str, Any]]:
    """Run axe-core on the page as it stands; its violations, each with impact and targets.

    The script is loaded from the site's own static files, so the page's
    Content-Security-Policy (script-src 'self') lets it run without being bypassed.
    """
    page.add_script_tag(url=demo.url(AXE))
    page.wait_for_function("() => typeof window.axe === 'object'")
    results = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 8).map(n => n.target.join(' ')),
                count: v.nodes.length,
            }));
        }"""
    )
    return list(results)


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} ({v['count']} node(s)): "
        + "; ".join(v["targets"])
        for v in violations
    )


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def heading(page: Any, level: int = 1) -> str:
    return re.sub(r"\s+", " ", page.locator(f"main h{level}").first.inner_text()).strip()
