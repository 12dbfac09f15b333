"""`manage.py bench`: a registry of benchmarks, one JSON object per line."""

import json

import pytest
from django.core.management import CommandError, call_command


def test_bench_pdf_prints_one_json_object_without_touching_the_database(capsys):
    # No db fixture: pytest-django fails any database access in this test.
    call_command("bench", "pdf", "--iterations", "1")

    [line] = capsys.readouterr().out.splitlines()
    result = json.loads(line)
    assert result["benchmark"] == "pdf"
    for key in ("cjk_median_s", "latin_median_s", "ratio", "cjk_pdf_bytes"):
        assert result[key] > 0
    assert result["cjk_pages"] == result["latin_pages"] == 3


def test_bench_lists_its_benchmarks(capsys):
    call_command("bench", "--list")

    assert "pdf\t" in capsys.readouterr().out


def test_an_unknown_benchmark_is_an_error():
    with pytest.raises(CommandError, match="unknown benchmark nope"):
        call_command("bench", "nope")
