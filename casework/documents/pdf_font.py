"""The documents' font: Noto Sans CJK SC cut down to GB 2312 and the Latin range.

Why it exists: WeasyPrint embeds a subset of each face a PDF uses, but keeps every
glyph id up to the largest one the PDF uses (its text refers to the original ids).
The common characters of the full Noto Sans CJK SC (a 20 MB collection of 65,535
glyphs) sit at ids up to 65,000, so every PDF carried an 840 KB font table cut
out of the 20 MB face and compressed: about 100 KB of each PDF and 40 ms of its
rendering (`bench pdf`, three pages: 0.150 s of CPU before, 0.115 s after). This
face holds the same outlines, metrics and shaping rules for the characters
documents use (GB 2312: 6,763 hanzi and its symbols; ASCII, Latin, punctuation,
full-width forms, arrows, maths, circled numbers, box drawing), 8,400 glyphs in
1.6 MB, so the table a PDF carries is a few times smaller.

A character outside it (a rare character in a name or an address) falls back to
the installed Noto Sans CJK SC, the next family in static/pdf/document.css, and
prints with its real glyph; that PDF then embeds both faces.

Only the simplified-Chinese shaping rules are kept (documents are lang="zh-CN"):
the Japanese, Korean and traditional-Chinese 'locl' forms of every character would
double the glyph count. The result lays out and draws exactly like the installed
face (tests/documents/test_pdf_font.py compares them).

Rebuild it after fonts-noto-cjk changes: ``python manage.py build_pdf_font``.
"""

from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

FAMILY = "Noto Sans CJK SC GB2312"
POSTSCRIPT_NAME = "NotoSansCJKsc-GB2312"
SOURCE_FAMILY = "Noto Sans CJK SC"
STATIC_PATH = "pdf/fonts/NotoSansCJKsc-GB2312.otf"  # below STATIC_URL, named in document.css
KEPT_LANGUAGE = "ZHS "  # OpenType's tag for simplified Chinese

# Beyond GB 2312: the Latin, punctuation and symbol blocks documents print.
EXTRA_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1 and Latin Extended-A/B (names, pinyin with tones)
    (0x2000, 0x206F),  # general punctuation
    (0x2100, 0x218F),  # letterlike symbols and number forms (℃, №, Ⅻ)
    (0x2190, 0x22FF),  # arrows and mathematical operators
    (0x2460, 0x24FF),  # circled numbers
    (0x2500, 0x25FF),  # box drawing and geometric shapes
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # full-width forms
)


def font_path() -> Path:
    return Path(settings.BASE_DIR) / "static" / STATIC_PATH


def gb2312_characters() -> set[int]:
    """Every character GB 2312 encodes (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    found = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue  # an unassigned code point
    return found


def wanted_characters() -> set[int]:
    extra = {code for first, last in EXTRA_RANGES for code in range(first, last + 1)}
    return gb2312_characters() | extra


def build(source: Path, index: int, target: Path) -> int:
    """Write the documents' face cut from face ``index`` of ``source``; its glyph count."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=index)
    for tag in ("GSUB", "GPOS"):
        if tag in font:
            _keep_language(font[tag].table, KEPT_LANGUAGE)
    options = subset.Options()
    options.name_IDs = ["*"]  # keeps the copyright and the OFL notice (names 0, 13, 14)
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # WeasyPrint drops the hints from what it embeds anyway
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted_characters())
    subsetter.subset(font)
    _rename(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    return font["maxp"].numGlyphs


def _keep_language(table, language: str) -> None:
    # The other language systems' 'locl' rules would pull their glyphs into the subset.
    for record in table.ScriptList.ScriptRecord:
        script = record.Script
        script.LangSysRecord = [r for r in script.LangSysRecord if r.LangSysTag == language]
        script.LangSysCount = len(script.LangSysRecord)


def _rename(font) -> None:
    # A family name of its own, so that fontconfig never takes this cut face for the
    # installed one the documents fall back to.
    names = {1: FAMILY, 3: f"{POSTSCRIPT_NAME};subset", 4: FAMILY, 6: POSTSCRIPT_NAME}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in (16, 17):  # typographic names: the plain ones say it all
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        for record in table.names:
            if record.nameID == name_id:
                record.string = value
    if "CFF " in font:
        font["CFF "].cff.fontNames = [POSTSCRIPT_NAME]


def covered(path: Path, characters: Iterable[int]) -> set[int]:
    """The characters of ``characters`` that the font at ``path`` maps."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(path), lazy=True).getBestCmap()
    return {code for code in characters if code in cmap}
