"""A document at every dispute step (casework/disputes/documents.py): the 申请登记回执 at
intake, the 撤回申请确认书, the 延长调解期限确认书 and the 结案通知书.

Each test drives the real step through its service, takes the document the step
issued, renders it as the Celery task does and reads the PDF's text with pdftotext.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from casework.core.audit import Actor
from casework.core.roles import Role
from casework.disputes import services
from casework.disputes.models import Channel, ClaimType, Dispute
from casework.documents.formatting import zh_date, zh_datetime
from casework.documents.models import Document
from casework.documents.registry import documents_for_transition, get_kind
from tests.conftest import WANG_ID
from tests.disputes.fixtures import actor
from tests.disputes.test_documents import assert_all_in, latest, rendered, text_of

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Friday 20 November 2026, 10:00 in China: three working days later is Wednesday the 25th.
FRIDAY = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
WANG_MASKED = "110105********002X"
ENDED_ON = datetime.date(2026, 10, 31)  # employment ended: the 1-year limitation applies

RECEIPT = "dispute_registration_receipt"
WITHDRAWAL = "dispute_withdrawal_confirmation"
EXTENSION = "dispute_extension_confirmation"
CLOSING = "dispute_closing_notice"


def step_event(dispute: Dispute, action: str):
    return dispute.events.filter(action=action).order_by("-seq").first()


def party(user) -> Actor:
    return Actor(user=user, role=Role.WORKER)


# -- registration -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "kind"),
    [("filed", RECEIPT), ("extended", EXTENSION), ("withdraw", WITHDRAWAL), ("close", CLOSING)],
)
def test_each_step_declares_its_document(step, kind):
    assert [k.slug for k in documents_for_transition(Dispute, step)] == [kind]


def test_the_step_documents_are_for_the_parties_and_not_sealed():
    kinds = [get_kind(slug) for slug in (RECEIPT, WITHDRAWAL, EXTENSION, CLOSING)]

    assert [(k.for_parties, k.seal, k.permission) for k in kinds] == [(True, False, "")] * 4


# -- 申请登记回执 -------------------------------------------------------------------------


def test_the_receipt_names_the_case_the_claims_the_deadlines_and_how_to_follow_it(
    new_dispute, tmp_path
):
    with time_machine.travel(FRIDAY, tick=False):
        dispute = new_dispute(
            claims=[
                services.Claim(ClaimType.UNPAID_WAGES, Decimal("3200.00")),
                services.Claim(ClaimType.DAMAGES, Decimal("800.50"), description="加班费"),
            ]
        )
        doc = rendered(dispute, RECEIPT)
    text = text_of(doc, tmp_path)

    assert doc.verification_code in step_event(dispute, "filed").documents
    assert dispute.mediation_due == datetime.date(2026, 12, 7)  # the 15th day is a Saturday
    assert_all_in(
        text,
        "申请登记回执",
        dispute.code,
        "2026年11月20日10时00分",
        "书面申请",
        "王小明",
        WANG_MASKED,
        "测试搬家服务有限公司",
        "拖欠搬运工资",
        "拖欠劳动报酬",
        "3,200.00",
        "赔偿金",
        "800.50",
        "加班费",
        "4,000.50",
        "测试区劳动争议调解委员会",
        "3个工作日内",
        "2026年11月25日前",
        "15日内，即2026年12月7日前",
        "第十四条",
        "受理通知书",
        "不予受理通知书",
        reverse("portal:dispute", args=[dispute.code]),
        "0000-12345678",
        "测试区零工市场",
        "特此回执",
        zh_date(datetime.date(2026, 11, 20)),
    )
    assert WANG_ID not in text


def test_the_acceptance_days_on_the_receipt_follow_the_setting(new_dispute, settings, tmp_path):
    settings.DISPUTE_ACCEPTANCE_WORKING_DAYS = 5
    with time_machine.travel(FRIDAY, tick=False):
        dispute = new_dispute()
        doc = rendered(dispute, RECEIPT)

    assert_all_in(text_of(doc, tmp_path), "5个工作日内", "2026年11月27日前")


def test_an_oral_application_gets_its_receipt(new_dispute):
    dispute = new_dispute(channel=Channel.ORAL)

    doc = latest(dispute, RECEIPT)

    assert doc.context["case"]["channel"] == "口头申请"
    assert doc.verification_code in step_event(dispute, "filed").documents


def test_an_online_application_from_a_gig_agreement_gets_its_receipt(
    market, mediation_body, employer, wang_worker, tmp_path
):
    dispute = services.dispute_file_online(
        applicant=wang_worker.person,
        respondent=employer,
        market=market,
        mediation_body=mediation_body,
        matter="拖欠零工报酬",
        reasons="协议约定的报酬未付。",
        claims=[services.Claim(ClaimType.UNPAID_WAGES, Decimal("600.00"))],
        actor=party(wang_worker),
        source_agreement_code="GA-2026-000042",
    )
    doc = rendered(dispute, RECEIPT)

    text = text_of(doc, tmp_path)

    assert doc.created_by == wang_worker
    assert_all_in(text, dispute.code, "网上申请", "GA-2026-000042", "600.00", "拖欠零工报酬")


def test_the_receipt_is_rendered_after_the_intake_commits(
    new_dispute, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dispute = new_dispute()

    doc = latest(dispute, RECEIPT)
    assert doc.status == Document.Status.READY
    assert step_event(dispute, "filed").documents == [doc.verification_code]


# -- 撤回申请确认书 -----------------------------------------------------------------------


def test_the_withdrawal_confirmation_gives_the_dates_the_reason_and_the_limitation(
    new_dispute, tmp_path
):
    with time_machine.travel(FRIDAY, tick=False):
        dispute = new_dispute(Dispute.State.ACCEPTED, employment_ended_on=ENDED_ON)
    with time_machine.travel(FRIDAY + datetime.timedelta(days=3), tick=False):
        services.dispute_withdraw(
            dispute=dispute, reason="双方已自行和解", actor=party(dispute.applicants.get().user)
        )
        dispute.refresh_from_db()
        doc = rendered(dispute, WITHDRAWAL)

    text = text_of(doc, tmp_path)

    limitation = dispute.limitation_date()
    assert limitation == datetime.date(2027, 11, 23)  # a year from the withdrawal
    assert doc.verification_code in step_event(dispute, "withdraw").documents
    assert_all_in(
        text,
        "撤回申请确认书",
        dispute.code,
        "王小明",
        WANG_MASKED,
        "测试搬家服务有限公司",
        "于2026年11月20日收到调解申请",
        "申请人于2026年11月23日撤回调解申请",
        "双方已自行和解",
        "调解终结",
        "劳动人事争议仲裁委员会申请仲裁",
        "申请仲裁的时效期间至" + zh_date(limitation) + "届满",
        "第二十七条",
        "测试区零工市场",
        "0000-12345678",
    )
    assert WANG_ID not in text


def test_a_withdrawal_while_employment_lasts_states_the_wage_rule(new_dispute, tmp_path):
    dispute = new_dispute(Dispute.State.WITHDRAWN)

    text = text_of(rendered(dispute, WITHDRAWAL), tmp_path)

    assert_all_in(text, "已私下和解", "不受一年仲裁时效期间的限制")


# -- 延长调解期限确认书 -------------------------------------------------------------------


def extend(dispute: Dispute, mediator, days: int, note: str):
    return services.extension_record(
        dispute=dispute,
        new_due=dispute.due_date + datetime.timedelta(days=days),
        applicant_agreed=True,
        respondent_agreed=True,
        note=note,
        actor=actor(mediator),
    )


def test_each_extension_is_confirmed_in_writing(new_dispute, alice_mediator, tmp_path):
    with time_machine.travel(FRIDAY, tick=False):
        dispute = new_dispute(Dispute.State.IN_MEDIATION)
    first_due = dispute.due_date
    with time_machine.travel(FRIDAY + datetime.timedelta(days=10), tick=False):
        extension = extend(dispute, alice_mediator, 10, "双方在调解室当面口头同意")
        dispute.refresh_from_db()
        first = rendered(dispute, EXTENSION)
    text = text_of(first, tmp_path)

    assert first.verification_code in step_event(dispute, "extended").documents
    assert_all_in(
        text,
        "延长调解期限确认书",
        dispute.code,
        "王小明",
        "测试搬家服务有限公司",
        "原调解期限" + zh_date(first_due),
        "延长后的调解期限" + zh_date(extension.new_due),
        "申请人同意延长；被申请人同意延长",
        "双方在调解室当面口头同意",
        zh_datetime(extension.recorded_at),
        "2026年11月30日10时00分",
        "Alice调解员",
        "未经双方当事人一致同意的，自本调解组织收到调解申请之日起15日内未达成调解协议，视为调解不成",
        "第十四条",
        # the parties sign to confirm (pdf/disputes/_party_signatures.html)
        "当事人确认",
        "申请人王小明签名",
        "被申请人测试搬家服务有限公司签名或盖章",
    )

    extend(dispute, alice_mediator, 5, "被申请人电话同意，申请人书面同意")
    second = rendered(dispute, EXTENSION)
    second_text = text_of(second, tmp_path)

    assert (first.version, second.version) == (1, 2)
    assert second.context["seq"] == 2
    assert_all_in(
        second_text,
        "第2次延长",
        "原调解期限" + zh_date(extension.new_due),
        "被申请人电话同意，申请人书面同意",
    )


def test_an_extension_without_both_parties_issues_nothing(new_dispute, alice_mediator):
    dispute = new_dispute(Dispute.State.IN_MEDIATION)

    with translation.override("en"), pytest.raises(ValidationError, match="both parties"):
        services.extension_record(
            dispute=dispute,
            new_due=dispute.due_date + datetime.timedelta(days=5),
            applicant_agreed=True,
            respondent_agreed=False,
            note="",
            actor=actor(alice_mediator),
        )
    assert latest(dispute, EXTENSION) is None


# -- 结案通知书 --------------------------------------------------------------------------


def test_the_closing_notice_of_a_performed_agreement_lists_what_was_paid(new_dispute, tmp_path):
    with time_machine.travel(FRIDAY, tick=False):
        dispute = new_dispute(Dispute.State.CLOSED)
        doc = rendered(dispute, CLOSING)

    text = text_of(doc, tmp_path)

    assert doc.verification_code in step_event(dispute, "close").documents
    assert doc.context["ending"] == "performed"
    assert_all_in(
        text,
        "结案通知书",
        dispute.code,
        "王小明",
        WANG_MASKED,
        "测试搬家服务有限公司",
        "调解协议已履行完毕",
        "共支付3,000.00元（大写：叁仟元整）",
        "1,500.00",
        "最后一笔款项于2026年11月20日支付",
        "本案于2026年11月20日结案",
        "受理日期2026年11月20日",
        "测试区零工市场",
    )
    assert "支付令" not in text and WANG_ID not in text


def test_the_closing_notice_after_a_payment_order_referral_says_where_to_go(
    new_dispute, alice_mediator, tmp_path
):
    dispute = new_dispute(Dispute.State.REFERRED)
    referred_on = step_event(dispute, "refer_payment_order").at
    services.dispute_close(dispute=dispute, actor=actor(alice_mediator))
    doc = rendered(dispute, CLOSING)

    text = text_of(doc, tmp_path)

    agreement = latest(dispute, "dispute_agreement").verification_code
    assert_all_in(
        text,
        "调解协议未履行，转申请支付令",
        "转出日期" + zh_date(referred_on.astimezone(SHANGHAI).date()),
        "尚欠3,000.00元",
        "叁仟元整",
        "基层人民法院",
        "第十六条",
        "-".join(agreement[i : i + 4] for i in range(0, 16, 4)),
    )


def test_the_closing_notice_after_an_arbitration_referral_gives_the_limitation(
    new_dispute, alice_mediator, tmp_path
):
    dispute = new_dispute(Dispute.State.DEFAULTED, employment_ended_on=ENDED_ON)
    me = actor(alice_mediator)
    services.dispute_refer(dispute=dispute, referral="arbitration", actor=me)
    services.dispute_close(dispute=dispute, actor=me)
    dispute.refresh_from_db()
    doc = rendered(dispute, CLOSING)

    text = text_of(doc, tmp_path)

    limitation = dispute.limitation_date()
    assert limitation is not None
    assert_all_in(
        text,
        "转申请劳动争议仲裁",
        "劳动人事争议仲裁委员会申请仲裁",
        "第十五条",
        "申请仲裁的时效期间至" + zh_date(limitation) + "届满",
        "尚欠3,000.00元",
    )
    assert "支付令" not in text


# -- who may download them ----------------------------------------------------------------


def download(client, user, doc: Document) -> int:
    client.force_login(user)
    return client.get(reverse("documents:download", args=[doc.pk])).status_code


def test_the_parties_download_the_step_documents_and_nobody_else(
    client, new_dispute, alice_mediator, wang_worker, hui_hiring, li_worker, oscar_outsider
):
    dispute = new_dispute(Dispute.State.IN_MEDIATION)
    extend(dispute, alice_mediator, 7, "双方书面同意")
    closed = new_dispute(Dispute.State.CLOSED)
    withdrawn = new_dispute(Dispute.State.WITHDRAWN)
    docs = [
        rendered(dispute, RECEIPT),
        rendered(dispute, EXTENSION),
        rendered(withdrawn, WITHDRAWAL),
        rendered(closed, CLOSING),
    ]

    assert [download(client, wang_worker, d) for d in docs] == [200] * 4
    assert [download(client, hui_hiring, d) for d in docs] == [200] * 4  # the respondent's
    assert [download(client, alice_mediator, d) for d in docs] == [200] * 4
    assert [download(client, li_worker, d) for d in docs] == [404] * 4
    assert [download(client, oscar_outsider, d) for d in docs] == [404] * 4


def test_the_portal_case_page_lists_the_receipt(client, new_dispute, wang_worker):
    dispute = new_dispute()
    doc = rendered(dispute, RECEIPT)
    client.force_login(wang_worker)

    page = client.get(reverse("portal:dispute", args=[dispute.code]))

    assert page.status_code == 200
    assert reverse("documents:download", args=[doc.pk]) in page.content.decode()
