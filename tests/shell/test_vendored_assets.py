"""Front-end libraries are vendored from their npm packages with their licences, never a CDN.

The CSP loads scripts and styles only from the site itself; static/vendor/README.md says where
each file came from and how to update it.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor"
ECHARTS = VENDOR / "echarts"
TEMPLATES = sorted(
    path
    for folder in [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("*/*/templates")]
    if ".venv" not in folder.parts
    for path in folder.rglob("*.html")
)
# A script or stylesheet from another host: http://, https:// or protocol-relative //.
REMOTE_ASSET = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(https?:)?//|<link\b[^>]*\bhref\s*=\s*[\"']?\s*(https?:)?//",
    re.I,
)


def echarts_version():
    text = (ECHARTS / "echarts.min.js").read_text(encoding="utf-8")
    declared = set(re.findall(r"\.version=\"(\d+\.\d+\.\d+)\"", text))  # echarts.version = "6.1.0"
    assert len(declared) == 1, f"echarts.min.js declares versions {declared}"
    return declared.pop()


def test_echarts_is_vendored_from_its_package():
    text = (ECHARTS / "echarts.min.js").read_text(encoding="utf-8")

    assert text.lstrip().startswith("/*\n* Licensed to the Apache Software Foundation (ASF)")
    assert "Apache License, Version 2.0" in text[:2000]
    assert ".echarts={}" in text[:5000]  # the UMD wrapper that sets the global echarts
    assert len(text) > 500_000  # the full build, not a stub


def test_echarts_keeps_its_licence_and_notice():
    assert "Apache License" in (ECHARTS / "LICENSE").read_text(encoding="utf-8")
    assert "Apache ECharts" in (ECHARTS / "NOTICE").read_text(encoding="utf-8")
    # LICENSE names d3's licence; zrender is bundled in the min.js file.
    for name in ["LICENSE-d3", "LICENSE-zrender"]:
        text = (ECHARTS / "licenses" / name).read_text(encoding="utf-8")
        assert "Redistribution and use in source and binary forms" in text


def test_the_readme_names_the_vendored_version_and_tarball():
    version = echarts_version()
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")

    assert re.search(rf"\| version \| {re.escape(version)} \|", readme)
    assert f"echarts/-/echarts-{version}.tgz" in readme
    assert re.search(r"integrity \| `sha512-[A-Za-z0-9+/=]{80,}`", readme)
    assert re.search(r"shasum[^|]*\| `[0-9a-f]{40}`", readme)


def test_nothing_from_npm_is_committed_but_the_copied_files():
    assert not list(ROOT.glob("static/**/node_modules"))
    assert not list((ROOT / "static").rglob("package-lock.json"))


def test_the_templates_were_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_loads_a_script_or_stylesheet_from_another_host(path):
    text = path.read_text(encoding="utf-8")
    assert not REMOTE_ASSET.search(text), "vendor it under static/vendor/"


def test_the_check_catches_a_cdn():
    assert REMOTE_ASSET.search('<script src="https://cdn.example.org/echarts.min.js"></script>')
    assert REMOTE_ASSET.search("<link rel='stylesheet' href='//cdn.example.org/x.css'>")
    assert not REMOTE_ASSET.search('<script src="/static/vendor/echarts/echarts.min.js" defer>')
    assert not REMOTE_ASSET.search('<a href="https://www.apache.org/">Apache</a>')
