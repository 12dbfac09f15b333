"""Daily audit digests: chain heads sealed outside the database, and verify_audit --digests."""

import datetime
import json
import subprocess
from io import BytesIO, StringIO

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import timestamps

from casework.core.audit import Actor, record_event, verify_chains
from casework.core.digests import GENESIS, take_digest, verify_digests
from casework.core.models import AppendOnlyError, AuditDigest, CaseEvent, ChainHead
from casework.core.tasks import take_audit_digest
from casework.documents import sealing
from casework.documents.audit_digest import LISTING_NAME, sealed_sha256
from casework.documents.models import Document
from casework.documents.services import document_render
from tests.documents.test_sealing import _rsa_tsa, _unsigned_attributes
from tests.tamper import tamper

ON_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def actor(alice_mediator) -> Actor:
    return Actor(user=alice_mediator, role="mediator")


@pytest.fixture
def chains(market, other_market, actor) -> list[CaseEvent]:
    """Two chains: four events about one market, two about the other."""
    events = [record_event(market, actor=actor, action="note", note=f"第{n}条") for n in range(4)]
    events += [record_event(other_market, actor=actor, action="note", note="另") for _ in range(2)]
    return events


def sealed_digest(**kwargs) -> AuditDigest:
    """Take a digest and render its sealed document at once (tests run no worker)."""
    digest, _new = take_digest(**kwargs)
    for doc in Document.objects.for_subject(digest):
        document_render(doc.pk)
    return digest


def verify_audit(*options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_audit", *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_audit_fails(*options) -> str:
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit", *options, stdout=StringIO(), stderr=err)
    assert failure.value.returncode == 1
    return err.getvalue()


def rebuild_chain(event: CaseEvent, note: str) -> None:
    """Change ``event``'s note and recompute every hash after it and the head, as a
    database owner who knows the hashing could: verify_chains() finds nothing."""
    rows = list(
        CaseEvent.objects.filter(
            subject_type=event.subject_type, subject_id=event.subject_id, seq__gte=event.seq
        ).order_by("seq")
    )
    rows[0].note = note
    prev = rows[0].prev_hash
    for row in rows:
        row.prev_hash = prev
        row.hash = row.compute_hash()
        tamper(
            "UPDATE core_caseevent SET note = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [row.note, row.prev_hash, row.hash, row.pk],
        )
        prev = row.hash
    tamper(
        "UPDATE core_chainhead SET hash = %s WHERE subject_type_id = %s AND subject_id = %s",
        [prev, event.subject_type_id, event.subject_id],
    )


# --- taking a digest ----------------------------------------------------------------------


def test_a_digest_lists_every_chain_head_and_is_sealed(chains):
    digest = sealed_digest()

    assert digest.chains == 2 and digest.events == 6
    assert [head[2:] for head in digest.heads] == [[4, chains[3].hash], [2, chains[5].hash]]
    assert digest.heads[0][0] == "core.market" and digest.previous == GENESIS
    assert digest.sha256 == digest.computed_sha256()
    doc = Document.objects.for_subject(digest).get()
    assert doc.kind == "audit_digest" and doc.seal and doc.status == Document.Status.READY
    data = doc.file.read()
    assert sealing.validate_seal(data).valid
    assert sealed_sha256(data) == digest.sha256


def test_the_sealed_pdf_carries_the_listing_and_reads_in_chinese(chains, tmp_path):
    doc = Document.objects.for_subject(sealed_digest()).get()
    pdf = tmp_path / "digest.pdf"
    pdf.write_bytes(doc.file.read())

    attached = PdfFileReader(BytesIO(pdf.read_bytes())).root["/Names"]["/EmbeddedFiles"]
    names = attached["/Names"]
    assert names[0] == LISTING_NAME
    listing = json.loads(names[1]["/EF"]["/F"].get_object().data)
    assert listing == AuditDigest.objects.get().heads
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "审计链摘要" in text and "审计链数" in text


def test_one_digest_a_day_each_linked_to_the_one_before(chains, actor, market):
    first = sealed_digest()
    again, new = take_digest()
    assert again == first and not new

    record_event(market, actor=actor, action="note", note="次日")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        second = sealed_digest()

    assert second.previous == first.sha256 and second.events == 7
    assert AuditDigest.objects.count() == 2
    assert verify_digests().problems == []


def test_the_daily_task_is_scheduled_and_takes_the_digest(chains):
    schedule = django_settings.CELERY_BEAT_SCHEDULE["core-audit-digest"]
    assert schedule["task"] == "casework.core.tasks.take_audit_digest"
    assert schedule["schedule"] <= 3600  # each day's first run takes it

    sha = take_audit_digest.delay().get()

    assert AuditDigest.objects.get().sha256 == sha


def test_with_a_tsa_the_sealed_digest_is_time_stamped(chains, settings, monkeypatch):
    tsa_cert, tsa_key = _rsa_tsa()
    monkeypatch.setattr(
        sealing.timestamps,
        "HTTPTimeStamper",
        lambda url: timestamps.DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key),
    )
    settings.SEAL_TSA_URL = "http://tsa.example.cn/tsr"

    doc = Document.objects.for_subject(sealed_digest()).get()

    signature = PdfFileReader(BytesIO(doc.file.read())).embedded_signatures[0]
    assert "signature_time_stamp_token" in _unsigned_attributes(signature)


def test_the_command_takes_todays_digest(chains):
    out = StringIO()
    call_command("audit_digest", stdout=out)
    call_command("audit_digest", stdout=out)

    assert "Took the audit digest" in out.getvalue() and "Already taken" in out.getvalue()
    assert AuditDigest.objects.count() == 1


# --- verify_audit --digests -----------------------------------------------------------------


def test_intact_chains_and_digests_pass(chains):
    sealed_digest()

    out, err = verify_audit("--digests")

    assert "Checked 1 audit digests (2 sealed chain heads)." in out
    assert "intact" in out and err == ""


def test_a_rebuilt_chain_passes_the_chain_check_but_not_the_digests(chains):
    sealed_digest()

    rebuild_chain(chains[1], "改过并重算了哈希")

    assert verify_chains()[1] == []  # the hashes are all correct again
    verify_audit()
    err = verify_audit_fails("--digests")
    assert "core.market" in err and "event #4 differs from the digest" in err


def test_a_rebuilt_chain_and_a_rewritten_digest_row_fail_on_the_sealed_copy(chains):
    digest = sealed_digest()
    rebuild_chain(chains[1], "改过")
    heads = [[*head[:3], ChainHead.objects.get(seq=head[2]).hash] for head in digest.heads]
    digest.heads = heads
    sha = digest.computed_sha256()
    tamper(
        "UPDATE core_auditdigest SET heads = %s, sha256 = %s WHERE id = %s",
        [json.dumps(heads), sha, digest.pk],
    )

    err = verify_audit_fails("--digests")

    assert "differs from its sealed document" in err
    assert "event #4 differs" not in err  # the rewritten row itself now agrees


def test_a_removed_digest_breaks_the_link_of_the_next(chains):
    digests = [sealed_digest()]
    for days in (1, 2):
        with time_machine.travel(timezone.now() + datetime.timedelta(days=days)):
            digests.append(sealed_digest())
    tamper("DELETE FROM core_auditdigest WHERE id = %s", [digests[1].pk])

    err = verify_audit_fails("--digests")

    assert err.strip().splitlines()[0] == (
        f"digest of {digests[2].day}: the digest before it was changed or removed "
        "(its link does not match)"
    )


def test_a_changed_sealed_file_fails_the_seal_check(chains):
    doc = Document.objects.for_subject(sealed_digest()).get()
    data = bytearray(doc.file.read())
    data[len(data) // 2] ^= 0x01
    with open(doc.file.path, "wb") as handle:
        handle.write(data)

    assert "fails the seal check" in verify_audit_fails("--digests")


def test_a_digest_not_yet_sealed_is_checked_by_its_row_and_noted(chains):
    take_digest()  # its document is still pending

    out, _err = verify_audit("--digests")

    assert "note: digest of" in out and "pending" in out


def test_digests_are_append_only_in_the_code(chains):
    digest = sealed_digest()

    for attempt in (
        lambda: digest.save(),
        lambda: digest.delete(),
        lambda: AuditDigest.objects.update(sha256="0"),
        lambda: AuditDigest.objects.all().delete(),
    ):
        with pytest.raises(AppendOnlyError):
            attempt()


@pytest.mark.services
@pytest.mark.skipif(not ON_POSTGRES, reason="the triggers are PostgreSQL's; make test-services")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditdigest SET sha256 = 'x' WHERE id = %s",
        "DELETE FROM core_auditdigest WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_changes_of_a_digest(chains, sql):
    digest = sealed_digest()
    with pytest.raises(IntegrityError) as refused, transaction.atomic(), connection.cursor() as c:
        c.execute(sql, [digest.pk])

    assert "append-only" in str(refused.value)


# --- the page listing them --------------------------------------------------------------


def test_auditors_find_the_sealed_digests_and_open_them(client, chains, audrey_auditor):
    digest = sealed_digest()
    doc = Document.objects.for_subject(digest).get()
    client.force_login(audrey_auditor)

    home = client.get(reverse("home")).content.decode()
    page = client.get(reverse("documents:audit_digests")).content.decode()

    assert reverse("documents:audit_digests") in home
    assert digest.sha256[:12] in page and reverse("documents:detail", args=[doc.pk]) in page
    assert client.get(reverse("documents:download", args=[doc.pk])).status_code == 200


def test_a_mediator_may_not_list_or_open_digests(client, chains, alice_mediator):
    doc = Document.objects.for_subject(sealed_digest()).get()
    client.force_login(alice_mediator)

    assert client.get(reverse("documents:audit_digests")).status_code == 403
    assert client.get(reverse("documents:detail", args=[doc.pk])).status_code == 404
