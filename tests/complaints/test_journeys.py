"""Two complaints from the public form to their end, through the pages only: an anonymous
web complaint accepted, investigated, ordered to correct and its result told under the
tracking code; and one referred to labour inspection with the 移送函."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.complaints.documents import REFERRAL_KIND, RESULT_KIND
from casework.complaints.models import Complaint
from casework.complaints.penalties import Conduct
from casework.core.models import SmsMessage
from casework.documents.models import Document
from tests.complaints.fixtures import decision_post
from tests.documents.conftest import pdftotext, render_now, squeeze

S = Complaint.State


def staff(name: str, *args) -> str:
    return reverse(f"complaints:{name}", args=args)


def ok(response, expected: int = 302):
    assert response.status_code == expected, response.content.decode()[:2000]
    return response


def report_anonymously(market) -> tuple[Complaint, str, Client]:
    """A worker fills in the public form without logging in and keeps the tracking code."""
    public = Client(REMOTE_ADDR="198.51.100.23")
    form = ok(public.get(reverse("complaints_public:report")), 200)
    token = re.search(r'name="submission" value="([^"]+)"', form.content.decode()).group(1)
    sent = ok(
        public.post(
            reverse("complaints_public:report"),
            {
                "submission": token,
                "market": market.pk,
                "categories": [Conduct.DEPOSIT, Conduct.ID_WITHHELD],
                "facts": "速聘人力中介收了我们三个人每人300元押金，还把身份证扣着不还。",
                "conduct_on": (timezone.localdate() - datetime.timedelta(days=9)).isoformat(),
                "deposit_amount": "900",
                "deposit_workers": "3",
                "respondent_name_given": "速聘人力中介",
                "respondent_details_given": "人民路1号二楼",
                "anonymous": "on",
            },
        ),
        200,
    )
    code = sent.context["tracking_code"]
    assert code in sent.content.decode()
    complaint = Complaint.objects.get(code=sent.context["code"])
    assert (complaint.state, complaint.anonymous, complaint.owner) == (S.RECEIVED, True, None)
    return complaint, code, public


def officer_accepts_and_investigates(client, complaint, officer, intermediary) -> None:
    client.force_login(officer)
    queue = ok(client.get(staff("queue") + "?show=unassigned"), 200)
    assert complaint.code in queue.content.decode()
    ok(client.post(staff("take", complaint.code)))
    ok(client.post(staff("respondent", complaint.code), {"respondent": intermediary.pk}))
    ok(client.post(staff("accept", complaint.code)))
    ok(client.post(staff("start_investigation", complaint.code)))
    held_at = timezone.localtime() - datetime.timedelta(hours=2)
    ok(
        client.post(
            staff("interview", complaint.code),
            {
                "held_at": held_at.strftime("%Y-%m-%dT%H:%M"),
                "place": "测试区零工市场调查室",
                "interviewee_role": "respondent",
                "interviewee_name": "钱经理",
                "interviewee_position": "负责人",
                "investigators": "olga、sam",
                "record": "问：是否收取押金？答：收了三个人，每人300元。",
            },
        )
    )
    complaint.refresh_from_db()
    assert complaint.state == S.INVESTIGATING
    assert complaint.interviews.count() == 1


def track(public: Client, code: str) -> str:
    ok(public.post(reverse("complaints_public:track"), {"code": code}))
    return ok(public.get(reverse("complaints_public:status")), 200).content.decode()


def pdf_of(doc: Document, tmp_path) -> str:
    doc = render_now(doc)
    with doc.file.open("rb") as f:
        return squeeze(pdftotext(f.read(), tmp_path))


@pytest.mark.django_db
def test_anonymous_web_complaint_accepted_investigated_ordered_to_correct_and_told(
    client, market, olga_officer, intermediary, tmp_path
):
    complaint, code, public = report_anonymously(market)
    assert "已接收" in track(public, code)

    officer_accepts_and_investigates(client, complaint, olga_officer, intermediary)
    assert "调查中" in track(public, code)
    correct_by = timezone.localdate() + datetime.timedelta(days=10)
    ok(
        client.post(
            staff("decide", complaint.code),
            decision_post(
                [
                    {"conduct": Conduct.DEPOSIT, "measures": ["correct"], "workers_affected": "3"},
                    {"conduct": Conduct.ID_WITHHELD, "measures": ["correct"]},
                ],
                outcome="order_to_correct",
                findings="经查，被投诉人向三名劳动者每人收取押金300元，并扣押其居民身份证。",
                measures="限期退还押金共900元，并退还扣押的居民身份证。",
                correction_due=correct_by.isoformat(),
            ),
        )
    )
    ok(
        client.post(
            staff("hear", complaint.code),
            {"statement": "对事实无异议，已退还押金和身份证。"},
        )
    )
    close_page = ok(client.get(staff("detail", complaint.code)), 200).content.decode()
    assert "经调查，被投诉人存在违法行为，已责令其限期改正" in close_page
    ok(
        client.post(
            staff("close", complaint.code),
            {"result": "经调查，被投诉人存在违法行为，已责令其限期改正。押金和身份证已退还。"},
        )
    )

    complaint.refresh_from_db()
    assert complaint.state == S.CLOSED
    assert complaint.outcome == "order_to_correct"
    assert complaint.sanction.intermediary == intermediary
    # An anonymous complainant who left no number gets no text message ...
    assert not SmsMessage.objects.filter(subject_label=complaint.code).exists()
    # ... and reads the result under the tracking code, with the result notice.
    status = track(public, code)
    assert "已办结" in status
    assert "已责令其限期改正" in status
    notice = Document.objects.for_subject(complaint).get(kind=RESULT_KIND)
    text = pdf_of(notice, tmp_path)
    assert "结果告知书" in text and "匿名投诉人" in text and complaint.code in text
    ok(public.get(reverse("complaints_public:document", args=[notice.pk])), 200)
    # The public list of sanctions names the intermediary.
    sanctioned = ok(public.get(reverse("complaints_public:sanctioned")), 200).content.decode()
    assert intermediary.credit_code in sanctioned


@pytest.mark.django_db
def test_anonymous_web_complaint_referred_to_labour_inspection_with_the_referral_letter(
    client, market, olga_officer, intermediary, tmp_path
):
    complaint, code, public = report_anonymously(market)
    officer_accepts_and_investigates(client, complaint, olga_officer, intermediary)
    ok(
        client.post(
            staff("refer", complaint.code),
            {
                "target": "labour_inspection",
                "body": "测试区劳动保障监察大队",
                "reason": "投诉同时涉及拖欠劳动报酬，属劳动保障监察职责。",
            },
        )
    )
    complaint.refresh_from_db()
    # Referred to labour inspection: open until the inspection reports back.
    assert complaint.state == S.AWAITING_FEEDBACK
    letter = Document.objects.for_subject(complaint).get(kind=REFERRAL_KIND)
    text = pdf_of(letter, tmp_path)
    assert "移送函" in text
    assert "测试区劳动保障监察大队" in text
    assert complaint.code in text and intermediary.name in text
    assert "匿名投诉" in text
    # The officer downloads the letter from the case page; the complainant never sees it.
    page = ok(client.get(staff("detail", complaint.code)), 200).content.decode()
    assert reverse("documents:download", args=[letter.pk]) in page
    download = ok(client.get(reverse("documents:download", args=[letter.pk])), 200)
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    status = track(public, code)
    assert "测试区劳动保障监察大队" in status
    assert reverse("complaints_public:document", args=[letter.pk]) not in status
    ok(public.get(reverse("complaints_public:document", args=[letter.pk])), 404)
    assert not Document.objects.for_subject(complaint).filter(kind=RESULT_KIND).exists()

    # Closing before the feedback is refused; the feedback recorded, the complaint closes.
    refused = ok(client.post(staff("close", complaint.code), {"result": "已办结。"}), 200)
    assert "监察机构尚未反馈" in refused.content.decode()  # the default language
    ok(
        client.post(
            staff("feedback", complaint.code),
            {
                "day": timezone.localdate().isoformat(),
                "result": "handled",
                "reference": "测监〔2026〕8号",
                "note": "已立案，责令被投诉人支付拖欠的劳动报酬。",
            },
        )
    )
    page = ok(client.get(staff("detail", complaint.code)), 200).content.decode()
    assert "经其反馈，该投诉已立案并依法处理（测监〔2026〕8号）" in page  # the close form's default
    ok(client.post(staff("close", complaint.code), {"result": ""}), 200)  # a result is needed
    result = "您的投诉已移送测试区劳动保障监察大队依法处理。经其反馈，该投诉已立案并依法处理。"
    ok(client.post(staff("close", complaint.code), {"result": result}))
    complaint.refresh_from_db()
    assert complaint.state == S.CLOSED and complaint.result_summary == result
    notice = Document.objects.for_subject(complaint).get(kind=RESULT_KIND)
    assert "测监〔2026〕8号" in pdf_of(notice, tmp_path)
    assert "已办结" in track(public, code)
