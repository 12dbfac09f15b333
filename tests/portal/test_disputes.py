"""Disputes in the portal: the parties' own cases, online filing and withdrawal."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from casework.disputes.models import Channel, Dispute, Evidence, Session
from casework.documents.models import Document
from casework.documents.services import document_issue
from casework.parties.models import Organization, Person
from tests.conftest import EMPLOYER_USCC, LI_ID, WANG_ID
from tests.documents.conftest import render_now

NEW_EMPLOYER_USCC = "91310115MA1K4C3W0N"
BAD_USCC = "91310115MA1K4C3W00"  # the check character is wrong
RESPONDENT_ID = "110105198001010032"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32

# The pages speak Chinese by default: compare with the message as the user sees it.
BAD_CODE = _(
    "This unified social credit code is not valid. Please copy it again from "
    "the business licence, or apply at the market's counter."
)
ABOVE_ZERO = _("Enter an amount of more than ¥0.")


def page_of(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def dispute_url(dispute: Dispute) -> str:
    return reverse("portal:dispute", args=[dispute.code])


def withdraw_url(dispute: Dispute) -> str:
    return reverse("portal:dispute_withdraw", args=[dispute.code])


# Who sees which dispute


def test_a_worker_sees_only_the_disputes_they_are_a_party_to(
    client, new_dispute, wang_worker, li_worker
):
    wangs = new_dispute()
    lis = new_dispute(applicants=[li_worker.person])

    _status, page = page_of(client, wang_worker, reverse("portal:home"))

    assert wangs.code in page
    assert dispute_url(wangs) in page
    assert lis.code not in page


def test_the_home_page_shows_the_respondent_and_the_deadline(client, new_dispute, wang_worker):
    dispute = new_dispute()

    _status, page = page_of(client, wang_worker, reverse("portal:home"))

    assert "测试搬家服务有限公司" in page
    assert f'datetime="{dispute.due_date:%Y-%m-%d}"' in page


def test_an_effective_agreement_shows_the_next_unpaid_instalment(client, new_dispute, wang_worker):
    dispute = new_dispute(Dispute.State.EFFECTIVE)
    first, second = dispute.settlement.instalments.all()

    _status, home = page_of(client, wang_worker, reverse("portal:home"))
    _status, page = page_of(client, wang_worker, dispute_url(dispute))

    assert f'datetime="{first.due_date:%Y-%m-%d}"' in home
    assert f'datetime="{first.due_date:%Y-%m-%d}"' in page
    assert str(second.due_date) in page
    assert "1500.00" in page


def test_a_closed_case_shows_no_deadline(client, new_dispute, wang_worker):
    dispute = new_dispute(Dispute.State.NOT_ACCEPTED)

    _status, home = page_of(client, wang_worker, reverse("portal:home"))

    assert dispute.code in home
    assert 'class="deadline' not in home


def test_the_respondents_handling_person_sees_the_dispute_against_their_company(
    client, new_dispute, hui_hiring
):
    dispute = new_dispute()

    _status, home = page_of(client, hui_hiring, reverse("portal:home"))
    status, page = page_of(client, hui_hiring, dispute_url(dispute))

    assert dispute.code in home
    assert status == 200
    assert "王小明" in page


def test_the_dispute_page_shows_no_id_numbers_or_the_other_sides_phone(
    client, new_dispute, hui_hiring
):
    dispute = new_dispute(Dispute.State.IN_MEDIATION)

    _status, page = page_of(client, hui_hiring, dispute_url(dispute))

    for secret in (WANG_ID, "110105********002X", "13800138000", "138****8000"):
        assert secret not in page


def test_the_dispute_page_shows_claims_body_and_sessions_but_not_the_notes(
    client, new_dispute, wang_worker, alice_mediator
):
    dispute = new_dispute(Dispute.State.IN_MEDIATION)
    Session.objects.create(
        dispute=dispute,
        held_at=timezone.now(),
        mode=Session.Mode.IN_PERSON,
        place="测试区调解室三号",
        attendees="王小明、惠老板",
        notes="被申请人承认欠薪，仅愿支付一半",
        recorded_by=alice_mediator,
    )

    status, page = page_of(client, wang_worker, dispute_url(dispute))

    assert status == 200
    for shown in (dispute.code, "测试搬家服务有限公司", "测试区劳动争议调解委员会", "3200.00"):
        assert shown in page
    assert f'datetime="{dispute.due_date:%Y-%m-%d}"' in page
    assert "测试区调解室三号" in page
    assert "仅愿支付一半" not in page


def test_another_worker_gets_404_on_the_dispute_page(client, new_dispute, li_worker):
    dispute = new_dispute()

    status, _page = page_of(client, li_worker, dispute_url(dispute))

    assert status == 404


def test_an_outsider_gets_404(client, new_dispute, oscar_outsider):
    dispute = new_dispute()
    client.force_login(oscar_outsider)

    assert client.get(dispute_url(dispute)).status_code == 404
    assert client.post(withdraw_url(dispute), {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("name", ["portal:home", "portal:dispute_new"])
def test_anonymous_users_are_sent_to_log_in(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_users_cannot_open_or_withdraw_a_dispute(client, new_dispute):
    dispute = new_dispute()

    for response in (client.get(dispute_url(dispute)), client.post(withdraw_url(dispute))):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert Dispute.objects.get().state == Dispute.State.RECEIVED


# Documents


@pytest.fixture
def documents(new_dispute, alice_mediator):
    """A ready document of the dispute and a pending one of its session."""
    dispute = new_dispute(Dispute.State.IN_MEDIATION)
    notice = render_now(document_issue(subject=dispute, kind="sample_acceptance_notice"))
    session = Session.objects.create(
        dispute=dispute,
        held_at=timezone.now(),
        mode=Session.Mode.ONLINE,
        place="线上会议室",
        attendees="王小明",
        notes="笔录",
        recorded_by=alice_mediator,
    )
    record = Document.objects.create(
        subject_type=ContentType.objects.get_for_model(Session),
        subject_id=session.pk,
        kind="portal_test_record",  # not registered: the page shows the stored title
        title="调解笔录（测试）",
    )
    return dispute, notice, record


def test_the_parties_see_the_documents_of_the_dispute_and_its_sessions(
    client, documents, wang_worker, hui_hiring
):
    dispute, notice, _record = documents

    for user in (wang_worker, hui_hiring):
        _status, page = page_of(client, user, dispute_url(dispute))
        assert "受理通知书（测试）" in page
        assert "调解笔录（测试）" in page
        assert reverse("documents:download", args=[notice.pk]) in page


def test_another_workers_documents_stay_hidden(client, documents, li_worker):
    _dispute, notice, _record = documents
    client.force_login(li_worker)

    for name in ("documents:detail", "documents:download"):
        response = client.get(reverse(name, args=[notice.pk]))
        assert response.status_code == 404


def test_a_party_downloads_the_documents_and_another_worker_gets_404(
    client, documents, wang_worker, li_worker
):
    _dispute, notice, _record = documents

    client.force_login(wang_worker)
    download = client.get(reverse("documents:download", args=[notice.pk]))
    client.force_login(li_worker)
    refused = [
        client.get(reverse(name, args=[notice.pk])).status_code
        for name in ("documents:detail", "documents:download")
    ]

    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert refused == [404, 404]


# Filing online


@pytest.fixture
def application(market, mediation_body):
    """The POST data of a valid online application against the test employer."""
    knew = timezone.localdate() - datetime.timedelta(days=20)
    data = {
        "market": market.pk,
        "mediation_body": mediation_body.pk,
        "respondent_kind": "organization",
        "org_credit_code": EMPLOYER_USCC,
        "org_name": "测试搬家服务有限公司",
        "person_name": "",
        "person_mobile": "",
        "person_id_number": "",
        "matter": "拖欠搬运工资",
        "reasons": "在仓库搬运12天，约定日薪300元，至今未付。",
        "knew_of_infringement_on": knew.isoformat(),
        "employment_ended_on": "",
        "claims-TOTAL_FORMS": "3",
        "claims-INITIAL_FORMS": "0",
        "claims-MIN_NUM_FORMS": "1",
        "claims-MAX_NUM_FORMS": "5",
    }
    for n in range(3):
        data.update(
            {
                f"claims-{n}-claim_type": "unpaid_wages",
                f"claims-{n}-amount": "",
                f"claims-{n}-period_start": "",
                f"claims-{n}-period_end": "",
                f"claims-{n}-description": "",
            }
        )
    data["claims-0-amount"] = "3600"
    data["claims-0-description"] = "12天×300元"
    return data


def file(client, user, data):
    client.force_login(user)
    return client.post(reverse("portal:dispute_new"), data, follow=True)


def test_the_filing_form_opens_for_a_worker(client, wang_worker, mediation_body):
    status, page = page_of(client, wang_worker, reverse("portal:dispute_new"))

    assert status == 200
    assert 'name="claims-TOTAL_FORMS"' in page
    assert 'enctype="multipart/form-data"' in page


def test_only_workers_file_online(client, hui_hiring, oscar_outsider):
    for user in (hui_hiring, oscar_outsider):
        status, _page = page_of(client, user, reverse("portal:dispute_new"))
        assert status == 403


def test_a_worker_files_a_dispute_online(client, wang_worker, hui_hiring, application):
    application["evidence"] = [SimpleUploadedFile("pay.png", PNG, content_type="image/png")]
    application["claims-1-claim_type"] = "damages"
    application["claims-1-amount"] = "500.50"

    response = file(client, wang_worker, application)

    dispute = Dispute.objects.get()
    assert response.redirect_chain == [(dispute_url(dispute), 302)]
    assert dispute.state == Dispute.State.RECEIVED
    assert dispute.channel == Channel.ONLINE
    assert list(dispute.applicants.all()) == [wang_worker.person]
    assert dispute.filed_by == wang_worker
    assert dispute.respondent_organization.name == "测试搬家服务有限公司"
    assert Organization.objects.filter(kind=Organization.Kind.EMPLOYER).count() == 1
    assert dispute.total_claimed == Decimal("4100.50")
    assert dispute.applicant_details == "王小明，110105********002X，13800138000"
    assert Evidence.objects.get().content_type == "image/png"
    assert dispute.code in response.content.decode()  # the message names the case
    _status, home = page_of(client, wang_worker, reverse("portal:home"))
    assert dispute.code in home
    _status, theirs = page_of(client, hui_hiring, reverse("portal:home"))
    assert dispute.code in theirs


def test_an_unknown_employer_is_registered_from_its_credit_code(client, wang_worker, application):
    application["org_credit_code"] = NEW_EMPLOYER_USCC.lower()
    application["org_name"] = "新开装修工程有限公司"

    file(client, wang_worker, application)

    org = Dispute.objects.get().respondent_organization
    assert (org.kind, org.name, org.credit_code) == (
        Organization.Kind.EMPLOYER,
        "新开装修工程有限公司",
        NEW_EMPLOYER_USCC,
    )


def test_a_worker_files_against_an_individual(client, wang_worker, application):
    application.update(
        respondent_kind="person",
        person_name="赵包工",
        person_mobile="139 0000 1111",
        person_id_number="110105 19800101 0032",
    )

    file(client, wang_worker, application)

    person = Dispute.objects.get().respondent_person
    assert (person.name, person.id_number, person.mobile) == (
        "赵包工",
        RESPONDENT_ID,
        "13900001111",
    )


def test_an_individual_already_registered_is_found_by_id_number(
    client, wang_worker, li_worker, application
):
    application.update(respondent_kind="person", person_name="李四", person_mobile="13900139000")
    application["person_id_number"] = LI_ID

    file(client, wang_worker, application)

    assert Dispute.objects.get().respondent_person == li_worker.person
    assert Person.objects.count() == 2


def test_an_id_number_registered_under_another_name_is_refused(
    client, wang_worker, li_worker, application
):
    application.update(respondent_kind="person", person_name="李五", person_mobile="13900139000")
    application["person_id_number"] = LI_ID

    response = file(client, wang_worker, application)

    assert_nothing_saved(response, "person_name")
    assert "李四" not in response.content.decode()


def test_a_worker_cannot_name_themselves_as_respondent(client, wang_worker, application):
    application.update(respondent_kind="person", person_name="王小明", person_mobile="13800138000")
    application["person_id_number"] = WANG_ID

    assert_nothing_saved(file(client, wang_worker, application), "person_id_number")


def assert_nothing_saved(response, *fields: str) -> None:
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert Dispute.objects.count() == 0
    assert Evidence.objects.count() == 0
    errors = response.context["form"].errors | {
        f"claims-{n}-{name}": e
        for n, form in enumerate(response.context["claims"].forms)
        for name, e in form.errors.items()
    }
    for field in fields:
        assert field in errors, errors
    assert 'class="errorlist' in response.content.decode()


def test_a_negative_amount_is_refused_and_nothing_is_saved(client, wang_worker, application):
    application["claims-0-amount"] = "-100"

    response = file(client, wang_worker, application)

    assert_nothing_saved(response, "claims-0-amount")
    assert escape(ABOVE_ZERO) in response.content.decode()


def test_an_amount_above_the_limit_is_refused(client, wang_worker, application, settings):
    application["claims-0-amount"] = str(settings.DISPUTE_MAX_CLAIM + 1)

    assert_nothing_saved(file(client, wang_worker, application), "claims-0-amount")


def test_a_claim_is_required(client, wang_worker, application):
    application["claims-0-amount"] = ""

    assert_nothing_saved(file(client, wang_worker, application), "claims-0-amount")


def test_a_bad_credit_code_is_refused_without_override(client, wang_worker, application):
    application["org_credit_code"] = BAD_USCC
    application["org_name"] = "某某公司"

    response = file(client, wang_worker, application)

    assert_nothing_saved(response, "org_credit_code")
    assert escape(BAD_CODE) in response.content.decode()
    assert not Organization.objects.filter(name="某某公司").exists()


def test_a_bad_respondent_id_number_is_refused(client, wang_worker, application):
    application.update(
        respondent_kind="person",
        person_name="赵包工",
        person_mobile="13900001111",
        person_id_number="110105198001010033",
    )

    assert_nothing_saved(file(client, wang_worker, application), "person_id_number")
    assert not Person.objects.filter(name="赵包工").exists()


def test_mislabelled_evidence_is_refused(client, wang_worker, application):
    application["evidence"] = [
        SimpleUploadedFile("payslip.pdf", PNG, content_type="application/pdf")
    ]

    assert_nothing_saved(file(client, wang_worker, application), "evidence")


def test_a_date_in_the_future_is_refused(client, wang_worker, application):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    application["knew_of_infringement_on"] = tomorrow.isoformat()

    assert_nothing_saved(file(client, wang_worker, application), "knew_of_infringement_on")


# Withdrawing


@pytest.mark.parametrize(
    "state",
    [
        Dispute.State.RECEIVED,
        Dispute.State.ACCEPTED,
        Dispute.State.IN_MEDIATION,
        Dispute.State.SETTLED,
    ],
)
def test_the_applicant_withdraws_an_open_application(client, new_dispute, wang_worker, state):
    dispute = new_dispute(state)
    client.force_login(wang_worker)

    page = client.get(dispute_url(dispute)).content.decode()
    response = client.post(withdraw_url(dispute), {"reason": "老板已经结清工资"})

    assert withdraw_url(dispute) in page
    assert response.url == dispute_url(dispute)
    dispute.refresh_from_db()
    assert dispute.state == Dispute.State.WITHDRAWN
    assert dispute.withdrawal_reason == "老板已经结清工资"
    event = dispute.events.last()
    assert (event.action, event.actor) == ("withdraw", wang_worker)


def test_a_withdrawal_needs_a_reason(client, new_dispute, wang_worker):
    dispute = new_dispute()
    client.force_login(wang_worker)

    response = client.post(withdraw_url(dispute), {"reason": "  "})

    assert response.status_code == 200
    assert "reason" in response.context["withdraw_form"].errors
    assert Dispute.objects.get().state == Dispute.State.RECEIVED


def test_the_respondents_handling_person_cannot_withdraw(client, new_dispute, hui_hiring):
    dispute = new_dispute()
    client.force_login(hui_hiring)

    page = client.get(dispute_url(dispute)).content.decode()
    response = client.post(withdraw_url(dispute), {"reason": "不想调解"})

    assert withdraw_url(dispute) not in page
    assert response.status_code == 403
    assert Dispute.objects.get().state == Dispute.State.RECEIVED


def test_an_effective_agreement_cannot_be_withdrawn(client, new_dispute, wang_worker):
    dispute = new_dispute(Dispute.State.EFFECTIVE)
    client.force_login(wang_worker)

    page = client.get(dispute_url(dispute)).content.decode()
    response = client.post(withdraw_url(dispute), {"reason": "不要了"})

    assert withdraw_url(dispute) not in page
    assert response.url == dispute_url(dispute)
    assert Dispute.objects.get().state == Dispute.State.EFFECTIVE


def test_withdrawing_needs_a_post(client, new_dispute, wang_worker):
    dispute = new_dispute()
    client.force_login(wang_worker)

    assert client.get(withdraw_url(dispute)).status_code == 405
