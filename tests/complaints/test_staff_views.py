"""The complaint officers' pages: the complaint page, its steps and the counter intake.

Who may open what (outsiders get 404 on every complaint URL, evidence included;
a caseworker 403; the auditor reads without acting), what the page shows of the
complainant, the steps through the test client, the one-time supplement notice,
the penalty guidance on the decision form, and the intake with its tracking code.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.complaints import services
from casework.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvidence,
    ExtensionRequest,
    Interview,
    Outcome,
    Sanction,
    tracking_hash,
)
from casework.complaints.penalties import Conduct
from casework.core.models import AccessLog
from casework.core.roles import Role
from casework.documents.models import Document
from casework.parties.models import Organization
from tests.complaints.fixtures import (
    SECOND_INTERMEDIARY_USCC,
    actor,
    decision_post,
    file_anonymous,
    interview,
)
from tests.conftest import WANG_ID, make_user

S = Complaint.State
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# Every step URL with a POST body that would be valid in some state.
STEP_POSTS = {
    "take": {},
    "accept": {},
    "start_investigation": {},
    "respondent": {"respondent": "1"},
    "respondent_new": {
        "name": "新中介",
        "credit_code": SECOND_INTERMEDIARY_USCC,
        "licence_number": "无",
    },
    "supplement_request": {"items": "押金收据", "due": "2099-01-01"},
    "supplement_receive": {"note": "收到收据"},
    "not_accept": {"reason": "no_respondent"},
    "interview": {},
    "extension_request": {"reason": "需要调取银行流水"},
    "extension_decide": {"decision": "approve"},
    "decide": {"outcome": "no_violation", "findings": "未发现违法行为"},
    "hear": {"waived": "on"},
    "close": {"result": "已办结"},
    "refer": {"target": "police", "body": "测试区公安分局", "reason": "涉嫌诈骗"},
    "penalty_decision": {
        "authority": "测试区人力资源和社会保障局",
        "document_number": "测人社罚决字〔2026〕第1号",
        "decided_on": "2026-01-05",
        "penalty": "fine",
        "amount": "5000",
    },
    "reassign": {"reason": "工作调整"},
    "contact": {},
}


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def url(name: str, *args) -> str:
    return reverse(f"complaints:{name}", args=args)


def logged_in(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def page_of(response) -> str:
    return response.content.decode()


def later(days: int = 10) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def pdf(name: str = "押金收据.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def complaint(make_complaint):
    """Received, held by olga, the intermediary identified."""
    return make_complaint()


@pytest.fixture
def pete_officer(market):
    return make_user("pete", Role.COMPLAINT_OFFICER, markets=[market], full_name="Pete 投诉专员")


@pytest.fixture
def otto_officer(other_market):
    """A complaint officer of another market."""
    return make_user("otto", Role.COMPLAINT_OFFICER, markets=[other_market])


def evidence_of(complaint) -> ComplaintEvidence:
    return services.evidence_add(complaint=complaint, upload=pdf(), actor=actor(complaint.owner))


def complaint_urls(complaint, evidence) -> list[str]:
    code = complaint.code
    return [
        url("detail", code),
        url("evidence_file", code, evidence.pk),
        url("respondent", code),
        url("respondent_new", code),
        url("supplement_request", code),
        url("not_accept", code),
        url("decide", code),
        url("reassign", code),
    ]


# -- who may open what ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, complaint):
    evidence = evidence_of(complaint)
    for path in [*complaint_urls(complaint, evidence), url("queue"), url("new")]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), path
    for name, data in STEP_POSTS.items():
        response = client.post(url(name, complaint.code), data)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


@pytest.mark.parametrize("persona", ["oscar_outsider", "otto_officer"])
def test_an_outsider_gets_404_on_every_complaint_url_including_evidence(
    client, request, persona, complaint
):
    evidence = evidence_of(complaint)
    logged_in(client, request.getfixturevalue(persona))
    for path in complaint_urls(complaint, evidence):
        assert client.get(path).status_code == 404, path
    for name, data in STEP_POSTS.items():
        assert client.post(url(name, complaint.code), data).status_code == 404, name
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED and complaint.owner.username == "olga"


def test_a_caseworker_without_complaint_permissions_is_refused(client, carol_caseworker, complaint):
    evidence = evidence_of(complaint)
    logged_in(client, carol_caseworker)
    for path in [*complaint_urls(complaint, evidence), url("queue"), url("new")]:
        assert client.get(path).status_code in (403, 404), path
    for name, data in STEP_POSTS.items():
        assert client.post(url(name, complaint.code), data).status_code in (403, 404), name
    assert client.get(url("detail", complaint.code)).status_code == 403


def test_a_worker_gets_403_on_the_staff_pages(client, wang_worker, complaint):
    logged_in(client, wang_worker)
    assert client.get(url("queue")).status_code == 403
    assert client.get(url("new")).status_code == 403
    assert client.get(url("detail", complaint.code)).status_code == 404


def test_the_auditor_reads_the_complaint_but_sees_no_action_and_is_refused_every_step(
    client, audrey_auditor, complaint
):
    evidence = evidence_of(complaint)
    logged_in(client, audrey_auditor)
    page = page_of(client.get(url("detail", complaint.code)))
    assert complaint.code in page and "押金" in page
    assert "现在可以办理" not in page and f'action="/complaints/{complaint.code}/' not in page
    assert client.get(url("evidence_file", complaint.code, evidence.pk)).status_code == 200
    for name, data in STEP_POSTS.items():
        assert client.post(url(name, complaint.code), data).status_code == 403, name
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED and complaint.supplement_requested_at is None


def test_an_unknown_complaint_number_is_404(client, olga_officer):
    logged_in(client, olga_officer)
    assert client.get(url("detail", "IC-2026-999999")).status_code == 404


def test_an_officer_who_does_not_hold_the_complaint_may_not_work_on_it(
    client, pete_officer, complaint
):
    logged_in(client, pete_officer)
    page = page_of(client.get(url("detail", complaint.code)))
    assert url("supplement_request", complaint.code) not in page
    response = client.post(url("accept", complaint.code))
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED


# -- the complaint page ---------------------------------------------------------------------


def test_the_page_shows_the_facts_deadline_respondent_timeline_and_state_diagram(
    client, olga_officer, complaint
):
    logged_in(client, olga_officer)
    page = page_of(client.get(url("detail", complaint.code)))
    assert complaint.code in page
    assert "该中介收取每人300元押金" in page  # the facts
    assert "收取押金" in page and "扣押身份证" in page  # the categories
    assert "900.00" in page  # the deposit
    assert complaint.acceptance_due.isoformat() in page
    days = complaint.acceptance_days_left()
    assert f"剩余{days}个工作日" in page
    assert "速聘人力中介" in page and url("intermediary", complaint.respondent_id) in page
    assert "办理记录" in page and "<strong>收到投诉</strong>" in page  # the timeline, named
    assert all(zh(state.label) in page for state in S)  # the state diagram


def test_an_anonymous_complainant_shows_only_anonymous(client, olga_officer, market):
    filed = file_anonymous(market, contact_mobile="13912345678")
    services.complaint_take(complaint=filed.complaint, actor=actor(olga_officer))
    logged_in(client, olga_officer)
    page = page_of(client.get(url("detail", filed.complaint.code)))
    assert "匿名" in page
    assert "13912345678" not in page and "139****5678" not in page
    assert url("contact", filed.complaint.code) not in page


def test_a_named_complainant_shows_a_masked_mobile_the_holder_may_reveal_once_logged(
    client, olga_officer, make_complaint
):
    complaint = make_complaint(
        anonymous=False, complainant_name="张三", contact_mobile="13912345678"
    )
    logged_in(client, olga_officer)
    page = page_of(client.get(url("detail", complaint.code)))
    assert "张三" in page and "139****5678" in page and "13912345678" not in page
    response = client.post(url("contact", complaint.code))
    assert response.status_code == 200 and "13912345678" in page_of(response)
    log = AccessLog.objects.get(user=olga_officer)
    assert log.subject_id == complaint.pk and log.fields == "投诉人手机号码"


def test_the_auditor_may_not_reveal_the_complainants_number(client, audrey_auditor, make_complaint):
    complaint = make_complaint(
        anonymous=False, complainant_name="张三", contact_mobile="13912345678"
    )
    logged_in(client, audrey_auditor)
    assert client.post(url("contact", complaint.code)).status_code == 403
    assert not AccessLog.objects.exists()


def test_an_evidence_download_is_logged_and_scoped_to_its_complaint(
    client, olga_officer, complaint, make_complaint
):
    evidence = evidence_of(complaint)
    other = make_complaint()
    logged_in(client, olga_officer)
    response = client.get(url("evidence_file", complaint.code, evidence.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AccessLog.objects.get().action == AccessLog.Action.EXPORT
    assert client.get(url("evidence_file", other.code, evidence.pk)).status_code == 404


def test_the_documents_of_the_complaint_and_its_investigation_records_are_listed(
    client, olga_officer, make_complaint
):
    complaint = make_complaint(S.INVESTIGATING)
    record = interview(complaint, olga_officer)
    logged_in(client, olga_officer)
    page = page_of(client.get(url("detail", complaint.code)))
    receipt = Document.objects.get(kind="complaint_receipt", subject_id=complaint.pk)
    minutes = Document.objects.get(kind="complaint_interview_record", subject_id=record.pk)
    assert reverse("documents:detail", args=[receipt.pk]) in page
    assert reverse("documents:detail", args=[minutes.pk]) in page
    assert "钱经理" in page  # the investigation record itself


# -- taking and handing over ------------------------------------------------------------------


def test_an_officer_takes_a_web_complaint_nobody_holds(client, olga_officer, market):
    complaint = file_anonymous(market).complaint
    logged_in(client, olga_officer)
    page = page_of(client.get(url("detail", complaint.code)))
    assert url("take", complaint.code) in page
    response = client.post(url("take", complaint.code), follow=True)
    complaint.refresh_from_db()
    assert complaint.owner == olga_officer
    assert any(complaint.code in m for m in messages_of(response))


def test_a_taken_complaint_cannot_be_taken_again(client, pete_officer, complaint):
    logged_in(client, pete_officer)
    response = client.post(url("take", complaint.code), follow=True)
    complaint.refresh_from_db()
    assert complaint.owner.username == "olga"
    assert f"{complaint.code}已由olga承办。" in messages_of(response)


def test_a_supervisor_hands_a_complaint_to_another_officer(
    client, sam_supervisor, pete_officer, olga_officer, complaint
):
    logged_in(client, olga_officer)
    assert client.get(url("reassign", complaint.code)).status_code == 403
    logged_in(client, sam_supervisor)
    page = page_of(client.get(url("reassign", complaint.code)))
    assert "Pete 投诉专员" in page
    response = client.post(url("reassign", complaint.code), {"to": pete_officer.pk, "reason": ""})
    assert response.status_code == 200 and "请填写改派原因。" in page_of(response)
    complaint.refresh_from_db()
    assert complaint.owner == olga_officer
    client.post(url("reassign", complaint.code), {"to": pete_officer.pk, "reason": "olga休假"})
    complaint.refresh_from_db()
    assert complaint.owner == pete_officer


# -- acceptance -----------------------------------------------------------------------------


def test_accepting_a_complaint(client, olga_officer, complaint):
    logged_in(client, olga_officer)
    response = client.post(url("accept", complaint.code), follow=True)
    complaint.refresh_from_db()
    assert complaint.state == S.ACCEPTED and complaint.investigation_due
    assert any("已受理" in m for m in messages_of(response))


def test_accepting_without_an_identified_respondent_is_refused_with_a_message(
    client, olga_officer, make_complaint
):
    complaint = make_complaint(respondent=None)
    logged_in(client, olga_officer)
    page = page_of(client.get(url("detail", complaint.code)))
    assert url("accept", complaint.code) not in page
    response = client.post(url("accept", complaint.code), follow=True)
    assert any("请先在中介名录中确定被投诉人" in m for m in messages_of(response))
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED


def test_linking_the_respondent_from_the_registry(
    client, olga_officer, make_complaint, intermediary
):
    complaint = make_complaint(respondent=None)
    logged_in(client, olga_officer)
    assert "速聘人力中介" in page_of(client.get(url("respondent", complaint.code)))
    client.post(url("respondent", complaint.code), {"respondent": intermediary.pk})
    complaint.refresh_from_db()
    assert complaint.respondent == intermediary


def test_an_organisation_that_is_no_intermediary_cannot_be_linked(
    client, olga_officer, make_complaint, hui_hiring
):
    complaint = make_complaint(respondent=None)
    employer = Organization.objects.get(kind=Organization.Kind.EMPLOYER)
    logged_in(client, olga_officer)
    response = client.post(url("respondent", complaint.code), {"respondent": employer.pk})
    assert response.status_code == 200 and "errorlist" in page_of(response)
    complaint.refresh_from_db()
    assert complaint.respondent is None


def test_registering_a_new_intermediary_checks_the_credit_code(
    client, olga_officer, sam_supervisor, make_complaint
):
    complaint = make_complaint(respondent=None)
    bad_code = SECOND_INTERMEDIARY_USCC[:-1] + ("C" if SECOND_INTERMEDIARY_USCC[-1] != "C" else "D")
    data = {
        "name": "黑心人力中介",
        "credit_code": bad_code,
        "licence_number": "无",
        "licence_status": "none",
        "address": "测试区东街5号",
    }
    logged_in(client, olga_officer)
    response = client.post(url("respondent_new", complaint.code), data)
    assert response.status_code == 200 and "errorlist" in page_of(response)
    response = client.post(
        url("respondent_new", complaint.code), {**data, "credit_code_override_reason": "早期代码"}
    )
    assert response.status_code == 200
    assert "未通过校验的统一社会信用代码仅可由主管准予登记" in page_of(response)
    assert not Organization.objects.filter(name="黑心人力中介").exists()
    client.post(
        url("respondent_new", complaint.code), {**data, "credit_code": SECOND_INTERMEDIARY_USCC}
    )
    org = Organization.objects.get(name="黑心人力中介")
    assert org.kind == Organization.Kind.INTERMEDIARY
    assert org.licence_status == Organization.LicenceStatus.NONE
    complaint.refresh_from_db()
    assert complaint.respondent == org


def test_not_accepting_as_not_competent_needs_the_competent_authority(
    client, olga_officer, complaint
):
    logged_in(client, olga_officer)
    response = client.post(url("not_accept", complaint.code), {"reason": "not_competent"})
    assert response.status_code == 200
    assert "请写明有权处理该投诉的机关" in page_of(response)
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED
    client.post(
        url("not_accept", complaint.code),
        {
            "reason": "not_competent",
            "authority": "测试区市场监督管理局",
            "explanation": "属于广告违法",
        },
    )
    complaint.refresh_from_db()
    assert complaint.state == S.NOT_ACCEPTED
    assert complaint.competent_authority == "测试区市场监督管理局"


# -- the one-time supplement notice ------------------------------------------------------------


def test_the_supplement_notice_pauses_the_clock_and_the_receipt_resumes_it(
    client, olga_officer, complaint
):
    logged_in(client, olga_officer)
    client.post(
        url("supplement_request", complaint.code),
        {"items": "押金收据\n\n  中介门店地址  \n聊天记录截图", "due": later()},
    )
    complaint.refresh_from_db()
    assert complaint.state == S.SUPPLEMENT_REQUESTED
    assert complaint.supplement_items == ["押金收据", "中介门店地址", "聊天记录截图"]
    page = page_of(client.get(url("detail", complaint.code)))
    assert f"期限暂停：剩余{complaint.acceptance_days_left()}个工作日" in page
    client.post(url("supplement_receive", complaint.code), {"note": "收到押金收据等三项"})
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED and complaint.supplement_note == "收到押金收据等三项"


def test_a_second_supplement_notice_is_not_offered_and_a_forged_post_is_refused(
    client, olga_officer, complaint
):
    logged_in(client, olga_officer)
    client.post(url("supplement_request", complaint.code), {"items": "押金收据", "due": later()})
    client.post(url("supplement_receive", complaint.code), {"note": "收到"})
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED
    page = page_of(client.get(url("detail", complaint.code)))
    assert url("supplement_request", complaint.code) not in page
    issued = timezone.localdate(complaint.supplement_requested_at).isoformat()
    assert f"一次性补正通知已于{issued}发出" in page
    forged = client.post(
        url("supplement_request", complaint.code), {"items": "身份证复印件", "due": later()}
    )
    assert forged.status_code == 200
    assert "不得再次发出补正通知" in page_of(forged) and "本投诉已于" in page_of(forged)
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED and complaint.supplement_items == ["押金收据"]
    notices = Document.objects.filter(kind="complaint_supplement_notice", subject_id=complaint.pk)
    assert notices.count() == 1


def test_a_supplement_notice_without_items_is_shown_again_with_a_chinese_error(
    client, olga_officer, complaint
):
    logged_in(client, olga_officer)
    response = client.post(url("supplement_request", complaint.code), {"items": " \n ", "due": ""})
    assert response.status_code == 200
    page = page_of(response)
    assert "请逐项列出需补正的全部材料" in page and "未保存任何内容" in page
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED and complaint.supplement_requested_at is None


# -- investigation ---------------------------------------------------------------------------


def test_an_interview_in_the_future_is_refused_and_a_valid_one_is_recorded(
    client, olga_officer, make_complaint
):
    complaint = make_complaint(S.INVESTIGATING)
    data = {
        "held_at": (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "调查室",
        "interviewee_role": Interview.Role.RESPONDENT,
        "interviewee_name": "钱经理",
        "interviewee_position": "负责人",
        "investigators": "olga、pete",
        "record": "问：是否收取押金？答：是。",
    }
    logged_in(client, olga_officer)
    response = client.post(url("interview", complaint.code), data)
    assert response.status_code == 200 and "调查笔录应在询问之后制作" in page_of(response)
    assert not complaint.interviews.exists()
    past = (timezone.localtime() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(url("interview", complaint.code), {**data, "held_at": past})
    assert complaint.interviews.get().interviewee_name == "钱经理"


def test_the_decision_is_offered_only_after_an_investigation_record(
    client, olga_officer, make_complaint
):
    complaint = make_complaint(S.INVESTIGATING)
    logged_in(client, olga_officer)
    page = page_of(client.get(url("detail", complaint.code)))
    assert url("decide", complaint.code) not in page
    interview(complaint, olga_officer)
    page = page_of(client.get(url("detail", complaint.code)))
    assert url("decide", complaint.code) in page


def test_the_penalty_guidance_shows_the_deposit_range_for_three_workers(
    client, olga_officer, make_complaint
):
    complaint = make_complaint(S.INVESTIGATING)
    interview(complaint, olga_officer)
    logged_in(client, olga_officer)
    page = page_of(client.get(url("decide", complaint.code)))
    assert "¥500–2,000 × 劳动者人数" in page
    assert "3名劳动者：¥1,500–6,000" in page
    assert "¥10,000–50,000" in page and "¥200以下" in page  # the whole table, without script
    assert "《就业促进法》第四十一条第四项、第六十六条" in page
    assert 'data-conduct="deposit"' in page and 'data-min="500"' in page


def test_an_out_of_range_fine_without_justification_is_refused_with_the_message(
    client, olga_officer, make_complaint
):
    complaint = make_complaint(S.INVESTIGATING)
    interview(complaint, olga_officer)
    row = {
        "conduct": Conduct.DEPOSIT,
        "measures": ["correct", "fine"],
        "workers_affected": "3",
        "amount": "10000",
    }
    fields = {
        "outcome": Outcome.PENALTY_PROPOSED,
        "findings": "经查，被投诉人向三名劳动者收取押金。",
        "measures": "退还押金并处罚款。",
    }
    logged_in(client, olga_officer)
    response = client.post(url("decide", complaint.code), decision_post([row], **fields))
    assert response.status_code == 200
    page = page_of(response)
    assert "拟处罚款超出法定幅度，请说明理由。" in page
    assert "3名劳动者：¥1,500–6,000" in page  # the guidance for what was posted
    complaint.refresh_from_db()
    assert complaint.state == S.INVESTIGATING and complaint.outcome == ""
    justified = {**row, "justification": "情节特别严重"}
    client.post(url("decide", complaint.code), decision_post([justified], **fields))
    complaint.refresh_from_db()
    assert complaint.state == S.DECIDED and complaint.penalty_amount == 10000


def test_a_decision_with_missing_parts_shows_the_errors_by_field(
    client, olga_officer, make_complaint
):
    complaint = make_complaint(S.INVESTIGATING)
    interview(complaint, olga_officer)
    logged_in(client, olga_officer)
    response = client.post(
        url("decide", complaint.code),
        decision_post([], outcome=Outcome.ORDER_TO_CORRECT, findings="查明事实"),
    )
    assert response.status_code == 200
    page = page_of(response)
    assert "请选择认定的违法行为。" in page and "请填写晚于今天的改正期限。" in page
    assert "未保存任何内容" in page
    complaint.refresh_from_db()
    assert complaint.state == S.INVESTIGATING


def test_from_investigation_to_closing_through_the_pages(client, olga_officer, make_complaint):
    complaint = make_complaint(S.ACCEPTED)
    logged_in(client, olga_officer)
    client.post(url("start_investigation", complaint.code))
    interview(Complaint.objects.get(pk=complaint.pk), olga_officer)
    client.post(
        url("decide", complaint.code),
        decision_post(
            [{"conduct": Conduct.DEPOSIT, "measures": ["correct"], "workers_affected": "3"}],
            outcome=Outcome.ORDER_TO_CORRECT,
            findings="经查，被投诉人收取押金900元。",
            measures="限期退还押金。",
            correction_due=later(),
        ),
    )
    response = client.post(url("hear", complaint.code), {"statement": "", "waived": ""})
    assert response.status_code == 200  # neither a statement nor "made none"
    client.post(url("hear", complaint.code), {"statement": "无异议。"})
    page = page_of(client.get(url("detail", complaint.code)))
    assert services.default_result(Complaint.objects.get(pk=complaint.pk)) in page  # prefilled
    client.post(url("close", complaint.code), {"result": "经调查，已责令其限期改正。"})
    complaint.refresh_from_db()
    assert complaint.state == S.CLOSED
    assert complaint.result_summary == "经调查，已责令其限期改正。"
    assert Sanction.objects.get(complaint=complaint).conduct == Conduct.DEPOSIT


def test_referring_a_complaint_to_labour_inspection(client, olga_officer, make_complaint):
    complaint = make_complaint(S.ACCEPTED)
    logged_in(client, olga_officer)
    response = client.post(url("refer", complaint.code), {"target": "labour_inspection"})
    assert response.status_code == 200 and "errorlist" in page_of(response)
    client.post(
        url("refer", complaint.code),
        {"target": "labour_inspection", "body": "测试区劳动保障监察大队", "reason": "涉及欠薪"},
    )
    complaint.refresh_from_db()
    assert complaint.state == S.AWAITING_FEEDBACK
    assert complaint.referral_body == "测试区劳动保障监察大队"


def test_a_step_in_the_wrong_state_is_refused_with_a_message(client, olga_officer, complaint):
    logged_in(client, olga_officer)
    response = client.post(url("close", complaint.code), {"result": "结案"}, follow=True)
    assert any("当前无法进行此步骤" in m for m in messages_of(response))
    complaint.refresh_from_db()
    assert complaint.state == S.RECEIVED


# -- the extension -----------------------------------------------------------------------------


def test_an_extension_requested_by_the_officer_is_decided_by_a_supervisor(
    client, olga_officer, sam_supervisor, make_complaint
):
    complaint = make_complaint(S.INVESTIGATING)
    due = complaint.investigation_due
    logged_in(client, olga_officer)
    client.post(url("extension_request", complaint.code), {"reason": "需要调取银行流水"})
    request = ExtensionRequest.objects.get(complaint=complaint)
    page = page_of(client.get(url("detail", complaint.code)))
    assert url("extension_request", complaint.code) not in page  # one pending at a time
    assert (
        client.post(url("extension_decide", complaint.code), {"decision": "approve"}).status_code
        == 403
    )
    logged_in(client, sam_supervisor)
    page = page_of(client.get(url("detail", complaint.code)))
    assert url("extension_decide", complaint.code) in page and "需要调取银行流水" in page
    response = client.post(url("extension_decide", complaint.code), {"decision": "refuse"})
    assert response.status_code == 200 and "请说明不批准延期的理由" in page_of(response)
    client.post(url("extension_decide", complaint.code), {"decision": "approve"})
    request.refresh_from_db()
    complaint.refresh_from_db()
    assert request.approved is True and request.decided_by == sam_supervisor
    assert complaint.extended and complaint.investigation_due > due


# -- intake at the counter -------------------------------------------------------------------


def intake(market, **overrides) -> dict:
    data = {
        "market": market.pk,
        "channel": Channel.COUNTER,
        "who": "named",
        "complainant_name": "赵大",
        "contact_mobile": "139 1234 5678",
        "categories": [Conduct.DEPOSIT],
        "deposit_amount": "600",
        "deposit_workers": "2",
        "conduct_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "facts": "中介收取两人各300元押金后失联。",
        "respondent_name_given": "快招中介",
        "respondent_details_given": "测试区西路8号",
        "submission": "token-1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_counter_complaint_is_held_by_the_officer_and_its_tracking_code_shown_once(
    client, olga_officer, market
):
    logged_in(client, olga_officer)
    assert client.get(url("new")).status_code == 200
    response = client.post(url("new"), {**intake(market), "evidence": [pdf()]})
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    code = re.search(r'id="tracking-code">([0-9A-Z-]+)<', page_of(response)).group(1)
    assert complaint.tracking_hash == tracking_hash(code)
    assert 'data-copy-target="tracking-code"' in page_of(response)  # the copy button
    assert complaint.owner == olga_officer and complaint.received_by == olga_officer
    assert complaint.channel == Channel.COUNTER and complaint.contact_mobile == "13912345678"
    assert complaint.complainant_name == "赵大" and complaint.deposit_workers == 2
    assert complaint.evidence.get().content_type == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    # Never again: not on the complaint page, and sending the form again files nothing.
    assert code not in page_of(client.get(url("detail", complaint.code)))
    again = client.post(url("new"), intake(market), follow=True)
    assert Complaint.objects.count() == 1 and code not in page_of(again)
    assert any(complaint.code in m for m in messages_of(again))


def test_a_phone_complaint_from_a_registered_person_found_by_id_number(
    client, olga_officer, market, wang_worker, intermediary
):
    logged_in(client, olga_officer)
    data = intake(
        market,
        channel=Channel.PHONE,
        who="person",
        complainant_id_number=WANG_ID.lower(),
        complainant_name="",
        contact_mobile="",
        respondent=intermediary.pk,
        respondent_name_given="",
    )
    assert client.post(url("new"), data).status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.complainant == wang_worker.person and not complaint.anonymous
    assert complaint.respondent == intermediary
    assert complaint.respondent_name_given == "速聘人力中介"
    assert complaint.channel == Channel.PHONE


def test_an_anonymous_counter_complaint_records_no_name(client, olga_officer, market):
    logged_in(client, olga_officer)
    response = client.post(url("new"), intake(market, who="anonymous"))
    assert response.status_code == 200 and not Complaint.objects.exists()
    assert "匿名投诉不记录姓名" in page_of(response)
    client.post(url("new"), intake(market, who="anonymous", complainant_name="", submission="t2"))
    complaint = Complaint.objects.get()
    assert complaint.anonymous and complaint.complainant_name == ""


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"categories": None}, "请至少选择一种违法行为"),
        ({"who": "person", "complainant_id_number": "110105194912310021"}, "errorlist"),
        ({"who": "person", "complainant_id_number": "11010519491231002X"}, "请先登记该人员"),
        ({"complainant_name": ""}, "请填写投诉人姓名"),
        ({"respondent_name_given": ""}, "请从名录中选择中介机构"),
        ({"deposit_workers": ""}, "errorlist"),
        ({"conduct_on": "2999-01-01"}, "errorlist"),
    ],
)
def test_a_counter_complaint_with_bad_input_is_shown_again_and_nothing_is_saved(
    client, olga_officer, market, overrides, expected
):
    logged_in(client, olga_officer)
    response = client.post(url("new"), intake(market, **overrides))
    assert response.status_code == 200
    page = page_of(response)
    assert expected in page and "未保存任何内容" in page
    assert not Complaint.objects.exists()


def test_an_evidence_file_that_is_not_what_its_name_says_is_refused(client, olga_officer, market):
    logged_in(client, olga_officer)
    fake = SimpleUploadedFile("收据.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(url("new"), {**intake(market), "evidence": [fake]})
    assert response.status_code == 200 and "errorlist" in page_of(response)
    assert not Complaint.objects.exists() and not ComplaintEvidence.objects.exists()


def test_the_supervisor_without_the_intake_permission_may_not_record_complaints(
    client, sam_supervisor
):
    logged_in(client, sam_supervisor)
    assert client.get(url("new")).status_code == 403


def test_the_nav_links_to_the_complaints_for_whoever_may_read_them(
    client, olga_officer, carol_caseworker
):
    logged_in(client, olga_officer)
    assert url("queue") in page_of(client.get(reverse("home")))
    logged_in(client, carol_caseworker)
    assert f'href="{url("queue")}"' not in page_of(client.get(reverse("home")))


def test_closing_says_truthfully_whether_the_complainant_is_told(
    client, olga_officer, make_complaint
):
    """An anonymous complainant who left no number is told nothing: the message says so."""
    logged_in(client, olga_officer)
    complaint = make_complaint(S.RESPONDENT_HEARD)
    assert not complaint.notice_mobile
    response = client.post(url("close", complaint.code), {"result": "结案"}, follow=True)
    assert messages_of(response) == [
        _("The complaint is closed. The complainant left no number, so nobody is told.")
    ]
