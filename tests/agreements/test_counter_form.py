"""The counter quick form (即时快招): one screen, one transaction, nothing saved on bad input."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, Party, StandardTerms
from agreements.presets import PRESETS
from casework.core.models import CaseEvent
from casework.parties.models import Organization, Person, RealNameCheck
from tests.conftest import EMPLOYER_USCC, LI_ID, WANG_ID

URL = reverse("agreements:new")
NEW_WORKER_ID = "110101199003074477"
NEW_SIGNER_ID = "110101198501010017"
NEW_HIRER_ID = "110101197001010016"
NEW_USCC = "91110105MA01ABCD13"
BAD_USCC = "91350100M000100Y44"  # the example code with a wrong check character


def days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def particulars(**changes) -> dict:
    values = {
        "trade": "moving",
        "job_description": "搬运家具",
        "work_place": "测试区幸福小区5栋",
        "start_date": days(1),
        "end_date": days(1),
        "work_hours": "8:00-17:00",
        "rest": "",
        "pay_rate": "280",
        "pay_unit": "day",
        "pay_total": "",
        "payment_method": "mobile",
        "payment_date": days(1),
        "safety": "提供手套和护腰带",
        "injury_cover": "accident",
        "insurance_details": "",
        "special_terms": "",
    }
    values.update(changes)
    return values


def inline_parties(**changes) -> dict:
    """A new worker and a new organisation with a new handling person, all typed in."""
    values = {
        "hiring_kind": "organization",
        "worker-name": "赵六",
        "worker-id_number": NEW_WORKER_ID,
        "worker-mobile": "13600136000",
        "org-name": "测试区好帮手家政有限公司",
        "org-credit_code": NEW_USCC,
        "signer-name": "钱经理",
        "signer-id_number": NEW_SIGNER_ID,
        "signer-mobile": "13500135000",
        "send_now": "on",
    }
    values.update(changes)
    return values


def post(client, user, market, data: dict):
    client.force_login(user)
    return client.post(URL, {"market": market.pk, **data})


def counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        Organization.objects.count(),
        Agreement.objects.count(),
        CaseEvent.objects.count(),
        RealNameCheck.objects.count(),
    )


# -- the happy path -----------------------------------------------------------------------


def test_both_parties_registered_inline_make_an_agreement_sent_for_signing(
    client, carol_caseworker, market
):
    data = {**inline_parties(worker_checked="on", hiring_checked="on"), **particulars()}
    response = post(client, carol_caseworker, market, data)
    assert response.status_code == 302, response.content.decode()
    agreement = Agreement.objects.get()
    assert response.url == reverse("agreements:detail", args=[agreement.code])
    assert agreement.state == Agreement.State.SENT
    assert len(agreement.text_hash) == 64 and agreement.text_hash == agreement.compute_hash()
    assert agreement.sign_deadline is not None
    assert agreement.worker.id_number == NEW_WORKER_ID
    org = agreement.hiring_organization
    assert org.name == "测试区好帮手家政有限公司" and org.kind == Organization.Kind.EMPLOYER
    assert agreement.hiring_signer.id_number == NEW_SIGNER_ID
    assert org.representatives.filter(pk=agreement.hiring_signer.pk).exists()
    assert agreement.owner == carol_caseworker and agreement.market == market
    # The checks ticked on the form count for 双实名: both sides may sign at once.
    assert services.party_status(agreement, Party.WORKER).verified
    assert services.party_status(agreement, Party.HIRING).verified
    assert [e.action for e in agreement.events] == ["created", "send_for_signing"]
    page = client.get(response.url).content.decode()
    assert "协议" in page and agreement.code in page


def test_registered_parties_are_picked_by_id_number_and_credit_code(
    client, carol_caseworker, market, wang_worker, hui_hiring
):
    data = {
        "hiring_kind": "organization",
        "worker": WANG_ID,
        "organization": EMPLOYER_USCC,
        "send_now": "on",
        # no handling person named: the organisation's only one signs
        **particulars(),
    }
    response = post(client, carol_caseworker, market, data)
    assert response.status_code == 302, response.content.decode()
    agreement = Agreement.objects.get()
    assert agreement.worker == wang_worker.person
    assert agreement.hiring_signer == hui_hiring.person
    assert agreement.state == Agreement.State.SENT


def test_an_individual_hiring_party_by_name_and_a_draft_kept_unsent(
    client, carol_caseworker, market, wang_worker, li_worker
):
    data = {"hiring_kind": "person", "worker": "王小明", "hiring_person": LI_ID, **particulars()}
    response = post(client, carol_caseworker, market, data)  # send_now left unticked
    assert response.status_code == 302, response.content.decode()
    agreement = Agreement.objects.get()
    assert agreement.hiring_person == li_worker.person and agreement.hiring_organization is None
    assert agreement.state == Agreement.State.DRAFT and agreement.text_hash == ""


def test_the_form_page_offers_the_trade_presets(client, carol_caseworker, market):
    client.force_login(carol_caseworker)
    page = client.get(URL).content.decode()
    assert "窗口即时快招" in page
    data = re.search(r'<script id="trade-presets" type="application/json">(.*?)</script>', page)
    assert json.loads(data.group(1))["moving"]["safety"] == PRESETS["moving"].safety


def test_applying_a_preset_without_script_fills_the_blanks_and_saves_nothing(
    client, carol_caseworker, market
):
    before = counts()
    data = {
        "trade": "renovation",
        "work_place": "某小区",
        "job_description": "拆除旧橱柜",
        "apply_preset": "1",
    }
    response = post(client, carol_caseworker, market, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert PRESETS["renovation"].safety in page  # filled
    assert "拆除旧橱柜" in page  # what the clerk typed is kept
    assert PRESETS["renovation"].job_description not in page
    assert "errorlist" not in page  # not a submission: no errors shown
    assert counts() == before


# -- bad input: a Chinese message and nothing saved -----------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pay_rate": "0"}, "请填写大于0元的报酬标准"),
        ({"pay_rate": "-50"}, "请填写大于0元的报酬标准"),
        ({"end_date": days(0), "start_date": days(2), "payment_date": days(3)}, "日期不能早于"),
        ({"payment_date": days(0), "start_date": days(2), "end_date": days(3)}, "支付日期不能早于"),
    ],
    ids=["pay-zero", "pay-negative", "end-before-start", "payment-before-start"],
)
def test_bad_particulars_are_refused_in_chinese_and_nothing_is_saved(
    client, carol_caseworker, market, changes, message
):
    before = counts()
    data = {**inline_parties(), **particulars(**changes)}
    response = post(client, carol_caseworker, market, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "未保存任何内容" in page
    assert message in page
    assert counts() == before


def test_an_id_number_with_a_wrong_check_digit_is_refused(client, carol_caseworker, market):
    before = counts()
    data = {**inline_parties(**{"worker-id_number": "110101199003074478"}), **particulars()}
    response = post(client, carol_caseworker, market, data)
    assert response.status_code == 200
    assert "身份证号码校验位不正确" in response.content.decode()
    assert counts() == before


def test_a_credit_code_failing_the_check_is_refused_without_an_override(
    client, carol_caseworker, market
):
    before = counts()
    data = {**inline_parties(**{"org-credit_code": BAD_USCC}), **particulars()}
    response = post(client, carol_caseworker, market, data)
    assert response.status_code == 200
    assert "统一社会信用代码校验码不正确" in response.content.decode()
    assert counts() == before


def test_a_caseworker_cannot_override_a_failing_credit_code(client, carol_caseworker, market):
    before = counts()
    data = {
        **inline_parties(
            **{"org-credit_code": BAD_USCC, "org-credit_code_override_reason": "早期代码"}
        ),
        **particulars(),
    }
    response = post(client, carol_caseworker, market, data)
    assert response.status_code == 200
    assert "仅可由主管准予登记" in response.content.decode()
    assert counts() == before


def test_a_supervisor_may_accept_a_failing_credit_code_with_a_reason(
    client, sam_supervisor, market
):
    data = {
        **inline_parties(
            **{"org-credit_code": BAD_USCC, "org-credit_code_override_reason": "早期颁发的真实代码"}
        ),
        **particulars(),
    }
    response = post(client, sam_supervisor, market, data)
    assert response.status_code == 302, response.content.decode()
    org = Agreement.objects.get().hiring_organization
    assert org.credit_code == BAD_USCC
    assert org.credit_code_override_by == sam_supervisor


def test_a_missing_worker_and_hiring_party_are_named_and_nothing_is_saved(
    client, carol_caseworker, market
):
    before = counts()
    response = post(
        client, carol_caseworker, market, {"hiring_kind": "organization", **particulars()}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "请选择零工" in page
    assert "请选择用工单位" in page
    assert counts() == before


def test_an_unknown_registered_worker_is_named(client, carol_caseworker, market, hui_hiring):
    data = {"hiring_kind": "organization", "worker": LI_ID, "organization": EMPLOYER_USCC}
    response = post(client, carol_caseworker, market, {**data, **particulars()})
    assert response.status_code == 200
    assert "110105********1239" in response.content.decode()
    assert not Agreement.objects.exists()


def test_the_same_id_number_for_two_new_people_is_refused(client, carol_caseworker, market):
    before = counts()
    data = {**inline_parties(**{"signer-id_number": NEW_WORKER_ID}), **particulars()}
    response = post(client, carol_caseworker, market, data)
    assert response.status_code == 200
    assert counts() == before


def test_a_refusal_by_the_service_rolls_back_the_people_registered_inline(
    client, carol_caseworker, market
):
    StandardTerms.objects.update(is_active=False)  # the service refuses: no active terms
    before = counts()
    response = post(client, carol_caseworker, market, {**inline_parties(), **particulars()})
    assert response.status_code == 200
    assert "未保存任何内容" in response.content.decode()
    assert counts() == before


def test_only_staff_who_make_agreements_may_open_the_form(
    client, audrey_auditor, alice_mediator, wang_worker
):
    assert client.get(URL).status_code == 302  # anonymous: to the login page
    for user in (audrey_auditor, alice_mediator, wang_worker):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, particulars()).status_code == 403
    assert not Agreement.objects.exists()


def test_a_market_outside_the_users_markets_cannot_be_chosen(
    client, carol_caseworker, market, other_market
):
    data = {**inline_parties(), **particulars(), "market": other_market.pk}
    client.force_login(carol_caseworker)
    response = client.post(URL, data)
    assert response.status_code == 200
    assert not Agreement.objects.exists()


def test_a_new_individual_hiring_party_checked_at_the_counter_may_sign_at_once(
    client, carol_caseworker, market, wang_worker
):
    data = {
        "hiring_kind": "person",
        "worker": WANG_ID,
        "hirer-name": "孙女士",
        "hirer-id_number": NEW_HIRER_ID,
        "hirer-mobile": "13300133000",
        "worker_checked": "on",
        "hiring_checked": "on",
        "send_now": "on",
        # Typed into the organisation section before switching to an individual: ignored.
        "org-name": "写了一半的单位",
        **particulars(trade="housekeeping", pay_unit="hour", pay_rate="45.50"),
    }
    response = post(client, carol_caseworker, market, data)
    assert response.status_code == 302, response.content.decode()
    agreement = Agreement.objects.get()
    assert agreement.hiring_person.id_number == NEW_HIRER_ID
    assert not Organization.objects.filter(name="写了一半的单位").exists()
    for party in (Party.WORKER, Party.HIRING):
        assert services.party_status(agreement, party).verified
    assert str(agreement.pay_rate) == "45.50"
