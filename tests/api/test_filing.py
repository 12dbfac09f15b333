"""Filing through the party API (docs/api.md, "Parties"): a wage dispute, a complaint and a
hardship application, each through the portal's own form and service, so the case is the
page's and a refusal carries the page's messages."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _

from assistance.forms_portal import OnlineApplicationForm
from assistance.models import AssistanceCase, SupportingDocument
from casework.api.site import get_api
from casework.complaints.forms_intake import IntakeForm
from casework.complaints.models import Channel as ComplaintChannel
from casework.complaints.models import Complaint
from casework.complaints.penalties import Conduct
from casework.core.roles import Role
from casework.disputes.forms_portal import OnlineDisputeForm
from casework.disputes.models import Channel as DisputeChannel
from casework.disputes.models import Dispute, Evidence
from tests.api.conftest import ApiClient, new_key, party
from tests.complaints.test_portal import details as complaint_details
from tests.conftest import make_user
from tests.portal.test_assistance import application as assistance_details
from tests.portal.test_assistance import pdf, png
from tests.portal.test_disputes import (
    ABOVE_ZERO,
    BAD_CODE,
    PNG,
    application,  # noqa: F401  (a fixture, used below)
)

DISPUTES, COMPLAINTS, ASSISTANCE = "/me/disputes/", "/me/complaints/", "/me/assistance/"
WAGES = {"claim_type": "unpaid_wages", "amount": "3600", "description": "12天×300元"}


@pytest.fixture
def page_data(request) -> dict:
    """The portal's valid application as the page posts it (tests/portal/test_disputes.py)."""
    return request.getfixturevalue("application")


def dispute_body(page: dict, claims=(WAGES,)) -> dict:
    """The page's POST data as the API takes it: the claims as one JSON list."""
    body = {name: value for name, value in page.items() if not name.startswith("claims-")}
    return {**body, "claims": json.dumps(list(claims), ensure_ascii=False)}


def evidence(name="pay.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def post(client: ApiClient, path: str, body: dict, key: str | None = None):
    return client.post(path, body, idempotency_key=key or new_key(), multipart=True)


def fields_of(response) -> dict:
    assert response.status_code == 422, response.content
    return response.json()["error"]["fields"]


# -- disputes -------------------------------------------------------------------------------


def test_a_worker_files_a_dispute_with_evidence(wang_worker, hui_hiring, page_data):
    claims = (WAGES, {"claim_type": "damages", "amount": "500.50"})
    body = {**dispute_body(page_data, claims), "evidence": [evidence()]}

    response = post(party(wang_worker), DISPUTES, body)

    assert response.status_code == 201, response.content
    dispute = Dispute.objects.get()
    answer = response.json()
    assert (answer["workflow"], answer["code"], answer["state"]) == (
        "disputes",
        dispute.code,
        Dispute.State.RECEIVED,
    )
    assert dispute.channel == DisputeChannel.ONLINE
    assert list(dispute.applicants.all()) == [wang_worker.person]
    assert dispute.filed_by == wang_worker
    assert dispute.respondent_organization.name == "测试搬家服务有限公司"
    assert dispute.total_claimed == Decimal("4100.50")
    assert Evidence.objects.get(dispute=dispute).content_type == "image/png"
    cases = party(wang_worker).get("/me/cases").json()["cases"]
    assert [c["code"] for c in cases] == [dispute.code]
    assert dispute.code in [c["code"] for c in party(hui_hiring).get("/me/cases").json()["cases"]]


def test_a_dispute_is_refused_with_the_page_s_messages_by_field(wang_worker, page_data):
    page_data["org_credit_code"] = "91310115MA1K4C3W00"  # the check character is wrong
    body = dispute_body(page_data, [{"claim_type": "unpaid_wages", "amount": "0"}])

    fields = fields_of(post(party(wang_worker), DISPUTES, body))

    assert fields == {"org_credit_code": [BAD_CODE], "claims.0.amount": [ABOVE_ZERO]}
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(
    ("claims", "field"),
    [
        ("[]", "claims"),
        ("not json", "claims"),
        ('{"amount": "1"}', "claims"),
        ('[{"claim_type": "bonus", "amount": "1"}]', "claims.0.claim_type"),
    ],
)
def test_claims_that_are_missing_or_malformed_are_refused(wang_worker, page_data, claims, field):
    body = {**dispute_body(page_data), "claims": claims}

    fields = fields_of(post(party(wang_worker), DISPUTES, body))

    assert list(fields) == [field]
    assert not Dispute.objects.exists()


def test_no_claims_says_what_the_page_says(wang_worker, page_data):
    fields = fields_of(post(party(wang_worker), DISPUTES, dispute_body(page_data, [])))

    assert fields == {"claims": [_("List at least one claim.")]}


def test_the_same_key_twice_files_one_dispute_and_answers_the_same(wang_worker, page_data):
    body = dispute_body(page_data)
    key = new_key()

    first = post(party(wang_worker), DISPUTES, body, key)
    again = post(party(wang_worker), DISPUTES, body, key)

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Dispute.objects.count() == 1


def test_filing_without_an_idempotency_key_is_400(wang_worker, page_data):
    response = party(wang_worker).post(DISPUTES, dispute_body(page_data), multipart=True)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_missing"
    assert not Dispute.objects.exists()


def test_a_hiring_party_cannot_file_a_dispute(hui_hiring, page_data):
    response = post(party(hui_hiring), DISPUTES, dispute_body(page_data))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_worker"
    assert not Dispute.objects.exists()


def test_a_worker_without_a_registered_person_cannot_file(db, page_data):
    unlinked = make_user("zhao", Role.WORKER)

    response = post(party(unlinked), DISPUTES, dispute_body(page_data))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_worker"


def test_filing_needs_a_party_token(db, page_data):
    assert post(ApiClient(), DISPUTES, dispute_body(page_data)).status_code == 401


# -- complaints -----------------------------------------------------------------------------


def test_a_worker_complains_in_their_own_name_with_evidence(wang_worker, market):
    body = {**complaint_details(market), "evidence": [evidence("receipt.png")]}

    response = post(party(wang_worker), COMPLAINTS, body)

    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    assert (response.json()["workflow"], response.json()["code"]) == ("complaints", complaint.code)
    assert complaint.channel == ComplaintChannel.PORTAL
    assert complaint.complainant == wang_worker.person
    assert complaint.anonymous is False
    assert complaint.evidence.count() == 1


def test_a_complaint_is_refused_with_the_form_s_messages(wang_worker, market):
    body = {
        **complaint_details(market, categories=[Conduct.DEPOSIT]),
        "evidence": [evidence("receipt.png")],
    }

    fields = fields_of(post(party(wang_worker), COMPLAINTS, body))

    # The page's note to choose the files again is for browsers: a program sends them anyway.
    deposit = [_("For a deposit, give the amount and how many workers paid it.")]
    assert fields == {"deposit_amount": deposit, "deposit_workers": deposit}
    assert not Complaint.objects.exists()


def test_a_hiring_party_cannot_complain_here(hui_hiring, market):
    response = post(party(hui_hiring), COMPLAINTS, {**complaint_details(market), "evidence": []})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_worker"


# -- hardship assistance --------------------------------------------------------------------


def hardship(market, **extra) -> dict:
    return {
        "doc_id_card": [png()],
        "doc_unemployment": [pdf()],
        **assistance_details(market),
        **extra,
    }


def test_a_worker_applies_for_hardship_certification_with_documents(wang_worker, market):
    response = post(party(wang_worker), ASSISTANCE, hardship(market, land_requisitioned="true"))

    assert response.status_code == 201, response.content
    case = AssistanceCase.objects.get()
    assert (response.json()["workflow"], response.json()["code"]) == ("assistance", case.code)
    assert case.person == wang_worker.person and case.market == market
    assert case.state == AssistanceCase.State.APPLIED and case.land_requisitioned
    kinds = list(case.supporting_documents.order_by("pk").values_list("kind", "original_name"))
    assert kinds == [
        (SupportingDocument.Kind.ID_CARD, "id.png"),
        (SupportingDocument.Kind.UNEMPLOYMENT, "unemployment.pdf"),
    ]


def test_a_second_application_while_one_is_open_is_409(wang_worker, market):
    assert post(party(wang_worker), ASSISTANCE, hardship(market)).status_code == 201

    response = post(party(wang_worker), ASSISTANCE, hardship(market))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_open"
    assert AssistanceCase.objects.get().code in response.json()["error"]["message"]


def test_an_application_is_refused_with_the_form_s_messages(wang_worker, market):
    body = {**hardship(market, disability_certificate="true"), "doc_id_card": []}

    fields = fields_of(post(party(wang_worker), ASSISTANCE, body))

    assert fields == {
        "doc_id_card": [_("Attach a photo or scan of your ID card.")],
        "disability_certificate_no": [_("Enter the disability certificate number.")],
        "doc_disability": [_("Attach your disability certificate.")],
    }
    assert not AssistanceCase.objects.exists()


def test_a_hiring_party_cannot_apply_for_hardship_certification(hui_hiring, market):
    response = post(party(hui_hiring), ASSISTANCE, hardship(market))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_worker"


# -- the schema -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "form", "extra"),
    [
        (DISPUTES, OnlineDisputeForm, {"claims"}),
        (COMPLAINTS, IntakeForm, set()),
        (ASSISTANCE, OnlineApplicationForm, set()),
    ],
)
def test_the_schema_describes_every_field_of_the_form(path, form, extra):
    operation = get_api().get_openapi_schema()["paths"][f"/api/v1{path}"]["post"]
    body = operation["requestBody"]["content"]["multipart/form-data"]["schema"]

    assert set(body["properties"]) == set(form.base_fields) | extra
    required = {name for name, field in form.base_fields.items() if field.required}
    assert set(body["required"]) == required | extra


def test_the_choices_a_filing_form_takes(wang_worker, market, mediation_body):
    client = party(wang_worker)
    markets = client.get("/me/markets").json()["choices"]
    assert [(m["id"], m["code"]) for m in markets] == [(market.pk, market.code)]
    bodies = client.get("/me/disputes/mediation-bodies").json()["choices"]
    assert [b["id"] for b in bodies] == [mediation_body.pk]
