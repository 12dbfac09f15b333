"""The documents' font: Noto Sans CJK SC cut down to GB 2312 and the Latin range
(casework/documents/pdf_font.py), drawn exactly as the installed face, with a fallback
to the installed face for any other character."""

from PIL import Image, ImageChops
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from casework.documents import pdf_font, rendering
from casework.documents.rendering import DocumentMeta, html_to_pdf, render
from tests.documents.conftest import pdftotext, run_tool, squeeze

META = DocumentMeta(
    title="受理通知书", market_name="测试区零工市场", verification_code="ABCDEFGHJKMNPQRS"
)
NOTICE = "pdf/caseapp/acceptance_notice.html"

# Hanzi, Latin, digits, a hash, full-width punctuation and a few symbols.
SAMPLE = (
    "甲方（用工方）：测试搬家服务有限公司，统一社会信用代码 91350100MABENCH001；"
    "报酬合计600.00元，①②③，温度≤35℃——“按日结算”。"
    "文本摘要 9d2a8f47a269d4ef652e675770bc2427ff08d d42add7bee1 Ünïcode ā á ǎ à"
)
RARE = "王喆"  # 喆 (U+5586) is in GBK but not in GB 2312


def fonts_of(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return [line.split()[0] for line in run_tool("pdffonts", str(path)).splitlines()[2:]]


def page_images(data: bytes, tmp_path, name: str) -> list[Image.Image]:
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(data)
    run_tool("pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / name))
    return [Image.open(path).convert("RGB") for path in sorted(tmp_path.glob(f"{name}-*.png"))]


def page(body: str, family: str = "") -> str:
    # An author style beats the frame's (a user stylesheet): the installed face, to compare.
    rule = f'{{ font-family: "{family}" }}'
    style = f"<style>html {rule} @page {rule}</style>" if family else ""
    return f'<html lang="zh-CN"><head>{style}</head><body><p>{body}</p></body></html>'


def test_the_bundled_font_holds_gb2312_and_the_latin_range():
    wanted = pdf_font.wanted_characters()
    held = pdf_font.covered(pdf_font.font_path(), wanted)

    assert pdf_font.gb2312_characters() <= held  # 7,445 characters, 6,763 of them hanzi
    assert set(range(0x20, 0x7F)) <= held
    assert ord("喆") not in pdf_font.covered(pdf_font.font_path(), {ord("喆")})


def test_documents_embed_the_bundled_face_only(tmp_path):
    pdf = render(NOTICE, {"code": "TC-2026-000001", "market": "测试区零工市场"}, document_meta=META)

    assert squeeze("测试区零工市场已受理本案。") in squeeze(pdftotext(pdf.data, tmp_path))
    [font] = fonts_of(pdf.data, tmp_path)
    assert font.endswith("+Noto-Sans-CJK-SC-GB2312")
    assert len(pdf.data) < 120_000  # with the full face a one-page notice was 170 KB


def test_a_character_outside_it_prints_from_the_installed_face(tmp_path):
    pdf = render(NOTICE, {"code": "TC-2026-000001", "market": RARE}, document_meta=META)

    assert f"{RARE}已受理本案。" in squeeze(pdftotext(pdf.data, tmp_path))
    families = sorted(font.split("+", 1)[1] for font in fonts_of(pdf.data, tmp_path))
    assert families == ["Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-GB2312"]


def test_the_bundled_face_draws_exactly_like_the_installed_one(tmp_path):
    bundled = html_to_pdf(page(SAMPLE * 3))
    installed = html_to_pdf(page(SAMPLE * 3, family=pdf_font.SOURCE_FAMILY))

    assert fonts_of(installed.data, tmp_path) != fonts_of(bundled.data, tmp_path)
    ours = page_images(bundled.data, tmp_path, "bundled")
    theirs = page_images(installed.data, tmp_path, "installed")
    assert len(ours) == len(theirs) == 1
    assert ImageChops.difference(ours[0], theirs[0]).getbbox() is None


def test_without_the_file_the_renderer_says_so_and_uses_the_installed_face(
    monkeypatch, caplog, tmp_path
):
    monkeypatch.setattr(pdf_font, "STATIC_PATH", "pdf/fonts/missing.otf")
    config = FontConfiguration()

    rendering.add_documents_font(config)
    document = HTML(string=page(SAMPLE), base_url=rendering.PDF_BASE_URL).render(
        font_config=config, stylesheets=[rendering.frame_stylesheet()]
    )

    assert "the documents' font pdf/fonts/missing.otf is missing" in caplog.text
    [font] = fonts_of(document.write_pdf(), tmp_path)
    assert font.endswith("+Noto-Sans-CJK-SC")
