"""casework.documents.files: which stored files rows reference, and the orphans."""

import datetime
import os
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from casework.disputes.models import Evidence
from casework.documents.files import orphan_files, referenced_files
from casework.documents.services import document_issue
from tests.documents.conftest import render_now


def test_documents_and_evidence_are_referenced_and_the_rest_are_orphans(market, new_dispute):
    doc = render_now(document_issue(subject=market, kind="market_card"))
    dispute = new_dispute()
    evidence = Evidence(dispute=dispute, original_name="a.pdf", content_type="application/pdf")
    evidence.size, evidence.sha256 = 5, "0" * 64
    evidence.file.save("a.pdf", ContentFile(b"%PDF-"), save=False)
    evidence.save()
    stray = default_storage.save("documents/2026/01/stray.pdf", ContentFile(b"x"))
    part = default_storage.save("documents/tmp/0123.part", ContentFile(b"x"))
    default_storage.save("elsewhere/not-ours.txt", ContentFile(b"x"))

    referenced = referenced_files()

    assert referenced[doc.file.name] == 1
    assert referenced[evidence.file.name] == 1
    assert orphan_files() == sorted([stray, part])


def test_only_files_older_than_asked_are_listed(db):
    old = default_storage.save("evidence/2026/01/old.png", ContentFile(b"x"))
    new = default_storage.save("evidence/2026/01/new.png", ContentFile(b"x"))
    an_hour_ago = time.time() - 3600
    os.utime(default_storage.path(old), (an_hour_ago, an_hour_ago))

    assert orphan_files() == [new, old]
    assert orphan_files(older_than=datetime.timedelta(minutes=30)) == [old]


def test_nothing_stored_yet_means_no_orphans(db):
    assert orphan_files() == []
    assert referenced_files() == {}
