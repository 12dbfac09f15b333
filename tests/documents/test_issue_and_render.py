"""Issuing a document and rendering it in the Celery task: snapshot, idempotency, failure."""

import datetime
import hashlib
import re

import pytest
from django.utils import timezone

from casework.documents import services
from casework.documents.models import Document, DocumentImmutable
from casework.documents.services import PermanentDocumentError, document_issue
from casework.documents.tasks import render_document
from tests.caseapp.models import SampleCase
from tests.documents.conftest import pdftotext, render_now, squeeze

KIND = "sample_acceptance_notice"


@pytest.fixture
def case(market) -> SampleCase:
    return SampleCase.objects.create(market=market)


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.pdf")) if root.exists() else []


def test_issuing_creates_a_pending_row_with_a_snapshot(case, alice_mediator):
    doc = document_issue(subject=case, kind=KIND, by=alice_mediator)

    assert (doc.status, doc.version, doc.kind, doc.seal) == ("pending", 1, KIND, False)
    assert (doc.subject, doc.created_by) == (case, alice_mediator)
    assert doc.market_name == "测试区零工市场"
    assert doc.title == "受理通知书（测试）"
    assert doc.context == {"code": case.code, "market": "测试区零工市场"}
    assert len(doc.verification_code) == 16
    assert not doc.file


def test_each_issue_of_the_same_kind_is_a_new_version(case):
    first = document_issue(subject=case, kind=KIND)
    second = document_issue(subject=case, kind=KIND)

    assert (first.version, second.version) == (1, 2)
    assert first.verification_code != second.verification_code


def test_rendering_starts_only_after_commit_and_stores_the_pdf(
    case, settings, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        doc = document_issue(subject=case, kind=KIND)
    assert Document.objects.get(pk=doc.pk).status == "pending"  # nothing ran inside

    for callback in callbacks:
        callback()

    doc.refresh_from_db()
    assert doc.status == "ready"
    data = doc.file.read()
    assert hashlib.sha256(data).hexdigest() == doc.sha256
    assert (doc.size, doc.pages, doc.attempts) == (len(data), 1, 1)
    # No personal data in storage names: kind, verification code and version.
    expected = rf"documents/\d{{4}}/\d{{2}}/{KIND}-{doc.verification_code}-v1\.pdf"
    assert re.fullmatch(expected, doc.file.name)
    assert f"{case.code}" in pdftotext(data, tmp_path)


def test_the_pdf_shows_the_snapshot_not_the_live_record(case, market, tmp_path):
    doc = document_issue(subject=case, kind=KIND)
    market.name = "改名后的零工市场"
    market.save()

    doc = render_now(doc)

    text = squeeze(pdftotext(doc.file.read(), tmp_path))
    assert "测试区零工市场已受理本案" in text
    assert "改名后" not in text


def test_running_the_task_twice_keeps_one_file_and_one_hash(case, settings):
    doc = document_issue(subject=case, kind=KIND)

    render_document.apply(args=[doc.pk])
    first = Document.objects.get(pk=doc.pk)
    render_document.apply(args=[doc.pk])
    second = Document.objects.get(pk=doc.pk)

    assert first.status == second.status == "ready"
    assert (second.sha256, second.file.name, second.attempts) == (first.sha256, first.file.name, 1)
    assert stored_files(settings) == [first.file.name]


def test_a_run_that_loses_its_claim_deletes_its_own_file(case, settings, monkeypatch):
    doc = document_issue(subject=case, kind=KIND)
    real_render = services.render
    raced: list = []

    def render_while_another_run_finishes(*args, **kwargs):
        result = real_render(*args, **kwargs)
        if not raced:  # this run's lease runs out and a second run does the whole job
            raced.append(None)
            past = timezone.now() - datetime.timedelta(seconds=1)
            Document.objects.filter(pk=doc.pk).update(lease_expires_at=past)
            raced[0] = services.document_render(doc.pk)
        return result

    monkeypatch.setattr(services, "render", render_while_another_run_finishes)

    loser = services.document_render(doc.pk)

    winner = raced[0]
    assert loser.status == winner.status == "ready"
    assert (loser.file.name, loser.sha256, loser.attempts) == (winner.file.name, winner.sha256, 2)
    assert stored_files(settings) == [winner.file.name]


def test_a_render_error_leaves_the_document_pending_for_a_later_try(case, monkeypatch):
    doc = document_issue(subject=case, kind=KIND)
    monkeypatch.setattr(services, "render", _broken_renderer)

    before = timezone.now()
    render_document.apply(args=[doc.pk])

    doc.refresh_from_db()
    assert (doc.status, doc.attempts) == ("pending", 1)
    assert doc.error == "RuntimeError: the renderer broke"
    assert doc.resend_at >= before + services.RETRY_DELAY_FIRST
    assert doc.lease_expires_at is None
    assert not doc.file


def test_a_render_that_keeps_failing_is_given_up(case, monkeypatch):
    doc = document_issue(subject=case, kind=KIND)
    Document.objects.filter(pk=doc.pk).update(attempts=services.MAX_ATTEMPTS - 1)
    monkeypatch.setattr(services, "render", _broken_renderer)

    render_document.apply(args=[doc.pk])

    doc.refresh_from_db()
    assert (doc.status, doc.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert doc.error == "RuntimeError: the renderer broke"


def test_the_retry_delay_doubles_up_to_ten_minutes():
    delays = [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 6, 7, 50)]

    assert delays == [10, 20, 40, 320, 600, 600]


def test_a_missing_document_fails_at_once_without_retrying(db):
    result = render_document.apply(args=[999_999])

    assert isinstance(result.result, PermanentDocumentError)
    assert result.state == "FAILURE"


def test_the_task_is_configured_for_at_least_once_delivery(settings):
    assert render_document.acks_late is True
    assert render_document.reject_on_worker_lost is True
    assert render_document.soft_time_limit == settings.DOCUMENT_RENDER_SOFT_LIMIT
    assert render_document.time_limit == settings.DOCUMENT_RENDER_HARD_LIMIT
    # The lease outlasts any render, and a lost one is back within 2 minutes.
    assert settings.DOCUMENT_RENDER_LEASE > settings.DOCUMENT_RENDER_HARD_LIMIT
    assert settings.DOCUMENT_RENDER_LEASE + settings.DOCUMENT_SWEEP_SECONDS <= 120


def test_a_ready_document_cannot_be_changed(case):
    doc = render_now(document_issue(subject=case, kind=KIND))

    doc.title = "改过的标题"
    with pytest.raises(DocumentImmutable):
        doc.save()
    with pytest.raises(DocumentImmutable):
        doc.delete()


def test_a_failed_document_stays_failed_when_rendered_again(case):
    doc = document_issue(subject=case, kind=KIND)
    Document.objects.filter(pk=doc.pk).update(status="failed", error="earlier failure")

    assert services.document_render(doc.pk).status == "failed"


def _broken_renderer(*args, **kwargs):
    raise RuntimeError("the renderer broke")
