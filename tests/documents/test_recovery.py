"""Documents always recover: the claim and its lease, the sweep, storage outages, retries.

Celery runs in-process here; tests/documents/test_broker_outage.py and
test_worker_killed.py do the same against a broker and real workers.
"""

import datetime
import io
import os
import time

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.documents import services
from casework.documents.files import orphan_files
from casework.documents.models import Document
from casework.documents.services import document_issue, document_sweep
from tests.caseapp.models import SampleCase
from tests.documents.conftest import render_now

KIND = "sample_acceptance_notice"


@pytest.fixture
def case(market) -> SampleCase:
    return SampleCase.objects.create(market=market)


def _may_see_sample_cases(user):
    # A case's documents are for those who may see the case: the sample cases here.
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="caseapp", codename="view_samplecase")
    )
    return user


@pytest.fixture
def alice_mediator(alice_mediator):
    return _may_see_sample_cases(alice_mediator)


@pytest.fixture
def audrey_auditor(audrey_auditor):
    return _may_see_sample_cases(audrey_auditor)


@pytest.fixture
def storage_down(monkeypatch):
    """The media folder refuses writes (as a read-only or full disk does) until .up()."""

    class Outage:
        writes = 0

        def up(self):
            monkeypatch.undo()

    outage = Outage()
    real_save = FileSystemStorage._save

    def refuse(storage, name, content):
        outage.writes += 1
        real_save(storage, name, ContentFile(b"%PDF-1.7 half a file"))  # partly written
        raise PermissionError(13, "Permission denied", name)

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)
    return outage


def later(**delta) -> time_machine.travel:
    return time_machine.travel(timezone.now() + datetime.timedelta(**delta), tick=False)


def failed(case) -> Document:
    doc = document_issue(subject=case, kind=KIND)
    Document.objects.filter(pk=doc.pk).update(status="failed", error="OSError: disk full")
    return Document.objects.get(pk=doc.pk)


# The claim


def test_a_render_claims_the_document_with_a_lease(case, settings, monkeypatch):
    doc = document_issue(subject=case, kind=KIND)
    seen = {}

    def look(*args, **kwargs):
        seen["row"] = Document.objects.get(pk=doc.pk)
        raise RuntimeError("stop here")

    monkeypatch.setattr(services, "render", look)
    with pytest.raises(RuntimeError):
        services.document_render(doc.pk)

    row = seen["row"]
    assert (row.status, row.attempts) == ("rendering", 1)
    lease = row.lease_expires_at - timezone.now()
    assert (
        settings.DOCUMENT_RENDER_HARD_LIMIT
        < lease.total_seconds()
        <= (settings.DOCUMENT_RENDER_LEASE)
    )
    assert row.is_pending  # the pages still say "being prepared"


def test_a_second_run_leaves_a_document_another_run_holds_alone(case):
    doc = document_issue(subject=case, kind=KIND)
    lease = timezone.now() + datetime.timedelta(seconds=60)
    Document.objects.filter(pk=doc.pk).update(status="rendering", lease_expires_at=lease)

    assert services.document_render(doc.pk).status == "rendering"
    assert Document.objects.get(pk=doc.pk).attempts == 0


def test_a_render_whose_lease_ran_out_may_be_claimed_again(case):
    doc = document_issue(subject=case, kind=KIND)
    past = timezone.now() - datetime.timedelta(seconds=1)
    Document.objects.filter(pk=doc.pk).update(status="rendering", lease_expires_at=past)

    doc = services.document_render(doc.pk)

    assert (doc.status, doc.lease_expires_at) == ("ready", None)


# The sweep


def test_the_sweep_brings_back_a_render_lost_with_its_worker(case):
    doc = document_issue(subject=case, kind=KIND)
    past = timezone.now() - datetime.timedelta(seconds=1)
    Document.objects.filter(pk=doc.pk).update(status="rendering", lease_expires_at=past, attempts=1)

    result = document_sweep()

    assert (result.lost, result.sent) == (1, 1)
    doc.refresh_from_db()
    assert (doc.status, doc.attempts) == ("ready", 2)


def test_a_document_whose_renders_keep_dying_is_given_up(case):
    doc = document_issue(subject=case, kind=KIND)
    past = timezone.now() - datetime.timedelta(seconds=1)
    Document.objects.filter(pk=doc.pk).update(
        status="rendering", lease_expires_at=past, attempts=services.MAX_ATTEMPTS
    )

    assert document_sweep().given_up == 1

    doc.refresh_from_db()
    assert doc.status == "failed"
    assert doc.error.startswith(f"gave up after {services.MAX_ATTEMPTS} attempts")


def test_the_sweep_sends_pending_renders_only_once_they_are_due(case, settings):
    doc = document_issue(subject=case, kind=KIND)  # on_commit never ran: a lost send

    assert document_sweep().sent == 0  # its send may still be on the way
    with later(seconds=2 * settings.DOCUMENT_SWEEP_SECONDS + 1):
        assert document_sweep().sent == 1

    assert Document.objects.get(pk=doc.pk).status == "ready"


def test_a_sent_render_that_nobody_takes_is_sent_again_after_a_lease(case, monkeypatch, settings):
    doc = document_issue(subject=case, kind=KIND)
    monkeypatch.setattr(services, "send_render", lambda document_id: True)  # lost on the way

    with later(minutes=1):
        assert document_sweep().sent == 1
    with later(minutes=1, seconds=settings.DOCUMENT_RENDER_LEASE - 1):
        assert document_sweep().sent == 0
    with later(minutes=1, seconds=settings.DOCUMENT_RENDER_LEASE + 1):
        assert document_sweep().sent == 1

    assert Document.objects.get(pk=doc.pk).status == "pending"


def test_the_sweep_stops_sending_while_the_broker_is_down(case, monkeypatch):
    for _n in range(3):
        document_issue(subject=case, kind=KIND)
    calls = []
    monkeypatch.setattr(services, "send_render", lambda document_id: calls.append(1) and False)

    with later(minutes=1):
        result = document_sweep()

    assert (result.sent, result.unsent, len(calls)) == (0, 3, 1)


def test_the_on_commit_hook_is_a_named_function(case, django_capture_on_commit_callbacks):
    # Django's robust on_commit logs a failing hook by its __qualname__.
    with django_capture_on_commit_callbacks() as callbacks:
        document_issue(subject=case, kind=KIND)

    assert callbacks[0].__qualname__.endswith("send_render_after_commit")


# Storage outages


def test_a_storage_outage_leaves_documents_pending_and_no_partial_file(
    case, storage_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        doc = document_issue(subject=case, kind=KIND)

    doc.refresh_from_db()
    assert storage_down.writes == 1
    assert (doc.status, doc.attempts, doc.file.name) == ("pending", 1, "")
    assert doc.error.startswith("StorageError: PermissionError")
    assert orphan_files() == []  # the partly written temporary file is gone


def test_documents_issued_during_a_storage_outage_end_ready_without_anyone(
    case, storage_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        docs = [document_issue(subject=case, kind=KIND) for _ in range(3)]
    with later(seconds=30):
        document_sweep()  # storage still down: tried again, pending again
    assert storage_down.writes == 6

    storage_down.up()
    with later(minutes=2):
        assert document_sweep().sent == 3

    for doc in docs:
        doc.refresh_from_db()
        assert (doc.status, doc.error) == ("ready", "")
        assert default_storage.exists(doc.file.name)
    assert orphan_files() == []


def test_a_storage_error_never_gives_a_document_up(case, storage_down):
    doc = document_issue(subject=case, kind=KIND)
    Document.objects.filter(pk=doc.pk).update(attempts=services.MAX_ATTEMPTS + 5)

    with pytest.raises(services.StorageError):
        services.document_render(doc.pk)

    assert Document.objects.get(pk=doc.pk).status == "pending"


def test_the_sweep_removes_temporary_files_of_killed_renders(db, settings):
    dead = default_storage.save("documents/tmp/dead.part", ContentFile(b"%PDF half"))
    live = default_storage.save("documents/tmp/live.part", ContentFile(b"%PDF half"))
    long_ago = time.time() - settings.DOCUMENT_RENDER_LEASE - 1
    os.utime(default_storage.path(dead), (long_ago, long_ago))

    assert document_sweep().temp_removed == 1

    assert not default_storage.exists(dead)
    assert default_storage.exists(live)  # a render may still be writing it


# Retrying failed documents from the page


def retry_url(doc: Document) -> str:
    return reverse("documents:retry", args=[doc.pk])


def test_staff_retry_a_failed_document_from_its_page(
    client, case, alice_mediator, django_capture_on_commit_callbacks
):
    doc = failed(case)
    client.force_login(alice_mediator)

    page = client.get(reverse("documents:detail", args=[doc.pk])).content.decode()
    assert retry_url(doc) in page and 'name="csrfmiddlewaretoken"' in page
    assert _("Retry") in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url(doc), follow=True)

    assert response.redirect_chain == [(reverse("documents:detail", args=[doc.pk]), 302)]
    assert _("The document is being produced again.") in response.content.decode()
    doc.refresh_from_db()
    assert (doc.status, doc.error, doc.attempts) == ("ready", "", 1)


def test_the_button_and_the_message_are_in_chinese(client, case, alice_mediator):
    doc = failed(case)
    client.force_login(alice_mediator)

    page = client.get(reverse("documents:detail", args=[doc.pk])).content.decode()
    response = client.post(retry_url(doc), follow=True).content.decode()

    assert "重新生成" in page
    assert "文书正在重新生成" in response


def test_retrying_a_document_that_is_not_failed_changes_nothing(client, case, alice_mediator):
    doc = render_now(document_issue(subject=case, kind=KIND))
    client.force_login(alice_mediator)

    page = client.get(reverse("documents:detail", args=[doc.pk])).content.decode()
    response = client.post(retry_url(doc), follow=True)

    assert retry_url(doc) not in page
    assert Document.objects.get(pk=doc.pk).status == "ready"
    assert _("Only a document that could not be produced is retried.") in response.content.decode()


def test_a_mediator_of_another_market_cannot_retry(client, case, oscar_outsider):
    doc = failed(case)
    client.force_login(oscar_outsider)

    assert client.post(retry_url(doc)).status_code == 404
    assert Document.objects.get(pk=doc.pk).status == "failed"


def test_an_auditor_only_reads(client, case, audrey_auditor):
    doc = failed(case)
    client.force_login(audrey_auditor)

    page = client.get(reverse("documents:detail", args=[doc.pk]))
    assert page.status_code == 200 and retry_url(doc) not in page.content.decode()
    assert client.post(retry_url(doc)).status_code == 403
    assert Document.objects.get(pk=doc.pk).status == "failed"


def test_a_worker_cannot_retry(client, case, wang_worker):
    doc = failed(case)
    client.force_login(wang_worker)

    assert client.post(retry_url(doc)).status_code in (403, 404)
    assert Document.objects.get(pk=doc.pk).status == "failed"


def test_retry_needs_a_post_and_a_login(client, case, alice_mediator):
    doc = failed(case)

    assert client.post(retry_url(doc)).status_code == 302  # to the login page
    client.force_login(alice_mediator)
    assert client.get(retry_url(doc)).status_code == 405
    assert Document.objects.get(pk=doc.pk).status == "failed"


def test_the_retry_needs_the_csrf_token(case, alice_mediator):
    from django.test import Client

    doc = failed(case)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice_mediator)

    assert client.post(retry_url(doc)).status_code == 403
    assert Document.objects.get(pk=doc.pk).status == "failed"


# Commands


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_documents_retry_retries_every_failed_document(case, django_capture_on_commit_callbacks):
    first, second = failed(case), failed(case)
    ready = render_now(document_issue(subject=case, kind=KIND))

    with django_capture_on_commit_callbacks(execute=True):
        output = run("documents_retry")

    assert f"document {first.pk} " in output and f"document {second.pk} " in output
    assert "rendering again" in output
    assert f"document {ready.pk} " not in output
    assert set(Document.objects.values_list("status", flat=True)) == {"ready"}


def test_documents_retry_takes_ids_and_verification_codes(case, django_capture_on_commit_callbacks):
    by_id, by_code, left = failed(case), failed(case), failed(case)
    printed = "-".join(by_code.verification_code[i : i + 4] for i in range(0, 16, 4)).lower()

    with django_capture_on_commit_callbacks(execute=True):
        output = run("documents_retry", str(by_id.pk), printed)

    assert "rendering again" in output
    assert Document.objects.get(pk=by_id.pk).status == "ready"
    assert Document.objects.get(pk=by_code.pk).status == "ready"
    assert Document.objects.get(pk=left.pk).status == "failed"
    assert "not failed; left alone" in run("documents_retry", str(by_id.pk))


def test_documents_retry_refuses_an_unknown_document(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no document 424242"):
        run("documents_retry", "424242")


def test_documents_orphans_lists_and_deletes_unreferenced_files(case):
    doc = render_now(document_issue(subject=case, kind=KIND))
    stray = default_storage.save("documents/2026/01/stray.pdf", io.BytesIO(b"%PDF"))
    part = default_storage.save("documents/tmp/x.part", io.BytesIO(b"%PDF"))

    listed = run("documents_orphans", "--older-than", "0")
    assert f"orphan: {stray}" in listed and f"orphan: {part}" in listed
    assert "2 orphan files found" in listed
    assert default_storage.exists(stray)
    assert "0 orphan files" in run("documents_orphans")  # both are newer than an hour

    deleted = run("documents_orphans", "--delete", "--older-than", "0")

    assert f"deleted: {stray}" in deleted
    assert not default_storage.exists(stray) and not default_storage.exists(part)
    assert default_storage.exists(doc.file.name)
    assert orphan_files() == []
