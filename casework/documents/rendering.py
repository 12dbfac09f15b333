"""HTML templates to PDF bytes with WeasyPrint.

Security: the renderer may read our own static files and inline ``data:``
URIs, nothing else. Every other URL (file://, http(s)://, ftp://, a ``../``
walk out of the static folder) is refused by StaticOnlyFetcher, so neither a
name typed by a user (which templates escape anyway) nor a broken template
can make the renderer read a server file or reach the network.

Speed (measured with `manage.py bench pdf` and `bench sign`): building a
FontConfiguration loads every system font (about 0.3 s with the CJK fonts), so
each thread keeps one, with the documents' font added, and the parsed frame
stylesheet, for every document. Each font face used costs a
HarfBuzz subset per document, so the frame uses one face only, Noto Sans CJK SC
cut down to GB 2312 and the Latin range (casework/documents/pdf_font.py): its
subsets are a few times smaller than those of the 65,535-glyph installed face.
"""

import logging
import mimetypes
import os
import posixpath
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import DataHandler, Request

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils._os import safe_join
from weasyprint import CSS, HTML, Attachment
from weasyprint.text.ffi import ffi, fontconfig, pangoft2
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from casework.documents import pdf_font

logger = logging.getLogger(__name__)

# The documents' base URL. ".invalid" can never resolve (RFC 2606), and the fetcher
# maps this host's static prefix to files on disk: nothing here is ever requested.
PDF_BASE_URL = "https://casework.invalid/"


class FetchRefused(ValueError):
    """The renderer asked for something outside our static files."""


def static_url_prefix() -> str:
    # {% static %} gives "/static/..." (or an absolute CDN URL); both resolve to this prefix.
    return urljoin(PDF_BASE_URL, settings.STATIC_URL)


def find_static_file(relative: str) -> Path:
    """Resolve a path below STATIC_URL to a file in our static folders, or refuse."""
    parts = relative.split("/")
    if not relative or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
        raise FetchRefused(f"not a plain static path: {relative!r}")
    found = finders.find(posixpath.join(*parts))
    if not found and settings.STATIC_ROOT:
        try:
            found = safe_join(settings.STATIC_ROOT, *parts)
        except SuspiciousFileOperation:
            found = None
    path = Path(found).resolve() if found else None
    if path is None or not path.is_file() or not _inside_static_roots(path):
        raise FetchRefused(f"no such static file: {relative!r}")
    return path


def _static_roots() -> list[Path]:
    roots = [Path(r[1] if isinstance(r, tuple) else r) for r in settings.STATICFILES_DIRS]
    roots += [Path(p) for p in _app_static_dirs()]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


def _app_static_dirs() -> list[str]:
    finder = finders.get_finder("django.contrib.staticfiles.finders.AppDirectoriesFinder")
    return [storage.location for storage in finder.storages.values()]


def _inside_static_roots(path: Path) -> bool:
    # Checked after resolve(), so a symlink inside static/ cannot point elsewhere.
    return any(path.is_relative_to(root) for root in _static_roots())


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves our static files and data: URIs only."""

    def __init__(self) -> None:
        # fetch() below never calls the inherited opener; these arguments are a second
        # fence should a future WeasyPrint call it directly.
        super().__init__(timeout=1, allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return self._data(url)
        prefix = static_url_prefix()
        if not url.startswith(prefix):
            logger.warning("PDF renderer refused to fetch %s", url[:200])
            raise FetchRefused(f"only static files may be fetched, not {url[:200]!r}")
        split = urlsplit(url)
        relative = unquote(split.path)[len(urlsplit(prefix).path) :]
        path = find_static_file(relative)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def _data(url: str) -> URLFetcherResponse:
        # Only ever given a data: URI (checked by the caller): nothing is opened.
        response = DataHandler().data_open(Request(url))  # noqa: S310
        return URLFetcherResponse(url, response.read(), dict(response.headers.items()))


@dataclass(frozen=True)
class DocumentMeta:
    """What the page frame shows: market header, verification code, QR code."""

    title: str
    market_name: str
    verification_code: str
    version: int = 1
    issued_at: datetime | None = None

    @property
    def verify_url(self) -> str:
        return f"{settings.PUBLIC_BASE_URL}/verify/{self.verification_code}/"

    @property
    def code_display(self) -> str:
        # Groups of four are easier to read aloud and type from paper; the view strips "-".
        code = self.verification_code
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))

    @property
    def qr_data_uri(self) -> str:
        # One pixel per module, drawn with image-rendering: pixelated: a tiny PNG that
        # stays sharp at any size (an SVG path costs ~20 ms per page to draw).
        return segno.make(self.verify_url, error="m").png_data_uri(scale=1, border=0)


@dataclass(frozen=True)
class PdfAttachment:
    """A file carried inside the PDF (and so under its seal)."""

    name: str
    data: bytes
    description: str = ""


# The id of the element marking a document's seal place (盖章), templates/pdf/_seal.html.
SEAL_ANCHOR = "market-seal"
PT_PER_CSS_PX = 0.75  # WeasyPrint lays out in CSS pixels (1/96 in), a PDF in points (1/72 in)


@dataclass(frozen=True)
class SealPlace:
    """Where a sealed document shows the market's seal: the page (from 0) and the box in
    PDF points (x1, y1, x2, y2) from the page's lower left corner."""

    page: int
    box: tuple[int, int, int, int]


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    # The seal place as laid out, None for a template without one (sealed invisibly).
    seal_place: SealPlace | None = None


FRAME_STYLESHEET = "pdf/document.css"

_local = threading.local()


def font_config() -> FontConfiguration:
    # Pango font maps are not thread-safe, so one per thread rather than one per process.
    config = getattr(_local, "font_config", None)
    if config is None:
        config = FontConfiguration()
        add_documents_font(config)
        _local.font_config = config
    return config


def add_documents_font(config: FontConfiguration) -> None:
    """Make the documents' font (pdf_font.py) known to ``config`` by its family name.

    Added from its static file as WeasyPrint adds an @font-face font, but in place: an
    @font-face rule copies the 1.6 MB file into a temporary folder per configuration,
    which a killed worker leaves behind. Without it the installed face is used.
    """
    try:
        path = find_static_file(pdf_font.STATIC_PATH)
    except FetchRefused:
        logger.error("the documents' font %s is missing", pdf_font.STATIC_PATH)
        return
    # WeasyPrint keeps its fontconfig configuration private; this is what add_font_face does.
    if not fontconfig.FcConfigAppFontAddFile(config._config, os.fsencode(path)):
        logger.error("fontconfig cannot read the documents' font %s", path)
        return
    pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", config.font_map))


def frame_stylesheet() -> CSS:
    # The page frame's CSS is parsed once per thread (through the same fetcher) and
    # applied to every document, instead of each template linking and re-parsing it.
    css = getattr(_local, "frame_css", None)
    if css is None:
        css = _local.frame_css = CSS(
            url=static_url_prefix() + FRAME_STYLESHEET,
            url_fetcher=StaticOnlyFetcher(),
            font_config=font_config(),
        )
    return css


def html_to_pdf(html: str, attachments: Sequence[PdfAttachment] = ()) -> RenderedPdf:
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher()).render(
        font_config=font_config(), stylesheets=[frame_stylesheet()]
    )
    files = [Attachment(string=a.data, name=a.name, description=a.description) for a in attachments]
    return RenderedPdf(
        data=document.write_pdf(attachments=files),
        pages=len(document.pages),
        seal_place=seal_place(document),
    )


def seal_place(document) -> SealPlace | None:
    """The box of the element with id SEAL_ANCHOR, as WeasyPrint laid it out, in PDF points."""
    for index, page in enumerate(document.pages):
        found = page.anchors.get(SEAL_ANCHOR)
        if found:
            x1, y1, x2, y2 = (value * PT_PER_CSS_PX for value in found)
            height = page.height * PT_PER_CSS_PX
            # CSS counts y down from the top of the page, PDF up from its bottom.
            box = (round(x1), round(height - y2), round(x2), round(height - y1))
            return SealPlace(page=index, box=box)
    return None


def render(
    template_name: str,
    context: dict,
    *,
    document_meta: DocumentMeta,
    attachments: Sequence[PdfAttachment] = (),
) -> RenderedPdf:
    # The snapshot's keys come first so that a snapshot can never replace "meta".
    html = render_to_string(template_name, {**context, "meta": document_meta})
    return html_to_pdf(html, attachments)


def render_pdf(template_name: str, context: dict, *, document_meta: DocumentMeta) -> bytes:
    return render(template_name, context, document_meta=document_meta).data
