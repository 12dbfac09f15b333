"""The market's sealed card in the directory: its figures on the card, and the current
card (issued again when the market's public fields or figures changed since)."""

import logging
import time

from django.db import transaction
from django.utils import translation

from casework.core.audit import Actor, record_event
from casework.core.locking import lock
from casework.core.models import Market
from casework.directory.figures import Figure, figures_for
from casework.documents.market_card import market_card_context
from casework.documents.models import Document
from casework.documents.services import document_issue, document_render

logger = logging.getLogger(__name__)

KIND = "market_card"
# The card's own Chinese terms, whatever the reader's language.
CARD_LABELS = {"job_seekers": "求职人数", "daily_placements": "日均成功对接"}
CARD_UNITS = {"job_seekers": "人", "daily_placements": "人/日"}
# A card renders in about a second; past this the visitor is asked to come back (503).
RENDER_WAIT_SECONDS = 10.0
RENDER_POLL_SECONDS = 0.2


def _note(figure: Figure) -> str:
    if figure.entered:
        source = "市场填报"
    else:
        with translation.override("zh-hans"):
            source = f"据{figure.derived_from}推算"
    return f"（{figure.month.year}年{figure.month.month}月，{source}）"


def card_figures(market: Market) -> list[list[str]]:
    """The figures printed on the card (documents' market_card hook): one row, so the
    card keeps to one page; the month and source once when the figures share them."""
    figures = [f for f in figures_for(market).values() if f is not None]
    if not figures:
        return []
    notes = {_note(f) for f in figures}
    parts = [
        f"{CARD_LABELS[f.key]} {f.value} {CARD_UNITS[f.key]}"
        + ("" if len(notes) == 1 else _note(f))
        for f in figures
    ]
    return [["月度数据", "；".join(parts) + (notes.pop() if len(notes) == 1 else "")]]


def latest_card(market: Market) -> Document | None:
    return Document.objects.for_subject(market).filter(kind=KIND).order_by("-version").first()


def is_current(doc: Document, market: Market) -> bool:
    fresh = market_card_context(market)
    return doc.context.get("market") == fresh["market"] and doc.context.get("figures", []) == [
        list(row) for row in fresh["figures"]
    ]


def current_card(market: Market) -> Document:
    """The market's card as it stands now: the latest one, or a new one if it is out of
    date or missing. Its render is queued after commit."""
    doc = latest_card(market)
    if doc is not None and is_current(doc, market):
        return doc
    with transaction.atomic():
        market = lock(market)  # two first visitors issue one card, not two
        doc = latest_card(market)
        if doc is None or not is_current(doc, market):
            doc = document_issue(subject=market, kind=KIND, by=None)
            record_event(
                market,
                actor=Actor.system("directory"),
                action="document_issued",
                documents=[doc.verification_code],
                note=doc.title,
            )
    return doc


def ready_card(market: Market) -> Document:
    """The current card, rendered here if no worker has taken it yet (a visitor waits
    for one render at most; the page is rate-limited)."""
    doc = current_card(market)
    if doc.status == Document.Status.PENDING:
        doc = _render_here(doc)
    return _rendered_elsewhere(doc)


def _render_here(doc: Document) -> Document:
    try:
        return document_render(doc.pk)
    except Exception:  # the render is released for a retry; the visitor is asked to wait
        logger.exception("market card %s could not be rendered", doc.pk)
        return Document.objects.get(pk=doc.pk)


def _rendered_elsewhere(doc: Document) -> Document:
    """The card once the run holding its render is done: a second visitor arriving while
    the first one's render (or a worker's) runs waits for it rather than being told to
    come back later (tests/directory/test_card_races.py)."""
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while doc.status == Document.Status.RENDERING and time.monotonic() < deadline:
        time.sleep(RENDER_POLL_SECONDS)
        doc = Document.objects.get(pk=doc.pk)
    return doc
