"""``manage.py bench pdf``: how long one agreement-like PDF takes, Chinese vs Latin.

The same three-page layout is rendered with Chinese and with Latin text
through the production pipeline (Django template, static-only fetcher,
WeasyPrint with the per-thread FontConfiguration), without any database row.
The ratio shows what CJK costs over Latin: with HarfBuzz subsetting it stays
close to 1; with the fontTools fallback a CJK page takes seconds.
"""

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from casework.core.management.commands.bench import benchmark
from casework.documents.rendering import DocumentMeta, render

TEMPLATE = "pdf/bench/agreement.html"

# Agreement-like wording in both scripts (clauses and party rows), kept out of the code.
TEXTS = json.loads((Path(__file__).with_name("bench_agreement.json")).read_text("utf-8"))


def _context(latin: bool) -> tuple[dict, DocumentMeta]:
    clauses = TEXTS["latin_clauses" if latin else "cjk_clauses"]
    context = {
        "latin": latin,
        "lang": "en" if latin else "zh-CN",
        "heading": "Gig work agreement" if latin else "零工服务协议",
        "number": "No. GA-2026-000123" if latin else "编号：GA-2026-000123",
        "parties": TEXTS["latin_parties" if latin else "cjk_parties"],
        # Two paragraphs per clause bring the agreement to three pages in both scripts.
        "clauses": [{"title": t, "paragraphs": [text, text]} for t, text in clauses],
        "signatures": (
            ["Party A (seal):", "Party B (signature):", "Date:"]
            if latin
            else ["甲方（盖章）：", "乙方（签字）：", "签订日期："]
        ),
    }
    meta = DocumentMeta(
        title=context["heading"],
        market_name="Test District Gig Market" if latin else "测试区零工市场",
        verification_code="ABCDEFGHJKMNPQRS",
    )
    return context, meta


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    size: int
    pages: int


def _time_render(latin: bool) -> Run:
    context, meta = _context(latin)
    wall, cpu = time.perf_counter(), time.process_time()
    rendered = render(TEMPLATE, context, document_meta=meta)
    return Run(
        time.perf_counter() - wall, time.process_time() - cpu, len(rendered.data), rendered.pages
    )


def _median(runs: list[Run], attribute: str) -> float:
    return statistics.median(getattr(run, attribute) for run in runs)


@benchmark("pdf", help="three-page agreement, Chinese vs Latin text", iterations=15)
def bench_pdf(iterations: int) -> dict:
    # The first render builds the FontConfiguration (as a worker's first task does);
    # it is reported separately and kept out of the medians.
    first = _time_render(latin=False)
    _time_render(latin=True)
    cjk, latin = [], []
    for _ in range(iterations):  # interleaved, so a change in load hits both alike
        cjk.append(_time_render(latin=False))
        latin.append(_time_render(latin=True))
    cjk_median, latin_median = _median(cjk, "wall_s"), _median(latin, "wall_s")
    return {
        "iterations": iterations,
        "cjk_median_s": round(cjk_median, 4),
        "latin_median_s": round(latin_median, 4),
        "ratio": round(cjk_median / latin_median, 3),
        "cjk_pdf_bytes": cjk[-1].size,
        "latin_pdf_bytes": latin[-1].size,
        "cjk_pages": cjk[-1].pages,
        "latin_pages": latin[-1].pages,
        # CPU time is what the renderer itself costs when other processes share the cores.
        "cjk_cpu_median_s": round(_median(cjk, "cpu_s"), 4),
        "latin_cpu_median_s": round(_median(latin, "cpu_s"), 4),
        "cjk_first_s": round(first.wall_s, 4),
    }
