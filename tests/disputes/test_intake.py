"""Filing a dispute at the counter: the written and the oral (Art. 12) intake forms.

Bad input gives the form back with the reason, in Chinese (the default
language), and saves nothing: no dispute, no claim, no evidence row or file.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from casework.core.models import CaseEvent
from casework.disputes.models import Channel, ClaimItem, Dispute, Evidence
from tests.conftest import HUI_ID, LI_ID, WANG_ID

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Monday after Sat 2025-09-20: an application received that Saturday is due on
# Thu 2025-10-09, day 15 falling in the National Day holiday (docs/domain.md, "Working days").
TODAY = datetime.datetime(2025, 9, 22, 10, 0, tzinfo=SHANGHAI)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _counter_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def claims_data(*claims: tuple[str, str], prefix: str = "claims", extra: int = 2) -> dict:
    """A claims formset as the browser posts it: the filled rows, then empty ones."""
    rows = len(claims) + extra
    data = {
        f"{prefix}-TOTAL_FORMS": str(rows),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i in range(rows):
        claim_type, amount = claims[i] if i < len(claims) else ("", "")
        data.update(
            {
                f"{prefix}-{i}-claim_type": claim_type,
                f"{prefix}-{i}-amount": amount,
                f"{prefix}-{i}-period_start": "",
                f"{prefix}-{i}-period_end": "",
                f"{prefix}-{i}-description": "",
            }
        )
    return data


def written_data(market, mediation_body, employer, **overrides) -> dict:
    data = {
        "market": market.pk,
        "mediation_body": mediation_body.pk,
        "applicants": WANG_ID,
        "respondent_organization": employer.pk,
        "respondent_person": "",
        "received_at": "2025-09-20T10:00",
        "matter": "拖欠搬运工资",
        "reasons": "2025年8月在仓库搬运12天，约定日薪300元，至今未付。",
        "knew_of_infringement_on": "2025-09-01",
        "employment_ended_on": "",
        **claims_data(("unpaid_wages", "3600.00")),
    }
    data.update(overrides)
    return data


def oral_data(market, mediation_body, employer, **overrides) -> dict:
    data = {
        "market": market.pk,
        "mediation_body": mediation_body.pk,
        "applicants": WANG_ID,
        "applicant_details": "王小明，男，1949年生，住测试区人民路2号，电话13800138000",
        "respondent_organization": employer.pk,
        "respondent_person": "",
        "received_at": "2025-09-22T09:30",
        "matter": "拖欠工资",
        "reasons": "干了12天活，老板说月底结，至今没给。",
        **claims_data(("unpaid_wages", "3600.00")),
    }
    data.update(overrides)
    return data


@pytest.fixture
def counter(client, alice_mediator):
    client.force_login(alice_mediator)
    return client


@pytest.fixture
def written(market, mediation_body, employer, wang_worker):
    return lambda **overrides: written_data(market, mediation_body, employer, **overrides)


@pytest.fixture
def oral(market, mediation_body, employer, wang_worker):
    return lambda **overrides: oral_data(market, mediation_body, employer, **overrides)


def assert_nothing_saved(settings) -> None:
    assert not Dispute.objects.exists()
    assert not ClaimItem.objects.exists()
    assert not Evidence.objects.exists()
    assert not CaseEvent.objects.exists()
    evidence_dir = settings.MEDIA_ROOT / "evidence"
    assert not evidence_dir.exists() or not any(evidence_dir.rglob("*.*"))


def refused(response) -> str:
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert "未保存任何内容" in page  # "Nothing has been saved: please correct ..."
    return page


# -- what a good application creates ----------------------------------------------------


def test_a_written_group_wage_claim_opens_a_received_dispute_with_priority_and_deadline(
    counter, written, li_worker
):
    response = counter.post(
        reverse("disputes:file"),
        written(
            applicants=f"{WANG_ID}\n{LI_ID}",
            **claims_data(("unpaid_wages", "3600.00"), ("damages", "400")),
        ),
    )
    dispute = Dispute.objects.get()
    assert response.url == reverse("disputes:detail", args=[dispute.code])
    assert dispute.state == Dispute.State.RECEIVED
    assert dispute.channel == Channel.WRITTEN
    assert {p.name for p in dispute.applicants.all()} == {"王小明", "李四"}
    assert [(c.claim_type, c.amount) for c in dispute.claims.all()] == [
        ("unpaid_wages", Decimal("3600.00")),
        ("damages", Decimal("400.00")),
    ]
    assert dispute.total_claimed == Decimal("4000.00")
    assert dispute.priority == 2  # wage arrears + a group of two
    assert dispute.mediation_due == datetime.date(2025, 10, 9)
    assert dispute.due_date == dispute.mediation_due
    assert dispute.knew_of_infringement_on == datetime.date(2025, 9, 1)
    assert dispute.filed_by.username == "alice"


def test_a_single_worker_with_another_claim_gets_no_priority(counter, written):
    counter.post(reverse("disputes:file"), written(**claims_data(("severance", "5000"))))
    assert Dispute.objects.get().priority == 0


def test_evidence_files_are_checked_and_stored_with_their_real_type(counter, written):
    files = [
        SimpleUploadedFile("工资条.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("聊天记录.png", PNG, content_type="image/png"),
    ]
    counter.post(reverse("disputes:file"), written(evidence=files))
    dispute = Dispute.objects.get()
    stored = list(dispute.evidence.all())
    assert [(e.original_name, e.content_type, e.size) for e in stored] == [
        ("工资条.pdf", "application/pdf", len(PDF)),
        ("聊天记录.png", "image/png", len(PNG)),
    ]
    assert stored[0].file.read() == PDF
    assert "工资条" not in stored[0].file.name  # no user-chosen names in storage paths


def test_an_individual_can_be_the_respondent(counter, written, hui_hiring):
    counter.post(
        reverse("disputes:file"), written(respondent_organization="", respondent_person=HUI_ID)
    )
    dispute = Dispute.objects.get()
    assert dispute.respondent_person == hui_hiring.person
    assert dispute.respondent_organization is None


def test_an_oral_application_records_the_four_items_of_article_12(counter, oral):
    response = counter.post(reverse("disputes:file_oral"), oral())
    dispute = Dispute.objects.get()
    assert response.url == reverse("disputes:detail", args=[dispute.code])
    assert dispute.channel == Channel.ORAL
    assert dispute.applicant_details.startswith("王小明，男")
    assert dispute.matter == "拖欠工资"
    assert dispute.reasons.startswith("干了12天活")
    assert dispute.received_at == datetime.datetime(2025, 9, 22, 9, 30, tzinfo=SHANGHAI)
    assert dispute.mediation_due == datetime.date(2025, 10, 9)  # day 15: Oct 7, a holiday
    assert dispute.claims.count() == 1


def test_the_intake_forms_show_the_time_of_receipt_as_now(counter, market, mediation_body):
    for name in ("disputes:file", "disputes:file_oral"):
        page = counter.get(reverse(name)).content.decode()
        assert 'value="2025-09-22T10:00"' in page
        assert reverse("parties:person_create") in page


# -- bad input saves nothing ---------------------------------------------------------


def test_a_negative_amount_is_refused_and_nothing_is_saved(counter, written, settings):
    page = refused(
        counter.post(reverse("disputes:file"), written(**claims_data(("unpaid_wages", "-300"))))
    )
    assert "请填写大于 0 元的金额。" in page
    assert_nothing_saved(settings)


def test_a_zero_amount_is_refused_and_nothing_is_saved(counter, written, settings):
    page = refused(
        counter.post(reverse("disputes:file"), written(**claims_data(("unpaid_wages", "0"))))
    )
    assert "请填写大于 0 元的金额。" in page
    assert_nothing_saved(settings)


def test_an_absurd_amount_is_refused_and_nothing_is_saved(counter, written, settings):
    settings.DISPUTE_MAX_CLAIM = 10_000_000
    page = refused(
        counter.post(reverse("disputes:file"), written(**claims_data(("unpaid_wages", "50000000"))))
    )
    assert "单项请求金额超过¥10,000,000，不合常理，请核对数字。" in page
    assert_nothing_saved(settings)


def test_an_application_without_any_claim_is_refused(counter, written, settings):
    page = refused(counter.post(reverse("disputes:file"), written(**claims_data())))
    assert "请至少列出一项请求。" in page
    assert_nothing_saved(settings)


def test_a_claim_period_that_ends_before_it_starts_is_refused(counter, written, settings):
    data = written()
    data.update({"claims-0-period_start": "2025-08-31", "claims-0-period_end": "2025-08-01"})
    page = refused(counter.post(reverse("disputes:file"), data))
    assert "期间的结束日期早于开始日期。" in page
    assert_nothing_saved(settings)


def test_a_time_of_receipt_in_the_future_is_refused(counter, written, settings):
    page = refused(counter.post(reverse("disputes:file"), written(received_at="2025-09-23T09:00")))
    assert "收件时间不能晚于现在。" in page
    assert_nothing_saved(settings)


def test_an_unregistered_applicant_is_refused_with_a_masked_number(counter, written, settings):
    page = refused(counter.post(reverse("disputes:file"), written(applicants=LI_ID)))
    assert "身份证号为 110105********1239 的人尚未登记：请先登记此人。" in page
    assert_nothing_saved(settings)


def test_a_dispute_needs_exactly_one_respondent(counter, written, settings, hui_hiring):
    both = refused(counter.post(reverse("disputes:file"), written(respondent_person=HUI_ID)))
    neither = refused(counter.post(reverse("disputes:file"), written(respondent_organization="")))
    for page in (both, neither):
        assert "请指定且只指定一个被申请人：单位或个人。" in page
    assert_nothing_saved(settings)


def test_a_market_outside_the_users_markets_cannot_be_chosen(
    counter, written, other_market, settings
):
    data = written()
    data["market"] = other_market.pk
    refused(counter.post(reverse("disputes:file"), data))
    assert_nothing_saved(settings)


def test_oversized_evidence_is_refused_and_nothing_is_saved(counter, written, settings):
    settings.DISPUTE_EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("合同.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    page = refused(counter.post(reverse("disputes:file"), written(evidence=[big])))
    assert "合同.pdf 过大" in page
    assert "上限为 1.0" in page  # 1.0 KB (the unit's spelling is Django's)
    assert_nothing_saved(settings)


def test_a_png_whose_bytes_are_a_pdf_is_refused_and_nothing_is_saved(counter, written, settings):
    fake = SimpleUploadedFile("照片.png", PDF, content_type="image/png")
    good = SimpleUploadedFile("工资条.pdf", PDF, content_type="application/pdf")
    page = refused(counter.post(reverse("disputes:file"), written(evidence=[good, fake])))
    assert "照片.png 实际上不是 PNG 文件：内容与文件名不符。" in page
    assert_nothing_saved(settings)


def test_text_named_pdf_is_refused_and_nothing_is_saved(counter, written, settings):
    fake = SimpleUploadedFile("欠条.pdf", "我欠王小明工资3600元".encode(), "application/pdf")
    page = refused(counter.post(reverse("disputes:file"), written(evidence=[fake])))
    assert "欠条.pdf 实际上不是 PDF 文件：内容与文件名不符。" in page
    assert_nothing_saved(settings)


def test_a_file_of_another_type_is_refused_and_nothing_is_saved(counter, written, settings):
    doc = SimpleUploadedFile("证明.docx", b"PK\x03\x04", content_type="application/msword")
    page = refused(counter.post(reverse("disputes:file"), written(evidence=[doc])))
    assert "证明.docx：只能附加 PDF、JPEG 和 PNG 文件。" in page
    assert_nothing_saved(settings)


# -- the oral form: each of the four items of Art. 12 is required -------------------


def test_an_oral_application_without_the_applicants_details_is_refused(counter, oral, settings):
    page = refused(counter.post(reverse("disputes:file_oral"), oral(applicant_details=" ")))
    assert "口头申请须记录申请人的基本情况。" in page
    assert_nothing_saved(settings)


def test_an_oral_application_without_the_applicant_is_refused(counter, oral, settings):
    page = refused(counter.post(reverse("disputes:file_oral"), oral(applicants="")))
    assert "争议至少要有一名申请人。" in page
    assert_nothing_saved(settings)


def test_an_oral_application_without_the_matter_in_dispute_is_refused(counter, oral, settings):
    page = refused(counter.post(reverse("disputes:file_oral"), oral(matter="")))
    assert "请记录争议事项。" in page
    assert_nothing_saved(settings)


def test_an_oral_application_without_the_reasons_is_refused(counter, oral, settings):
    page = refused(counter.post(reverse("disputes:file_oral"), oral(reasons="")))
    assert "请记录申请人陈述的理由。" in page
    assert_nothing_saved(settings)


def test_an_oral_application_without_the_time_is_refused(counter, oral, settings):
    page = refused(counter.post(reverse("disputes:file_oral"), oral(received_at="")))
    assert "请记录申请的时间。" in page
    assert_nothing_saved(settings)


# -- who may file ------------------------------------------------------------------------


def test_filing_needs_a_login(client):
    response = client.get(reverse("disputes:file"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", ["disputes:file", "disputes:file_oral"])
def test_workers_and_auditors_cannot_file_at_the_counter(client, wang_worker, audrey_auditor, url):
    for user in (wang_worker, audrey_auditor):
        client.force_login(user)
        assert client.get(reverse(url)).status_code == 403
