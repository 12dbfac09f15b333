"""Tracking a complaint by its code: only its own complaint, never who complained, not guessable."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from casework.complaints import services
from casework.complaints.documents import (
    NOT_ACCEPTED_KIND,
    RECEIPT_KIND,
    REFERRAL_KIND,
    RESULT_KIND,
    SUPPLEMENT_KIND,
)
from casework.complaints.models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Channel,
    Complaint,
    NotAcceptedReason,
    ReferralTarget,
    new_tracking_code,
)
from casework.complaints.penalties import Conduct
from casework.complaints.views.public import TRACKED_SESSION_KEY
from casework.documents.models import Document
from tests.complaints.fixtures import actor, file_anonymous
from tests.conftest import WANG_ID
from tests.documents.conftest import render_now

S = Complaint.State
TRACK = reverse("complaints_public:track")
STATUS = reverse("complaints_public:status")


def track(client, code: str, **extra):
    return client.post(TRACK, {"code": code}, **extra)


def status_page(client, code: str) -> str:
    response = track(client, code)
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == STATUS
    page = client.get(STATUS)
    assert page.status_code == 200
    return page.content.decode()


def document_url(doc: Document) -> str:
    return reverse("complaints_public:document", args=[doc.pk])


def doc_of(complaint: Complaint, kind: str) -> Document:
    return render_now(Document.objects.for_subject(complaint).get(kind=kind))


def random_code_not_issued() -> str:
    code = new_tracking_code()
    assert services.complaint_by_tracking_code(code) is None
    return code


# The codes themselves


def test_tracking_codes_are_20_characters_of_a_32_letter_alphabet():
    code = new_tracking_code()

    raw = code.replace("-", "")
    assert len(TRACKING_ALPHABET) == len(set(TRACKING_ALPHABET)) == 32
    assert len(raw) == TRACKING_LENGTH == 20
    assert set(raw) <= set(TRACKING_ALPHABET)


def test_two_tracking_codes_differ():
    codes = {new_tracking_code() for _n in range(200)}

    assert len(codes) == 200


def test_every_complaint_gets_its_own_code(market):
    first = file_anonymous(market)
    second = file_anonymous(market)

    assert first.tracking_code != second.tracking_code
    assert first.complaint.tracking_hash != second.complaint.tracking_hash


# Looking a complaint up


def test_a_correct_code_shows_the_status_of_its_complaint(client, make_complaint, market):
    complaint = make_complaint()

    page = status_page(client, complaint.tracking_code)

    assert complaint.code in page
    assert market.name in page
    assert "速聘人力中介" in page
    assert capfirst(str(Conduct.DEPOSIT.label)) in page
    assert capfirst(str(Conduct.ID_WITHHELD.label)) in page
    assert str(S.RECEIVED.label) in page
    assert f'datetime="{timezone.localdate(complaint.received_at):%Y-%m-%d}"' in page
    assert f'datetime="{complaint.acceptance_due:%Y-%m-%d}"' in page


@pytest.mark.parametrize(
    "typed", [str.lower, lambda c: c.replace("-", ""), lambda c: c.replace("-", " ")]
)
def test_codes_are_accepted_with_spaces_dashes_and_small_letters(client, make_complaint, typed):
    complaint = make_complaint()

    page = status_page(client, "  " + typed(complaint.tracking_code) + " ")

    assert complaint.code in page


def test_the_code_is_never_put_in_a_url(client, make_complaint):
    complaint = make_complaint()
    code = complaint.tracking_code

    form = client.get(TRACK).content.decode()
    response = track(client, code)
    from_query = client.get(TRACK, {"code": code})

    assert 'method="post"' in form
    assert code not in response["Location"]
    assert complaint.code not in from_query.content.decode()  # a code in a URL is ignored


def test_a_wrong_code_finds_nothing_and_reveals_nothing(client, make_complaint):
    complaint = make_complaint()

    response = track(client, random_code_not_issued())

    page = response.content.decode()
    assert response.status_code == 404
    assert (
        _("No complaint was found with this tracking code. Check the code and try again.") in page
    )
    assert complaint.code not in page
    assert TRACKED_SESSION_KEY not in client.session
    assert client.get(STATUS)["Location"] == TRACK


def test_a_malformed_code_is_refused_with_the_expected_format(client, make_complaint):
    complaint = make_complaint()

    response = track(client, complaint.tracking_code[:-2])

    assert response.status_code == 400
    assert response.context["form"].has_error("code", "tracking_code_format")
    assert TRACKED_SESSION_KEY not in client.session


def test_the_status_page_without_a_tracked_complaint_sends_you_to_the_form(client, db):
    response = client.get(STATUS)

    assert response.status_code == 302
    assert response["Location"] == TRACK


def test_the_status_page_shows_only_the_tracked_complaint(client, make_complaint):
    mine = make_complaint()
    other = make_complaint(facts="另一起投诉的事实，不应出现在页面上。")

    page = status_page(client, mine.tracking_code)

    assert mine.code in page
    assert other.code not in page
    assert "另一起投诉" not in page


def test_tracking_another_code_replaces_the_tracked_complaint(client, make_complaint):
    first = make_complaint()
    second = make_complaint()

    status_page(client, first.tracking_code)
    page = status_page(client, second.tracking_code)

    assert second.code in page and first.code not in page


def test_leaving_forgets_the_tracked_complaint(client, make_complaint):
    complaint = make_complaint()
    status_page(client, complaint.tracking_code)

    client.post(reverse("complaints_public:track_leave"))

    assert client.get(STATUS)["Location"] == TRACK


# Never who complained


def test_a_named_complaint_shows_neither_the_name_nor_the_mobile(client, market):
    filed = file_anonymous(
        market, anonymous=False, complainant_name="赵六", contact_mobile="13712345678"
    )

    page = status_page(client, filed.tracking_code)

    assert filed.complaint.code in page
    for secret in ("赵六", "赵*", "13712345678", "137****5678"):
        assert secret not in page


def test_a_registered_complainant_is_not_shown_on_the_tracking_page(client, market, wang_worker):
    filed = file_anonymous(
        market, anonymous=False, channel=Channel.PORTAL, complainant=wang_worker.person
    )

    page = status_page(client, filed.tracking_code)

    for secret in ("王小明", "王*", WANG_ID, "110105********002X", "13800138000", "138****8000"):
        assert secret not in page


def test_a_named_complaints_notices_are_not_given_out_against_its_code(
    client, make_complaint, olga_officer
):
    # The receipt is addressed to the complainant by name: a leaked code must not reveal it.
    complaint = make_complaint(
        S.ACCEPTED, anonymous=False, complainant_name="赵六", contact_mobile="13712345678"
    )
    receipt = doc_of(complaint, RECEIPT_KIND)

    page = status_page(client, complaint.tracking_code)

    assert document_url(receipt) not in page
    assert "赵六" not in page
    assert client.get(document_url(receipt)).status_code == 404


# The decisions and the result


def test_an_accepted_complaint_shows_the_day_it_was_accepted_and_its_receipt(
    client, make_complaint
):
    complaint = make_complaint(S.ACCEPTED)
    receipt = doc_of(complaint, RECEIPT_KIND)

    page = status_page(client, complaint.tracking_code)
    download = client.get(document_url(receipt))

    accepted = timezone.localdate(complaint.accepted_at)
    assert f"{accepted:%Y-%m-%d}" in page
    assert str(S.ACCEPTED.label) in page
    assert f'datetime="{complaint.investigation_due:%Y-%m-%d}"' in page
    assert document_url(receipt) in page
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_complaint_not_accepted_shows_the_reason_and_the_competent_authority(
    client, make_complaint, olga_officer
):
    complaint = make_complaint()
    services.complaint_not_accept(
        complaint=complaint,
        reason=NotAcceptedReason.NOT_COMPETENT,
        authority="测试区市场监督管理局",
        actor=actor(olga_officer),
    )
    notice = doc_of(complaint, NOT_ACCEPTED_KIND)

    page = status_page(client, complaint.tracking_code)

    assert escape(str(NotAcceptedReason.NOT_COMPETENT.label)) in page
    assert "测试区市场监督管理局" in page
    assert document_url(notice) in page


def test_a_supplement_request_lists_every_missing_item_with_its_due_date(
    client, make_complaint, olga_officer
):
    complaint = make_complaint()
    due = timezone.localdate() + datetime.timedelta(days=10)
    items = ["押金收据或转账记录", "中介门店照片", "被扣押证件的说明"]
    services.supplement_request(
        complaint=complaint, items=items, due=due, actor=actor(olga_officer)
    )
    notice = doc_of(complaint, SUPPLEMENT_KIND)

    page = status_page(client, complaint.tracking_code)

    for item in items:
        assert f"<li>{item}</li>" in page
    assert f"{due:%Y-%m-%d}" in page
    assert str(S.SUPPLEMENT_REQUESTED.label) in page
    assert document_url(notice) in page


def test_a_closed_complaint_shows_the_result_and_the_result_notice(client, make_complaint):
    complaint = make_complaint(S.CLOSED)
    notice = doc_of(complaint, RESULT_KIND)

    page = status_page(client, complaint.tracking_code)

    assert complaint.result_summary and complaint.result_summary in page
    assert str(S.CLOSED.label) in page
    assert document_url(notice) in page
    assert "钱经理" not in page  # the investigation record's interviewee


def test_internal_documents_are_neither_listed_nor_downloadable(client, make_complaint):
    complaint = make_complaint(S.CLOSED)
    internal = Document.objects.for_subject(complaint).exclude(kind__in=[RECEIPT_KIND, RESULT_KIND])
    assert internal.exists()  # the decision
    for doc in internal:
        render_now(doc)

    page = status_page(client, complaint.tracking_code)

    for doc in internal:
        assert document_url(doc) not in page
        assert client.get(document_url(doc)).status_code == 404


def test_a_referred_complaint_shows_where_it_went_but_not_the_referral_letter(
    client, make_complaint, olga_officer
):
    complaint = make_complaint(S.ACCEPTED)
    services.complaint_refer(
        complaint=complaint,
        target=ReferralTarget.MARKET_REGULATION,
        body="测试区市场监督管理局",
        reason="涉及虚假宣传，属市场监督管理职责。",
        actor=actor(olga_officer),
    )
    letter = doc_of(complaint, REFERRAL_KIND)
    notice = doc_of(complaint, RESULT_KIND)

    page = status_page(client, complaint.tracking_code)

    assert "测试区市场监督管理局" in page
    assert str(ReferralTarget.MARKET_REGULATION.label) in page
    assert "涉及虚假宣传" not in page
    assert document_url(notice) in page
    assert document_url(letter) not in page
    assert client.get(document_url(letter)).status_code == 404


def test_a_document_of_another_complaint_gets_404(client, make_complaint):
    mine = make_complaint()
    other = make_complaint(S.ACCEPTED)
    receipt = doc_of(other, RECEIPT_KIND)

    status_page(client, mine.tracking_code)

    assert client.get(document_url(receipt)).status_code == 404


def test_documents_need_a_tracked_complaint(client, make_complaint):
    complaint = make_complaint(S.ACCEPTED)
    receipt = doc_of(complaint, RECEIPT_KIND)

    assert client.get(document_url(receipt)).status_code == 404


# Rate limit


def test_after_the_limit_even_the_correct_code_gets_429(client, make_complaint, settings):
    settings.COMPLAINT_TRACK_LIMIT = 3
    complaint = make_complaint()
    for _n in range(3):
        assert track(client, random_code_not_issued()).status_code == 404

    response = track(client, complaint.tracking_code)

    assert response.status_code == 429
    assert TRACKED_SESSION_KEY not in client.session
    assert complaint.code not in response.content.decode()


def test_right_and_wrong_codes_both_count_against_the_limit(client, make_complaint, settings):
    settings.COMPLAINT_TRACK_LIMIT = 2
    complaint = make_complaint()

    assert track(client, complaint.tracking_code).status_code == 302
    assert track(client, random_code_not_issued()).status_code == 404
    assert track(client, complaint.tracking_code).status_code == 429


def test_malformed_codes_count_against_the_limit_too(client, db, settings):
    settings.COMPLAINT_TRACK_LIMIT = 1

    assert track(client, "nonsense").status_code == 400
    assert track(client, "nonsense").status_code == 429


def test_the_tracking_limit_is_per_client_address(client, make_complaint, settings):
    settings.COMPLAINT_TRACK_LIMIT = 1
    complaint = make_complaint()
    track(client, random_code_not_issued())

    response = track(client, complaint.tracking_code, REMOTE_ADDR="10.9.9.9")

    assert response.status_code == 302
