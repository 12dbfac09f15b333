"""``manage.py bench sign``: render and seal a signed agreement, leaving no rows behind."""

import json

from django.apps import apps
from django.core.management import call_command


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_bench_sign_prints_its_numbers_and_leaves_no_rows(db, capsys):
    before = row_counts()  # an empty database but for what the migrations install

    call_command("bench", "sign", "--iterations", "2")

    [line] = capsys.readouterr().out.splitlines()
    result = json.loads(line)
    assert result["benchmark"] == "sign"
    assert result["iterations"] == 2
    for key in ("median_s", "render_median_s", "seal_median_s", "bytes", "first_s"):
        assert result[key] > 0
    assert result["target_s"] == 0.3
    assert result["met"] is (result["median_s"] <= 0.3)
    assert result["pages"] >= 4  # the text, the signature page and the audit page
    assert result["seal_valid"] is True
    assert result["seal_visible"] is True  # as the Celery task seals it, at the 盖章 place
    assert "includes" in result and "excludes" in result
    assert row_counts() == before


def test_bench_sign_is_listed(capsys):
    call_command("bench", "--list")

    assert "sign\t" in capsys.readouterr().out
