"""System checks for PDF rendering (CJK font, HarfBuzz subsetting, seal settings).

Without a CJK font every Chinese character prints as a box; without
libharfbuzz-subset WeasyPrint falls back to fontTools and one page of
Chinese takes seconds. Both fail `manage.py check` loudly, naming the
Debian/Ubuntu package to install.
"""

import subprocess
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

CJK_FONT_PACKAGE = "fonts-noto-cjk"
HARFBUZZ_SUBSET_PACKAGE = "libharfbuzz-subset0"
PREFERRED_FAMILY = "Noto Sans CJK SC"


def cjk_font_families() -> list[str] | None:
    """Families fontconfig offers for Chinese, or None when fc-list is missing.

    fc-list runs as a subprocess so it reads the same FONTCONFIG_FILE as the
    renderer would, without touching the renderer's already loaded font cache.
    """
    try:
        result = subprocess.run(
            ["fc-list", ":lang=zh", "family"],  # noqa: S607  (found on PATH, like WeasyPrint's libs)
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    return sorted(
        {
            name.strip()
            for line in result.stdout.splitlines()
            for name in line.split(",")
            if name.strip()
        }
    )


@register()
def check_cjk_font(app_configs=None, **kwargs) -> list:
    families = cjk_font_families()
    if families is None:
        return [
            Error(
                "fontconfig's fc-list was not found, so no CJK font can be located.",
                hint=f"Install the packages fontconfig and {CJK_FONT_PACKAGE} "
                f"(apt-get install fontconfig {CJK_FONT_PACKAGE}).",
                id="documents.E001",
            )
        ]
    if not families:
        return [
            Error(
                "No font for Chinese (CJK) text was found by fontconfig: PDFs would "
                "show boxes instead of characters.",
                hint=f"Install the package {CJK_FONT_PACKAGE} "
                f"(apt-get install {CJK_FONT_PACKAGE}), then run fc-cache.",
                id="documents.E001",
            )
        ]
    if PREFERRED_FAMILY not in families:
        return [
            Warning(
                f"{PREFERRED_FAMILY} is not installed; PDFs fall back to {families[0]}.",
                hint=f"Install the package {CJK_FONT_PACKAGE} for the documents' own font.",
                id="documents.W001",
            )
        ]
    return []


def harfbuzz_subset_problem() -> str:
    """Why WeasyPrint cannot subset fonts with HarfBuzz, or "" when it can."""
    try:
        from weasyprint.text import ffi
    except (ImportError, OSError) as exc:  # Pango or HarfBuzz itself missing
        return f"WeasyPrint cannot load its libraries ({exc})"
    # The same test WeasyPrint's Font.subset() makes before choosing HarfBuzz.
    if ffi.harfbuzz_subset is None:
        return "the library harfbuzz-subset is not installed"
    if not ffi.harfbuzz.hb_version_atleast(4, 1, 0):
        return "HarfBuzz is older than 4.1.0"
    return ""


@register()
def check_harfbuzz_subset(app_configs=None, **kwargs) -> list:
    problem = harfbuzz_subset_problem()
    if not problem:
        return []
    return [
        Error(
            f"WeasyPrint cannot subset fonts with HarfBuzz: {problem}. It would fall "
            "back to fontTools, and a page of Chinese would take seconds to render.",
            hint=f"Install the package {HARFBUZZ_SUBSET_PACKAGE} "
            f"(apt-get install {HARFBUZZ_SUBSET_PACKAGE}), HarfBuzz 4.1 or newer.",
            id="documents.E002",
        )
    ]


@register()
def check_seal_files(app_configs=None, **kwargs) -> list:
    if not settings.SEAL_CERT_FILE:
        return []  # the demo seal is generated under SEAL_DEMO_DIR on first use
    missing = [
        f"{name}={value or '(empty)'}"
        for name, value in (
            ("SEAL_CERT_FILE", settings.SEAL_CERT_FILE),
            ("SEAL_KEY_FILE", settings.SEAL_KEY_FILE),
        )
        if not value or not Path(value).is_file()
    ]
    if not missing:
        return []
    return [
        Error(
            f"The seal certificate or key cannot be read: {', '.join(missing)}.",
            hint="Point SEAL_CERT_FILE and SEAL_KEY_FILE at the market's seal "
            "(PEM or DER), or unset both to use the generated demo seal.",
            id="documents.E003",
        )
    ]


@register(Tags.security, deploy=True)
def check_production_seal(app_configs=None, **kwargs) -> list:
    """check --deploy refuses the generated demo seal: anyone can make one like it."""
    if settings.DEBUG:
        return []
    cert = settings.SEAL_CERT_FILE
    demo_dir = Path(settings.SEAL_DEMO_DIR).resolve()
    if cert and demo_dir not in Path(cert).resolve().parents:
        return []
    return [
        Error(
            "Documents are sealed with the self-signed demo seal, which proves nothing.",
            hint="Set SEAL_CERT_FILE and SEAL_KEY_FILE to the market's seal certificate "
            "and key (docs in deploy/README.md).",
            id="documents.E006",
        )
    ]


@register()
def check_document_kinds(app_configs=None, **kwargs) -> list:
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    from casework.documents.registry import all_kinds, declared_transitions

    kinds = {kind.slug: kind for kind in all_kinds()}
    errors = [
        Error(
            f"{model}.{transition} declares the document kind {slug!r}, "
            "which no documents.py registers.",
            id="documents.E004",
        )
        for (model, transition), slugs in declared_transitions().items()
        for slug in slugs
        if slug not in kinds
    ]
    for kind in kinds.values():
        try:
            get_template(kind.template)
        except TemplateDoesNotExist:
            errors.append(
                Error(
                    f"The document kind {kind.slug!r} uses the missing template {kind.template}.",
                    id="documents.E005",
                )
            )
    return errors
