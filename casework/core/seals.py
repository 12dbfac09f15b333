"""The picture of a market's seal: the uploaded PNG or SVG, checked, or a drawn one.

A sealed document shows the seal at its 盖章 place as the visible appearance of its
PAdES signature (casework.documents.sealing). Administrators upload the market's
seal image in the admin (Market.seal_image); validate_seal_image() admits only a
real PNG or an SVG without scripts, event handlers or outside references, under
SEAL_IMAGE_MAX_BYTES. A market without one gets drawn_seal(): a red round seal
(电子印章 style) with the market's name around the arc and a star in the centre,
drawn once with Pillow and the Noto CJK font and kept under SEAL_DEMO_DIR.
"""

import functools
import hashlib
import math
import os
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from lxml import etree
from PIL import Image, ImageDraw, ImageFont

SEAL_IMAGE_MAX_BYTES = 1024 * 1024
# A PNG's pixels are decoded when a document is sealed: at most this many.
SEAL_IMAGE_MAX_PIXELS = 4096 * 4096
SEAL_RED = (214, 0, 0, 255)
DRAWN_SIZE = 600  # pixels of the drawn seal (about 360 dpi at 42 mm)
DRAWN_VERSION = "1"  # part of the cached file's name: change it when the drawing changes
SEAL_LINE = "电子印章"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Elements that run code, embed other documents or change attributes over time.
SVG_FORBIDDEN = {
    "script",
    "foreignObject",
    "iframe",
    "embed",
    "object",
    "handler",
    "listener",
    "animate",
    "animateMotion",
    "animateTransform",
    "animateColor",
    "set",
    "discard",
}


def seal_image_kind(name: str) -> str:
    """'png' or 'svg' by the file's name, '' for anything else."""
    suffix = Path(name).suffix.lower()
    return {".png": "png", ".svg": "svg"}.get(suffix, "")


def validate_seal_image(upload) -> None:
    """The model field's validator: a PNG or a safe SVG, not too large."""
    kind = seal_image_kind(upload.name)
    if not kind:
        raise ValidationError(_("Upload the seal as a PNG or SVG file."), code="seal_type")
    if upload.size is not None and upload.size > SEAL_IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The seal image may be at most %(max)s KB; this file has %(size)s KB."),
            code="seal_size",
            params={"max": SEAL_IMAGE_MAX_BYTES // 1024, "size": upload.size // 1024},
        )
    upload.seek(0)
    data = upload.read(SEAL_IMAGE_MAX_BYTES + 1)
    upload.seek(0)
    if len(data) > SEAL_IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The seal image may be at most %(max)s KB."),
            code="seal_size",
            params={"max": SEAL_IMAGE_MAX_BYTES // 1024},
        )
    if kind == "png":
        check_png(data)
    else:
        check_svg(data)


def check_png(data: bytes) -> Image.Image:
    """The decoded PNG, or a ValidationError saying why it is not usable."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError(_("This file is not a PNG image."), code="seal_png")
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format != "PNG":
                raise ValidationError(_("This file is not a PNG image."), code="seal_png")
            width, height = probe.size
            if width * height > SEAL_IMAGE_MAX_PIXELS:
                raise ValidationError(
                    _("The seal image is too large (at most 4096 × 4096 pixels)."),
                    code="seal_pixels",
                )
            probe.verify()
        image = Image.open(BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(
            _("This PNG image is damaged and cannot be read."), code="seal_png"
        ) from None
    if min(width, height) < 64:
        raise ValidationError(
            _("The seal image is too small: at least 64 × 64 pixels."), code="seal_pixels"
        )
    return image


def _svg_parser() -> etree.XMLParser:
    # No DTD, no entities, nothing fetched: an "XML bomb" or an outside file is refused.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=False,
    )


def check_svg(data: bytes) -> None:
    """Raise a ValidationError unless ``data`` is an SVG that does nothing but draw."""
    try:
        root = etree.fromstring(data, parser=_svg_parser())
    except etree.XMLSyntaxError:
        raise ValidationError(_("This file is not a valid SVG image."), code="seal_svg") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ValidationError(
            _("The SVG may not contain a DOCTYPE declaration."), code="seal_svg_unsafe"
        )
    if etree.QName(root).localname != "svg" or etree.QName(root).namespace != SVG_NS:
        raise ValidationError(_("This file is not a valid SVG image."), code="seal_svg")
    problem = _svg_problem(root)
    if problem:
        raise ValidationError(
            _(
                "The SVG contains %(what)s, which a seal image may not have: "
                "upload a plain drawing."
            ),
            code="seal_svg_unsafe",
            params={"what": problem},
        )


def _svg_problem(root) -> str:
    for node in root.iter():
        if isinstance(node, etree._ProcessingInstruction):
            return "<?" + str(node.target) + "?>"
        if not isinstance(node.tag, str):
            continue  # an entity reference left unresolved
        name = etree.QName(node).localname
        if name in SVG_FORBIDDEN:
            return f"<{name}>"
        if name == "style" and _outside_reference(node.text or ""):
            return "<style> @import / url()"
        for attribute, value in node.attrib.items():
            attr = etree.QName(attribute).localname.lower()
            if attr.startswith("on"):
                return f'"{attr}"'
            if attr == "href" and not value.strip().startswith("#"):
                return f'"href={value[:40]}"'
            if _outside_reference(value):
                return f'"{attr}"'
    return ""


def _outside_reference(text: str) -> bool:
    lowered = "".join(text.lower().split())
    if "javascript:" in lowered or "@import" in lowered:
        return True
    # url(#id) points inside the drawing; any other url() would be fetched.
    pieces = lowered.split("url(")[1:]
    return any(not piece.lstrip("'\"").startswith("#") for piece in pieces)


# -- the drawn seal -------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def seal_font() -> tuple[str, int]:
    """(font file, face index) of a bold CJK serif (the Noto CJK fonts of `make install`)."""
    fc_match = shutil.which("fc-match")
    for family in ("Noto Serif CJK SC:bold", "Noto Sans CJK SC:bold", "Noto Sans CJK SC"):
        if not fc_match:
            break
        found = subprocess.run(  # noqa: S603 (a fixed program and arguments)
            [fc_match, "-f", "%{file}\t%{index}\t%{family}", family],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
        path, _tab, rest = found.partition("\t")
        index, _tab, families = rest.partition("\t")
        if path and "CJK" in families and os.path.exists(path):
            return path, int(index or 0)
    raise RuntimeError("no Noto CJK font found: apt-get install fonts-noto-cjk")


def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = seal_font()
    return ImageFont.truetype(path, size=size, index=index)


def draw_seal(name: str, line: str = SEAL_LINE) -> bytes:
    """A red round seal as PNG bytes: ``name`` around the arc, a star, ``line`` under it."""
    size = DRAWN_SIZE
    centre = size / 2
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = size * 0.03
    outer = size / 2 - ring / 2 - 2
    draw.ellipse(
        (centre - outer, centre - outer, centre + outer, centre + outer),
        outline=SEAL_RED,
        width=round(ring),
    )
    _draw_arc_text(image, name, centre, outer - ring)
    _draw_star(draw, centre, centre - size * 0.01, size * 0.16)
    if line:
        font = _font(round(size * 0.075))
        draw.text((centre, centre + size * 0.235), line, font=font, fill=SEAL_RED, anchor="mm")
    return _png(image)


def _draw_arc_text(image: Image.Image, text: str, centre: float, radius: float) -> None:
    """Each character upright towards the rim, clockwise along the upper arc."""
    chars = list(text.strip()) or ["印"]
    count = len(chars)
    # Up to 240 degrees of arc; shorter names keep a wider spacing between characters.
    step = min(34.0, 240.0 / count) if count > 1 else 0.0
    size = round(min(image.width * 0.13, radius * math.radians(step or 34.0) * 0.92))
    font = _font(max(size, 12))
    text_radius = radius - size * 0.62
    start = -step * (count - 1) / 2
    cell = size * 2
    for i, char in enumerate(chars):
        angle = start + i * step  # degrees clockwise from the top
        glyph = Image.new("RGBA", (cell, cell), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (cell / 2, cell / 2), char, font=font, fill=SEAL_RED, anchor="mm"
        )
        glyph = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
        x = centre + text_radius * math.sin(math.radians(angle))
        y = centre - text_radius * math.cos(math.radians(angle))
        image.alpha_composite(glyph, (round(x - cell / 2), round(y - cell / 2)))


def _draw_star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float) -> None:
    inner = radius * 0.382
    points = []
    for k in range(10):
        r = radius if k % 2 == 0 else inner
        angle = math.radians(-90 + 36 * k)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=SEAL_RED)


def _png(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def drawn_seal_path(name: str) -> Path:
    """The drawn seal of the market called ``name``, drawn on first use and kept."""
    key = hashlib.sha256(f"{DRAWN_VERSION}\0{name}".encode()).hexdigest()[:32]
    folder = Path(settings.SEAL_DEMO_DIR) / "drawn"
    path = folder / f"{key}.png"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a second worker drawing at the same moment reads a
    # whole file, never a half-written one.
    temp = folder / f".{key}.{os.getpid()}.tmp"
    temp.write_bytes(draw_seal(name))
    os.replace(temp, path)
    return path
