"""Rendering: Chinese text with real glyphs, the page frame, and a renderer that fetches nothing."""

import base64
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import segno
from PIL import Image

from casework.documents import rendering
from casework.documents.rendering import (
    PDF_BASE_URL,
    DocumentMeta,
    FetchRefused,
    StaticOnlyFetcher,
    html_to_pdf,
    render,
)
from tests.documents.conftest import pdftotext, run_tool, squeeze

META = DocumentMeta(
    title="受理通知书",
    market_name="测试区零工市场",
    verification_code="ABCDEFGHJKMNPQRS",
    version=2,
)
NOTICE = "pdf/caseapp/acceptance_notice.html"
AGREEMENT = "pdf/bench/agreement.html"


@pytest.fixture
def fetches(monkeypatch) -> list[tuple[str, str]]:
    """Every URL the renderer asks for, with what the fetcher did about it."""
    seen: list[tuple[str, str]] = []
    original = StaticOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = original(self, url, headers)
        except Exception:
            seen.append((url, "refused"))
            raise
        seen.append((url, "served"))
        return response

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    # The frame stylesheet is cached per thread; drop it so its fetch is seen too.
    monkeypatch.delattr(rendering._local, "frame_css", raising=False)
    return seen


@pytest.fixture
def http_server():
    """A local HTTP server that records every request it gets."""
    requests: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()
    server.server_close()


def page_png(data: bytes, tmp_path) -> Image.Image:
    pdf = tmp_path / "page.pdf"
    pdf.write_bytes(data)
    run_tool(
        "pdftoppm",
        "-r",
        "100",
        "-png",
        "-singlefile",
        "-f",
        "1",
        "-l",
        "1",
        str(pdf),
        str(tmp_path / "page"),
    )
    return Image.open(tmp_path / "page.png").convert("L")


def test_chinese_text_is_rendered_with_the_cjk_font(tmp_path):
    pdf = render(NOTICE, {"code": "TC-2026-000001", "market": "测试区零工市场"}, document_meta=META)

    text = squeeze(pdftotext(pdf.data, tmp_path))
    assert "案件编号：TC-2026-000001" in text
    assert "测试区零工市场已受理本案。" in text
    fonts = run_tool("pdffonts", str(tmp_path / "doc.pdf"))
    assert "Noto-Sans-CJK-SC" in fonts


def test_the_first_page_is_not_blank(tmp_path):
    pdf = render(NOTICE, {"code": "TC-2026-000001", "market": "测试区零工市场"}, document_meta=META)

    image = page_png(pdf.data, tmp_path)
    inked = sum(image.histogram()[:200])
    # An A4 page at 100 dpi has about 970 000 pixels; the text, rules and QR code of
    # this short notice ink several thousand of them, an empty page none.
    assert image.size == (827, 1170)
    assert inked > 5000


def test_the_frame_shows_market_code_and_page_x_of_y_on_every_page(tmp_path):
    pdf = render(AGREEMENT, agreement_context(), document_meta=META)

    assert pdf.pages == 3
    text = squeeze(pdftotext(pdf.data, tmp_path))
    for page in (1, 2, 3):
        assert f"第{page}页/共3页" in text
    assert text.count("测试区零工市场") >= 3  # the running header
    assert text.count("ABCD-EFGH-JKMN-PQRS") == 3
    assert text.count("http://127.0.0.1:8000/verify/ABCDEFGHJKMNPQRS/") == 3
    assert "第2版" in text


def test_the_qr_code_encodes_the_verification_address(settings):
    settings.PUBLIC_BASE_URL = "https://casework.example.cn"
    uri = META.qr_data_uri

    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("1")
    expected = segno.make("https://casework.example.cn/verify/ABCDEFGHJKMNPQRS/", error="m")
    dark = [[image.getpixel((x, y)) == 0 for x in range(image.width)] for y in range(image.height)]
    assert dark == [[bool(module) for module in row] for row in expected.matrix]


def test_a_name_with_markup_is_printed_as_text_and_fetches_nothing(tmp_path, fetches):
    name = '<img src="file:///etc/passwd">'

    pdf = render(NOTICE, {"code": "TC-2026-000001", "market": name}, document_meta=META)

    assert '<img src="file:///etc/passwd">已受理本案。' in pdftotext(pdf.data, tmp_path)
    assert not [url for url, _ in fetches if "passwd" in url]


def test_a_malicious_template_gets_nothing_from_files_or_the_network(http_server, fetches):
    base, requests = http_server
    hostile = f"""<html><head>
      <link rel="stylesheet" href="{base}/linked.css">
      <link rel="attachment" href="file:///etc/passwd">
      <style>
        @import url("{base}/imported.css");
        @font-face {{ font-family: x; src: url("{base}/font.woff"); }}
        body {{ background: url("file:///etc/hostname"); }}
      </style></head>
      <body>
        <img src="file:///etc/passwd"><img src="{base}/pixel.png">
        <img src="https://casework.invalid/static/../../../../etc/passwd">
        <img src="/static/%2e%2e/%2e%2e/etc/passwd">
        <a rel="attachment" href="{base}/attachment">x</a>
        <object data="file:///etc/passwd" type="text/plain"></object>
        <iframe src="{base}/frame"></iframe>
        <svg><image href="file:///etc/passwd" width="10" height="10"/></svg>
        <p>正文</p>
      </body></html>"""

    pdf = html_to_pdf(hostile)

    assert pdf.pages == 1
    assert requests == []
    served = [url for url, outcome in fetches if outcome == "served"]
    assert served == [PDF_BASE_URL + "static/pdf/document.css"]
    refused = {url for url, outcome in fetches if outcome == "refused"}
    assert "file:///etc/passwd" in refused
    assert f"{base}/linked.css" in refused
    assert f"{base}/pixel.png" in refused
    assert b"root:x:0:0" not in pdf.data


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///work/main/static/pdf/document.css",  # even our own files, not by path
        "http://127.0.0.1:9/static/pdf/document.css",
        "https://example.com/static/pdf/document.css",
        "ftp://127.0.0.1/x",
        "https://casework.invalid/etc/passwd",
        "https://casework.invalid/static/../../../../etc/passwd",
        "https://casework.invalid/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "https://casework.invalid/static/pdf/../../../casework/settings.py",
        "https://casework.invalid/static/pdf/..%2f..%2fcasework%2fsettings.py",
        "https://casework.invalid/static//etc/passwd",
        "https://casework.invalid/static/pdf/missing.css",
        "https://casework.invalid.example.com/static/pdf/document.css",
        "https://casework.invalid@127.0.0.1/static/pdf/document.css",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(FetchRefused):
        StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_static_files_and_data_uris():
    css = StaticOnlyFetcher().fetch("https://casework.invalid/static/pdf/document.css")
    data = StaticOnlyFetcher().fetch("data:text/plain;base64,5Lit5paH")

    assert css.content_type == "text/css"
    assert b"Noto Sans CJK SC" in css.read()
    assert data.read().decode() == "中文"


def agreement_context() -> dict:
    from casework.documents.benchmarks import _context

    context, _meta = _context(latin=False)
    return context
