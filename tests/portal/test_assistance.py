"""Hardship assistance in the portal: the online application with supporting documents."""

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from assistance.models import AssistanceCase, SupportingDocument
from casework.core.models import AccessLog, CaseEvent
from casework.core.roles import Role
from tests.conftest import make_user

S = AssistanceCase.State
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
PDF = b"%PDF-1.4\n" + b"0" * 64
NEW = reverse("portal:assistance_new")


def png(name="id.png", data=PNG):
    return SimpleUploadedFile(name, data, content_type="image/png")


def pdf(name="unemployment.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def application(market, **extra) -> dict:
    return {"market": market.pk, "unemployment_registered_on": "2025-01-10", **extra}


def page(response) -> str:
    return response.content.decode()


def apply(client, user, market, **extra):
    client.force_login(user)
    data = {"doc_id_card": png(), "doc_unemployment": pdf(), **application(market, **extra)}
    return client.post(NEW, data)


def test_a_worker_applies_online_with_two_documents(client, wang_worker, market):
    response = apply(client, wang_worker, market, land_requisitioned="on")

    case = AssistanceCase.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:assistance", args=[case.code])
    assert case.person == wang_worker.person and case.market == market
    assert case.state == S.APPLIED and case.land_requisitioned
    assert str(case.unemployment_registered_on) == "2025-01-10"
    assert case.review_due is not None
    documents = list(case.supporting_documents.order_by("pk"))
    assert [(d.kind, d.original_name) for d in documents] == [
        (SupportingDocument.Kind.ID_CARD, "id.png"),
        (SupportingDocument.Kind.UNEMPLOYMENT, "unemployment.pdf"),
    ]
    assert documents[0].content_type == "image/png" and documents[0].uploaded_by == wang_worker
    actions = list(case.events.values_list("action", "note"))
    # The audit trail names the count of documents, never their kinds or names.
    assert actions == [("applied", ""), ("documents_added", "网上申请，附证明材料2份")]

    detail = client.get(response.url)
    assert detail.status_code == 200
    assert case.code in page(detail) and "id.png" in page(detail)


def test_the_documents_are_downloaded_by_the_applicant_and_the_staff_only(
    client, wang_worker, li_worker, carol_caseworker, market
):
    apply(client, wang_worker, market)
    case = AssistanceCase.objects.get()
    item = case.supporting_documents.get(kind=SupportingDocument.Kind.ID_CARD)
    portal_url = reverse("portal:assistance_document", args=[case.code, item.pk])
    staff_url = reverse("assistance:document_file", args=[case.code, item.pk])

    response = client.get(portal_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG

    client.force_login(li_worker)
    assert client.get(portal_url).status_code == 404
    assert client.get(reverse("portal:assistance", args=[case.code])).status_code == 404
    assert client.get(staff_url).status_code == 403

    client.force_login(carol_caseworker)
    response = client.get(staff_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert AccessLog.objects.filter(user=carol_caseworker, action=AccessLog.Action.EXPORT).exists()
    detail = page(client.get(reverse("assistance:detail", args=[case.code])))
    assert "id.png" in detail and staff_url in detail


def test_a_disability_certificate_is_for_staff_who_may_see_sensitive_details(
    client, wang_worker, audrey_auditor, carol_caseworker, market
):
    apply(
        client,
        wang_worker,
        market,
        disability_certificate="on",
        disability_certificate_no="33010219750312002441",
        doc_disability=png("残疾证.png"),
    )
    case = AssistanceCase.objects.get()
    item = case.supporting_documents.get(kind=SupportingDocument.Kind.DISABILITY)
    staff_url = reverse("assistance:document_file", args=[case.code, item.pk])
    assert case.sensitive.disability_certificate_no == "33010219750312002441"
    assert not CaseEvent.objects.filter(note__contains="残疾").exists()

    client.force_login(audrey_auditor)
    assert client.get(staff_url).status_code == 403
    assert "残疾证.png" not in page(client.get(reverse("assistance:detail", args=[case.code])))
    client.force_login(carol_caseworker)
    assert client.get(staff_url).status_code == 200


@pytest.mark.parametrize(
    ("upload", "message", "params"),
    [
        (
            SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain"),
            "%(name)s: only PDF, JPEG and PNG files can be attached.",
            {"name": "notes.txt"},
        ),
        (
            SimpleUploadedFile("photo.png", b"GIF89a" + b"\0" * 20, content_type="image/png"),
            "%(name)s is not really a %(kind)s file; its contents do not match its name.",
            {"name": "photo.png", "kind": "PNG"},
        ),
        (
            SimpleUploadedFile("big.png", PNG + b"\0" * 2048, content_type="image/png"),
            "%(name)s is too large (%(size)s); the limit is %(limit)s.",
            {"name": "big.png", "size": filesizeformat(len(PNG) + 2048), "limit": "1.0\xa0KB"},
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_saved(
    client, settings, wang_worker, market, upload, message, params
):
    settings.ASSISTANCE_UPLOAD_MAX_BYTES = 1024
    client.force_login(wang_worker)
    data = {"doc_id_card": png(), "doc_other": upload, **application(market)}
    response = client.post(NEW, data)

    assert response.status_code == 200
    text = page(response)
    params = {**params, "limit": filesizeformat(1024)} if "limit" in params else params
    assert escape(_(message) % params) in text
    assert escape(_("Please correct the marked fields below.")) in text
    assert not AssistanceCase.objects.exists()
    assert not SupportingDocument.objects.exists()


def test_the_id_card_and_a_ticked_certificate_need_their_documents(client, wang_worker, market):
    client.force_login(wang_worker)
    response = client.post(
        NEW, {**application(market), "dibao_family": "on", "dibao_reference": "DB-1"}
    )
    text = page(response)
    assert escape(_("Attach a photo or scan of your ID card.")) in text
    assert escape(_("Attach your family's 低保 certificate.")) in text
    assert not AssistanceCase.objects.exists()


def test_a_failure_after_storing_leaves_no_file(client, wang_worker, market, settings, monkeypatch):
    from assistance import online

    def refuse(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(online, "record_event", refuse)
    client.force_login(wang_worker)
    client.raise_request_exception = False
    response = client.post(NEW, {"doc_id_card": png(), **application(market)})
    assert response.status_code == 500
    assert not AssistanceCase.objects.exists()
    stored = (
        list((settings.MEDIA_ROOT / "evidence").rglob("*.*"))
        if settings.MEDIA_ROOT.exists()
        else []
    )
    assert stored == []


def test_a_second_application_while_one_is_open_is_refused(client, wang_worker, market):
    apply(client, wang_worker, market)
    case = AssistanceCase.objects.get()

    response = client.get(NEW, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:assistance", args=[case.code])
    assert case.code in page(response)
    response = apply(client, wang_worker, market)
    assert response.status_code == 302
    assert AssistanceCase.objects.count() == 1
    # The home page offers no second application.
    assert NEW not in page(client.get(reverse("portal:home")))


def test_the_service_refuses_a_second_open_case_too(client, wang_worker, market, new_case):
    new_case(S.UNDER_REVIEW, person=wang_worker.person)
    client.force_login(wang_worker)
    response = client.get(NEW)
    assert response.status_code == 302
    assert AssistanceCase.objects.count() == 1


def test_a_login_without_a_person_is_told_to_register(client, market):
    user = make_user("newcomer", Role.WORKER)
    client.force_login(user)
    response = client.get(NEW)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Register with your name" in m or "请" in m for m in messages)
    assert not AssistanceCase.objects.exists()


def test_a_hiring_party_cannot_apply(client, hui_hiring, market):
    client.force_login(hui_hiring)
    response = client.get(NEW)
    assert response.status_code == 302
    response = client.post(NEW, {"doc_id_card": png(), **application(market)})
    assert response.status_code == 302
    assert not AssistanceCase.objects.exists()


def test_the_home_page_lists_the_applications_with_their_next_step(client, wang_worker, market):
    client.force_login(wang_worker)
    home = page(client.get(reverse("portal:home")))
    assert escape(_("My hardship applications")) in home and NEW in home

    apply(client, wang_worker, market)
    case = AssistanceCase.objects.get()
    home = page(client.get(reverse("portal:home")))
    assert reverse("portal:assistance", args=[case.code]) in home
    assert escape(_("First review")) in home
    assert case.review_due.isoformat() in home


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(NEW)
    assert response.status_code == 302 and "login" in response.url


def test_a_case_of_someone_else_is_404(client, li_worker, new_case):
    case = new_case(S.APPLIED)
    client.force_login(li_worker)
    assert client.get(reverse("portal:assistance", args=[case.code])).status_code == 404


def test_staff_users_are_not_offered_the_portal_application(client, carol_caseworker):
    assert isinstance(carol_caseworker, User)
    client.force_login(carol_caseworker)
    assert client.get(NEW).status_code == 302
