"""Complaints in the portal: a worker complains in their own name and follows the complaint."""

import datetime

from django.urls import reverse
from django.utils import timezone

from casework.complaints import services
from casework.complaints.documents import (
    DECISION_KIND,
    INTERVIEW_KIND,
    RECEIPT_KIND,
    REFERRAL_KIND,
    RESULT_KIND,
)
from casework.complaints.models import Channel, Complaint, ReferralTarget
from casework.complaints.penalties import Conduct
from casework.documents.models import Document
from tests.complaints.fixtures import actor
from tests.conftest import WANG_ID
from tests.documents.conftest import render_now

S = Complaint.State
NEW = reverse("portal:complaint_new")
HOME = reverse("portal:home")
REQUIRED_ZH = "这个字段是必填项。"


def complaint_url(complaint: Complaint) -> str:
    return reverse("portal:complaint", args=[complaint.code])


def download_url(doc: Document) -> str:
    return reverse("documents:download", args=[doc.pk])


def details(market, **overrides) -> dict:
    data = {
        "market": market.pk,
        "categories": [Conduct.FALSE_AD],
        "facts": "招聘广告称日结300元，到场后要求先交培训费，实际没有工作。",
        "conduct_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "respondent_name_given": "好运来劳务信息部",
        "respondent_details_given": "人民路88号，招聘群里发广告",
    }
    data.update(overrides)
    return data


def wangs(make_complaint, wang_worker, state=S.RECEIVED) -> Complaint:
    """A complaint wang made in the portal, brought to ``state``."""
    return make_complaint(
        state, anonymous=False, channel=Channel.PORTAL, complainant=wang_worker.person
    )


def all_rendered(complaint: Complaint) -> dict[str, Document]:
    docs = Document.objects.for_subject(complaint)
    interviews = Document.objects.filter(kind=INTERVIEW_KIND)
    return {doc.kind: render_now(doc) for doc in [*docs, *interviews]}


# Filing


def test_a_worker_files_a_complaint_in_their_own_name(client, market, wang_worker):
    client.force_login(wang_worker)

    response = client.post(NEW, details(market))

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == complaint_url(complaint)
    assert complaint.channel == Channel.PORTAL
    assert complaint.complainant == wang_worker.person
    assert complaint.anonymous is False
    assert complaint.notice_mobile == "13800138000"
    assert complaint.owner is None  # it waits in the officers' queue


def test_the_portal_form_sends_those_who_want_anonymity_to_the_public_form(
    client, market, wang_worker
):
    client.force_login(wang_worker)

    response = client.get(NEW)

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("complaints_public:report") in page
    assert 'name="anonymous"' not in page
    assert 'name="complainant_name"' not in page
    assert f'<option value="{market.pk}" selected>' in page


def test_bad_input_in_the_portal_saves_nothing_and_the_errors_are_in_chinese(
    client, market, wang_worker
):
    client.force_login(wang_worker)

    response = client.post(NEW, details(market, facts="", categories=[Conduct.DEPOSIT]))

    assert response.status_code == 200
    assert Complaint.objects.count() == 0
    form = response.context["form"]
    assert form.has_error("facts", "required")
    assert form.has_error("deposit_amount", "deposit_details")
    assert REQUIRED_ZH in response.content.decode()


def test_a_staff_user_without_a_person_is_sent_away_from_the_form(client, market, olga_officer):
    client.force_login(olga_officer)

    response = client.post(NEW, details(market))

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert Complaint.objects.count() == 0


def test_a_hiring_party_cannot_complain_in_the_portal(client, market, hui_hiring):
    client.force_login(hui_hiring)

    response = client.post(NEW, details(market))

    assert response.status_code == 302
    assert Complaint.objects.count() == 0


def test_someone_not_logged_in_is_sent_to_log_in(client, market, make_complaint, wang_worker):
    complaint = wangs(make_complaint, wang_worker)

    for url in (NEW, complaint_url(complaint)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# Following it


def test_the_portal_home_lists_my_complaints_and_links_to_the_form_and_tracking(
    client, make_complaint, wang_worker, li_worker
):
    mine = wangs(make_complaint, wang_worker)
    lis = make_complaint(anonymous=False, channel=Channel.PORTAL, complainant=li_worker.person)
    anonymous = make_complaint()
    client.force_login(wang_worker)

    page = client.get(HOME).content.decode()

    assert complaint_url(mine) in page
    assert lis.code not in page
    assert anonymous.code not in page
    assert NEW in page
    assert reverse("complaints_public:track") in page


def test_the_complaint_page_shows_the_status_and_the_acceptance(
    client, make_complaint, wang_worker
):
    complaint = wangs(make_complaint, wang_worker, S.ACCEPTED)
    receipt = render_now(Document.objects.for_subject(complaint).get(kind=RECEIPT_KIND))
    client.force_login(wang_worker)

    response = client.get(complaint_url(complaint))

    page = response.content.decode()
    assert response.status_code == 200
    assert complaint.code in page
    assert str(S.ACCEPTED.label) in page
    assert f"{timezone.localdate(complaint.accepted_at):%Y-%m-%d}" in page
    assert complaint.facts in page
    assert download_url(receipt) in page
    assert client.get(download_url(receipt)).status_code == 200


def test_the_complaint_page_shows_no_id_number(client, make_complaint, wang_worker):
    complaint = wangs(make_complaint, wang_worker)
    client.force_login(wang_worker)

    page = client.get(complaint_url(complaint)).content.decode()

    assert WANG_ID not in page and "110105********002X" not in page


def test_a_closed_complaint_shows_the_result_but_not_the_internal_records(
    client, make_complaint, wang_worker
):
    complaint = wangs(make_complaint, wang_worker, S.CLOSED)
    docs = all_rendered(complaint)
    client.force_login(wang_worker)

    page = client.get(complaint_url(complaint)).content.decode()

    assert complaint.result_summary in page
    assert download_url(docs[RESULT_KIND]) in page
    assert client.get(download_url(docs[RESULT_KIND])).status_code == 200
    for kind in (INTERVIEW_KIND, DECISION_KIND):
        assert download_url(docs[kind]) not in page
        assert client.get(download_url(docs[kind])).status_code == 404


def test_a_referred_complaint_shows_where_it_went_but_the_referral_letter_gets_404(
    client, make_complaint, wang_worker, olga_officer
):
    complaint = wangs(make_complaint, wang_worker, S.ACCEPTED)
    services.complaint_refer(
        complaint=complaint,
        target=ReferralTarget.MARKET_REGULATION,
        body="测试区市场监督管理局",
        reason="涉及虚假宣传，属市场监督管理职责。",
        actor=actor(olga_officer),
    )
    docs = all_rendered(complaint)
    client.force_login(wang_worker)

    page = client.get(complaint_url(complaint)).content.decode()

    assert "测试区市场监督管理局" in page
    assert download_url(docs[RESULT_KIND]) in page
    assert download_url(docs[REFERRAL_KIND]) not in page
    assert client.get(download_url(docs[REFERRAL_KIND])).status_code == 404


# Nobody else


def test_another_worker_gets_404_on_my_complaint_and_its_documents(
    client, make_complaint, wang_worker, li_worker
):
    complaint = wangs(make_complaint, wang_worker, S.CLOSED)
    docs = all_rendered(complaint)
    client.force_login(li_worker)

    assert client.get(complaint_url(complaint)).status_code == 404
    for doc in docs.values():
        assert client.get(download_url(doc)).status_code == 404


def test_an_outsider_gets_404_on_the_complaint_page(
    client, make_complaint, wang_worker, oscar_outsider
):
    complaint = wangs(make_complaint, wang_worker)
    client.force_login(oscar_outsider)

    assert client.get(complaint_url(complaint)).status_code == 404


def test_a_staff_user_without_a_person_gets_404_on_the_portal_complaint_page(
    client, make_complaint, wang_worker, olga_officer
):
    complaint = wangs(make_complaint, wang_worker)
    client.force_login(olga_officer)

    assert client.get(complaint_url(complaint)).status_code == 404


def test_an_anonymous_complaint_is_not_in_anyones_portal(client, make_complaint, wang_worker):
    complaint = make_complaint()
    client.force_login(wang_worker)

    assert client.get(complaint_url(complaint)).status_code == 404
