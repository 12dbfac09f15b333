"""Who may open a complaint's documents: staff of its market who may see complaints. An
outsider, an officer of another market and a caseworker of the same market get 404, on the
complaint's own documents and on its investigation records (documents of an Interview)."""

import pytest
from django.urls import reverse

from casework.complaints.documents import INTERVIEW_KIND, RECEIPT_KIND, RESULT_KIND
from casework.complaints.models import Complaint
from casework.documents.models import Document
from tests.conftest import make_user
from tests.documents.conftest import render_now

S = Complaint.State


@pytest.fixture
def documents(make_complaint) -> list[Document]:
    complaint = make_complaint(S.CLOSED)
    interview = complaint.interviews.get()
    docs = [
        Document.objects.for_subject(complaint).get(kind=RECEIPT_KIND),
        Document.objects.for_subject(complaint).get(kind=RESULT_KIND),
        Document.objects.for_subject(interview).get(kind=INTERVIEW_KIND),
    ]
    return [render_now(doc) for doc in docs]


def statuses(client, docs) -> list[int]:
    codes = []
    for doc in docs:
        codes.append(client.get(reverse("documents:detail", args=[doc.pk])).status_code)
        codes.append(client.get(reverse("documents:download", args=[doc.pk])).status_code)
    return codes


@pytest.mark.django_db
def test_the_officer_and_the_auditor_of_the_market_open_them(
    client, documents, olga_officer, audrey_auditor
):
    for user in (olga_officer, audrey_auditor):
        client.force_login(user)
        assert set(statuses(client, documents)) == {200}


@pytest.mark.django_db
def test_an_outsider_gets_404_on_every_complaint_document(client, documents, oscar_outsider):
    client.force_login(oscar_outsider)
    assert set(statuses(client, documents)) == {404}


@pytest.mark.django_db
def test_a_complaint_officer_of_another_market_gets_404(client, documents, other_market):
    client.force_login(make_user("otto", "complaint_officer", markets=[other_market]))
    assert set(statuses(client, documents)) == {404}


@pytest.mark.django_db
def test_a_caseworker_of_the_same_market_gets_404_even_on_the_investigation_record(
    client, documents, carol_caseworker
):
    # Carol may open documents of her market, but not those of cases she may not see.
    client.force_login(carol_caseworker)
    assert set(statuses(client, documents)) == {404}


@pytest.mark.django_db
def test_an_anonymous_complaint_has_no_documents_in_any_portal(client, documents, wang_worker):
    client.force_login(wang_worker)
    assert set(statuses(client, documents)) == {404}
