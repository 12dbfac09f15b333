"""The public verification page and the staff document pages."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from casework.core.models import AccessLog
from casework.documents.models import Document
from casework.documents.services import document_issue
from tests.caseapp.models import SampleCase
from tests.conftest import WANG_ID
from tests.documents.conftest import render_now

KIND = "sample_acceptance_notice"
PERSON = {"name": "王小明", "id_number": WANG_ID, "mobile": "13800138000"}

# The pages speak Chinese by default: compare with the message as the user sees it.
MATCH = _("Match: your file is byte for byte identical to the document issued under this code.")
NO_MATCH = _(
    "No match: your file differs from the document issued under this code. Do not rely on it."
)


@pytest.fixture
def case(market) -> SampleCase:
    return SampleCase.objects.create(market=market)


@pytest.fixture
def alice_mediator(alice_mediator):
    # A case's documents are for those who may see the case: the sample cases here.
    alice_mediator.user_permissions.add(
        Permission.objects.get(content_type__app_label="caseapp", codename="view_samplecase")
    )
    return alice_mediator


@pytest.fixture
def notice(case) -> Document:
    """A ready document whose snapshot holds a worker's personal data."""
    doc = document_issue(subject=case, kind=KIND)
    Document.objects.filter(pk=doc.pk).update(context={**doc.context, "worker": PERSON})
    return render_now(doc)


@pytest.fixture
def pending(case) -> Document:
    return document_issue(subject=case, kind=KIND)


def verify_url(doc: Document) -> str:
    return reverse("documents:verify", args=[doc.verification_code])


def upload(client, doc: Document, data: bytes, name: str = "copy.pdf"):
    return client.post(verify_url(doc), {"file": SimpleUploadedFile(name, data)})


# The public verification page


def test_anyone_can_see_what_a_code_stands_for_without_personal_data(client, notice):
    response = client.get(verify_url(notice))

    page = response.content.decode()
    assert response.status_code == 200
    for shown in (notice.sha256, "测试区零工市场", "受理通知书（测试）"):
        assert shown in page
    assert KIND not in page  # the document's title, not the system's internal name
    assert f"<td>{notice.version}</td>" in page
    assert f"<td>{notice.pages}</td>" in page
    for secret in (*PERSON.values(), notice.context["code"], "1949"):
        assert secret not in page


def test_the_exact_file_matches(client, notice):
    response = upload(client, notice, notice.file.read())

    assert response.status_code == 200
    assert MATCH in response.content.decode()
    assert 'class="verdict verdict-ok"' in response.content.decode()


def test_a_copy_with_one_byte_changed_does_not_match(client, notice):
    data = bytearray(notice.file.read())
    data[len(data) // 2] ^= 0x20

    response = upload(client, notice, bytes(data))

    page = response.content.decode()
    assert NO_MATCH in page
    assert MATCH not in page
    # The red verdict comes before the facts of the document (first on a phone's screen).
    assert 'class="verdict verdict-bad"' in page
    assert page.index(NO_MATCH) < page.index(notice.sha256)


def test_an_upload_that_is_not_a_pdf_is_refused(client, notice):
    response = upload(client, notice, b"GIF89a not a pdf", name="x.pdf")

    page = response.content.decode()
    assert _("This is not a PDF file.") in page
    assert "Match" not in page


def test_an_upload_over_the_size_limit_is_refused(client, notice, monkeypatch):
    monkeypatch.setattr("casework.documents.forms.MAX_UPLOAD_BYTES", 1000)

    response = upload(client, notice, b"%PDF-" + b"0" * 2000)

    assert _("The file is larger than %(max)s.").split("%")[0] in response.content.decode()


def test_an_unknown_code_is_not_found(client, db):
    response = client.get(reverse("documents:verify", args=["ABCDEFGHJKMNPQRS"]))

    assert response.status_code == 404
    assert _("Document not found") in response.content.decode()


def test_a_code_typed_as_printed_leads_to_the_document(client, notice):
    code = notice.verification_code
    printed = "-".join(code[i : i + 4] for i in range(0, 16, 4)).lower()

    response = client.get(reverse("documents:verify", args=[printed]))
    assert response.status_code == 302
    assert response.url == verify_url(notice)

    response = client.get(reverse("documents:verify_lookup"), {"code": printed})
    assert response.url == verify_url(notice)


def test_the_lookup_form_rejects_a_malformed_code(client, db):
    response = client.get(reverse("documents:verify_lookup"), {"code": "0000"})

    assert response.status_code == 200
    assert (
        _("A verification code has %(n)d letters and digits.") % {"n": 16}
        in response.content.decode()
    )


def test_a_pending_document_says_it_is_being_prepared_and_shows_no_hash(client, pending):
    response = client.get(verify_url(pending))

    page = response.content.decode()
    assert _("This document is still being prepared. Try again in a minute.") in page
    assert "SHA-256" not in page
    assert 'type="file"' not in page


def test_many_lookups_from_one_address_are_slowed_down(client, notice, settings):
    settings.DOCUMENT_VERIFY_LIMIT = 3

    statuses = [client.get(verify_url(notice)).status_code for _ in range(4)]
    other_address = client.get(verify_url(notice), REMOTE_ADDR="10.9.9.9").status_code

    assert statuses == [200, 200, 200, 429]
    assert other_address == 200


def test_a_forged_client_address_header_does_not_reset_the_limit(client, notice, settings):
    # Only a listed proxy may name the client; here nobody is listed (the default).
    settings.DOCUMENT_VERIFY_LIMIT = 3
    settings.TRUSTED_PROXIES = []

    statuses = [
        client.get(verify_url(notice), HTTP_X_REAL_IP=f"203.0.113.{n}").status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


# Staff pages


def test_the_document_page_needs_a_login(client, notice):
    response = client.get(reverse("documents:detail", args=[notice.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_mediator_of_the_market_sees_the_document_and_downloads_it(
    client, notice, alice_mediator
):
    client.force_login(alice_mediator)

    page = client.get(reverse("documents:detail", args=[notice.pk]))
    download = client.get(reverse("documents:download", args=[notice.pk]))

    assert page.status_code == 200
    assert notice.sha256 in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert f"{KIND}-{notice.verification_code}-v1.pdf" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == notice.file.read()
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.subject) == (alice_mediator, "export", notice)


def test_a_pending_document_page_refreshes_itself(client, pending, alice_mediator):
    client.force_login(alice_mediator)

    page = client.get(reverse("documents:detail", args=[pending.pk])).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in page
    assert _("Being prepared: this page refreshes until the PDF is ready.") in page
    assert client.get(reverse("documents:download", args=[pending.pk])).status_code == 404


def test_a_mediator_of_another_market_gets_not_found(client, notice, oscar_outsider):
    client.force_login(oscar_outsider)

    assert client.get(reverse("documents:detail", args=[notice.pk])).status_code == 404
    assert client.get(reverse("documents:download", args=[notice.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_worker_gets_404_on_documents_of_cases_they_are_not_party_to(client, notice, wang_worker):
    client.force_login(wang_worker)

    assert client.get(reverse("documents:detail", args=[notice.pk])).status_code == 404
    assert client.get(reverse("documents:download", args=[notice.pk])).status_code == 404


def test_market_documents_are_scoped_to_the_market_too(
    client, market, sam_supervisor, oscar_outsider
):
    card = render_now(document_issue(subject=market, kind="market_card"))

    client.force_login(sam_supervisor)
    assert client.get(reverse("documents:detail", args=[card.pk])).status_code == 200
    client.force_login(oscar_outsider)
    assert client.get(reverse("documents:detail", args=[card.pk])).status_code == 404


def test_the_admin_lists_documents_read_only(admin_client, notice):
    listing = admin_client.get(reverse("admin:documents_document_changelist"))
    add = admin_client.get(reverse("admin:documents_document_add"))

    assert listing.status_code == 200
    assert "受理通知书（测试）" in listing.content.decode()
    assert add.status_code == 403


def test_a_pending_document_tells_its_status_to_the_page_waiting_on_it(
    client, pending, alice_mediator, oscar_outsider
):
    status = reverse("documents:status", args=[pending.pk])
    client.force_login(alice_mediator)
    answer = client.get(status)
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    assert answer.json() == {
        "status": "pending",
        "label": str(pending.get_status_display()),
        "pending": True,
    }
    render_now(pending)
    assert client.get(status).json()["status"] == "ready"
    client.force_login(oscar_outsider)
    assert client.get(status).status_code == 404


def test_a_case_page_updates_a_pending_document_in_place_not_by_reloading(
    client, new_dispute, alice_mediator, django_capture_on_commit_callbacks
):
    from casework.disputes import services as dispute_services
    from tests.disputes.fixtures import actor

    dispute = new_dispute()
    with django_capture_on_commit_callbacks(execute=False):  # the render is not sent
        dispute_services.dispute_accept(dispute=dispute, actor=actor(alice_mediator))
    client.force_login(alice_mediator)
    page = client.get(reverse("disputes:detail", args=[dispute.code])).content.decode()
    pending = Document.objects.filter(status="pending").first()
    assert f'data-status-url="{reverse("documents:status", args=[pending.pk])}"' in page
    assert "js/documents.js" in page
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in page
