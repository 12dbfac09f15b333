"""The public complaint form /report/: no login, anonymous if wished, a tracking code shown once."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from casework.complaints.forms_intake import ANONYMOUS_HELP, FILES_NOT_KEPT
from casework.complaints.models import Channel, Complaint, ComplaintEvidence, tracking_hash
from casework.complaints.penalties import Conduct
from casework.core.models import CaseEvent

REPORT = reverse("complaints_public:report")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
PDF = b"%PDF-1.4\n%test\n"
# Django's own message, already in Chinese: the form speaks Chinese by default.
REQUIRED_ZH = "这个字段是必填项。"
LIMITED = (
    "Too many complaints were sent from your address. Please try again later, or complain "
    "at the market's counter or by phone."
)


def details(**overrides) -> dict:
    data = {
        "submission": "",
        "anonymous": "on",
        "complainant_name": "",
        "contact_mobile": "",
        "categories": [Conduct.DEPOSIT, Conduct.ID_WITHHELD],
        "facts": "该中介收取每人300元押金，并扣押身份证，至今未退还。",
        "conduct_on": (timezone.localdate() - datetime.timedelta(days=10)).isoformat(),
        "deposit_amount": "900",
        "deposit_workers": "3",
        "respondent_name_given": "速聘人力中介",
        "respondent_details_given": "测试区人民路1号二楼",
    }
    data.update(overrides)
    if not data["anonymous"]:
        del data["anonymous"]
    return data


def send(client, **overrides):
    return client.post(REPORT, details(**overrides))


def test_anyone_can_open_the_form_and_the_only_market_is_preselected(client, market):
    response = client.get(REPORT)

    page = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{market.pk}" selected>' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="evidence" accept=' in page and "multiple" in page


def test_an_anonymous_complaint_is_saved_from_the_web_and_shows_its_tracking_code(client, market):
    response = send(client, market=market.pk)

    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.WEB
    assert complaint.anonymous is True
    assert complaint.complainant is None and complaint.complainant_name == ""
    assert complaint.categories == [Conduct.DEPOSIT, Conduct.ID_WITHHELD]
    code = response.context["tracking_code"]
    assert tracking_hash(code) == complaint.tracking_hash
    page = response.content.decode()
    assert code in page and complaint.code in page
    assert (
        _(
            "Write this code down or take a screenshot now. It is shown only this once and cannot "
            "be shown again."
        )
        in page
    )
    assert reverse("complaints_public:track") in page


def test_the_tracking_code_is_shown_whole_on_one_line_with_a_copy_button(client, market):
    response = send(client, market=market.pk)
    code = response.context["tracking_code"]
    page = response.content.decode()

    # One contiguous text (never broken inside a group: class "code"), for reading and copying.
    assert f'<p class="code tracking-code" id="tracking-code">{code}</p>' in page
    # The button copies that element's text; its status is announced (role=status).
    assert 'class="copy" data-copy-target="tracking-code"' in page
    assert f">{_('Copy')}</button>" in page and f'data-copied="{_("Copied")}"' in page
    assert '<span class="copy-status" role="status"></span>' in page
    assert static("js/copy.js") in page


def test_the_public_filing_is_recorded_as_the_public_with_the_client_address(client, market):
    client.post(REPORT, details(market=market.pk), REMOTE_ADDR="203.0.113.7")

    complaint = Complaint.objects.get()
    event = CaseEvent.objects.for_subject(complaint).get(action="filed")
    assert event.actor is None
    assert event.role == "public"
    assert event.client_ip == "203.0.113.7"


def test_the_tracking_code_is_shown_once_and_cannot_be_read_back(client, market):
    response = send(client, market=market.pk)
    code = response.context["tracking_code"]

    complaint = Complaint.objects.get()
    stored = [str(getattr(complaint, f.attname)) for f in Complaint._meta.concrete_fields]
    assert not any(code in value for value in stored)
    assert code not in client.get(REPORT).content.decode()
    assert code not in client.get(reverse("complaints_public:track")).content.decode()


def test_an_anonymous_complainant_without_a_number_is_told_results_show_only_under_the_code(
    client, market
):
    page = send(client, market=market.pk).content.decode()

    assert (
        _(
            "You complained anonymously and left no mobile number: the decisions and the result "
            "are shown only on the tracking page, under this code."
        )
        in page
    )


def test_the_form_explains_what_anonymity_means_for_notices(client, market):
    page = client.get(REPORT).content.decode()

    assert escape(_("Complain anonymously")) in page
    assert escape(str(ANONYMOUS_HELP)) in page


def test_an_anonymous_complainant_may_leave_a_mobile_for_notices(client, market):
    send(client, market=market.pk, contact_mobile="138 0013-8000")

    complaint = Complaint.objects.get()
    assert complaint.anonymous is True
    assert complaint.contact_mobile == "13800138000"
    assert complaint.notice_mobile == "13800138000"


def test_a_named_complaint_keeps_the_name_and_the_normalised_mobile(client, market):
    send(
        client,
        market=market.pk,
        anonymous="",
        complainant_name=" 赵六 ",
        contact_mobile="+86 137 1234 5678",
    )

    complaint = Complaint.objects.get()
    assert complaint.anonymous is False
    assert complaint.complainant_name == "赵六"
    assert complaint.contact_mobile == "13712345678"


def test_an_anonymous_complaint_with_a_name_is_refused_and_nothing_is_saved(client, market):
    response = send(client, market=market.pk, complainant_name="赵六")

    assert Complaint.objects.count() == 0
    assert response.status_code == 200
    assert response.context["form"].has_error("complainant_name", "anonymous_with_name")


def test_a_named_complaint_needs_the_name(client, market):
    response = send(client, market=market.pk, anonymous="")

    assert Complaint.objects.count() == 0
    assert response.context["form"].has_error("complainant_name", "name_missing")


def test_bad_input_saves_nothing_and_the_errors_are_in_chinese(client, market):
    response = client.post(REPORT, {"submission": "x"})

    assert response.status_code == 200
    assert Complaint.objects.count() == 0
    page = response.content.decode()
    assert REQUIRED_ZH in page
    assert "请更正下面标出的字段。" in page or _("Please correct the marked fields below.") in page
    assert 'lang="zh-hans"' in page


def test_a_conduct_date_in_the_future_is_refused(client, market):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = send(client, market=market.pk, conduct_on=tomorrow.isoformat())

    assert Complaint.objects.count() == 0
    assert response.context["form"].has_error("conduct_on", "conduct_in_future")


def test_a_deposit_needs_the_amount_and_the_number_of_workers(client, market):
    response = send(client, market=market.pk, deposit_amount="", deposit_workers="")

    form = response.context["form"]
    assert Complaint.objects.count() == 0
    assert form.has_error("deposit_amount", "deposit_details")
    assert form.has_error("deposit_workers", "deposit_details")


def test_deposit_figures_are_dropped_when_no_deposit_is_complained_of(client, market):
    send(client, market=market.pk, categories=[Conduct.FALSE_AD])

    complaint = Complaint.objects.get()
    assert complaint.deposit_amount is None and complaint.deposit_workers is None


def test_a_bad_mobile_number_is_refused(client, market):
    response = send(client, market=market.pk, contact_mobile="12345")

    assert Complaint.objects.count() == 0
    assert response.context["form"].has_error("contact_mobile", "mobile")


def test_evidence_files_are_kept_with_the_complaint(client, market):
    data = details(market=market.pk)
    data["evidence"] = [
        SimpleUploadedFile("receipt.png", PNG, content_type="image/png"),
        SimpleUploadedFile("chat.pdf", PDF, content_type="application/pdf"),
    ]

    client.post(REPORT, data)

    complaint = Complaint.objects.get()
    names = sorted(e.original_name for e in ComplaintEvidence.objects.filter(complaint=complaint))
    assert names == ["chat.pdf", "receipt.png"]


def test_a_file_that_is_not_really_a_picture_is_refused_and_nothing_is_saved(client, market):
    data = details(market=market.pk)
    data["evidence"] = [SimpleUploadedFile("photo.png", b"MZ not a png", content_type="image/png")]

    response = client.post(REPORT, data)

    assert Complaint.objects.count() == 0
    assert ComplaintEvidence.objects.count() == 0
    assert response.context["form"].has_error("evidence", "evidence_mislabelled")


def test_after_an_error_the_form_says_to_choose_the_files_again(client, market):
    data = details(market=market.pk, facts="")
    data["evidence"] = [SimpleUploadedFile("receipt.png", PNG, content_type="image/png")]

    response = client.post(REPORT, data)

    assert Complaint.objects.count() == 0
    assert response.context["form"].has_error("evidence", "files_not_kept")
    assert str(FILES_NOT_KEPT) in response.content.decode()


def test_the_form_is_refused_without_its_csrf_token(market):
    client = Client(enforce_csrf_checks=True)

    response = client.post(REPORT, details(market=market.pk))

    assert response.status_code == 403
    assert Complaint.objects.count() == 0


def test_the_same_form_sent_twice_is_saved_once(client, market):
    first = send(client, market=market.pk, submission="token-1")
    again = send(client, market=market.pk, submission="token-1")

    assert first.status_code == again.status_code == 200
    assert Complaint.objects.count() == 1
    assert first.context["tracking_code"] not in again.content.decode()
    assert _("This complaint was already sent") in again.content.decode()


def test_after_the_limit_a_valid_complaint_gets_429_and_is_not_saved(client, market, settings):
    settings.COMPLAINT_SUBMIT_LIMIT = 2
    for n in range(2):
        assert send(client, market=market.pk, submission=f"t{n}").status_code == 200

    response = send(client, market=market.pk, submission="t3")

    assert response.status_code == 429
    assert Complaint.objects.count() == 2
    assert _(LIMITED) in response.content.decode()


def test_the_limit_is_per_client_address(client, market, settings):
    settings.COMPLAINT_SUBMIT_LIMIT = 1
    send(client, market=market.pk, submission="a")

    other = client.post(REPORT, details(market=market.pk, submission="b"), REMOTE_ADDR="10.9.9.9")

    assert other.status_code == 200
    assert Complaint.objects.count() == 2


def test_a_form_with_mistakes_does_not_count_against_the_limit(client, market, settings):
    settings.COMPLAINT_SUBMIT_LIMIT = 1
    for _n in range(3):
        send(client, market=market.pk, facts="")

    assert send(client, market=market.pk, submission="ok").status_code == 200
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize("url_name", ["report", "track", "sanctioned"])
def test_the_public_pages_are_available_in_english(client, market, url_name):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = client.get(reverse(f"complaints_public:{url_name}")).content.decode()

    assert 'lang="en"' in page
    assert "Complain about a job intermediary" in page


def test_the_429_page_is_in_english_when_english_is_chosen(client, market, settings):
    settings.COMPLAINT_SUBMIT_LIMIT = 0
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = send(client, market=market.pk)

    assert response.status_code == 429
    assert LIMITED in response.content.decode()
