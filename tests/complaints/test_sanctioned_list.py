"""The public list of sanctioned intermediaries: the intermediary and the decision, nobody else."""

from django.urls import reverse

from casework.complaints.models import Channel, Complaint, Outcome, Sanction
from casework.complaints.penalties import Conduct
from casework.complaints.views import public
from tests.complaints.fixtures import INTERMEDIARY_USCC, SECOND_INTERMEDIARY_USCC, make_intermediary
from tests.conftest import WANG_ID

S = Complaint.State
SANCTIONED = reverse("complaints_public:sanctioned")


def test_anyone_can_see_the_list_without_logging_in(client, db):
    response = client.get(SANCTIONED)

    assert response.status_code == 200
    assert "login" not in response.get("Location", "")


def test_a_sanction_shows_the_intermediary_its_credit_code_and_the_decision(
    client, make_complaint, market
):
    complaint = make_complaint(S.CLOSED)
    sanction = Sanction.objects.get(complaint=complaint)

    page = client.get(SANCTIONED).content.decode()

    assert "速聘人力中介" in page
    assert INTERMEDIARY_USCC in page
    assert str(Conduct.DEPOSIT.label) in page
    assert str(Outcome.ORDER_TO_CORRECT.label) in page
    assert sanction.measures in page
    assert f'datetime="{sanction.decided_on:%Y-%m-%d}"' in page
    assert market.name in page


def test_a_sanction_from_a_named_complaint_shows_nothing_about_the_complainant(
    client, make_complaint, wang_worker
):
    registered = make_complaint(
        S.CLOSED, anonymous=False, channel=Channel.PORTAL, complainant=wang_worker.person
    )
    named = make_complaint(
        S.CLOSED,
        anonymous=False,
        complainant_name="赵六",
        contact_mobile="13712345678",
        facts="赵六于人民路被收取押金三百元，身份证被扣押。",
    )
    assert Sanction.objects.filter(complaint__in=[registered, named]).count() == 2

    page = client.get(SANCTIONED).content.decode()

    assert page.count(INTERMEDIARY_USCC) == 2
    assert "速聘人力中介" in page
    personal = [
        "王小明",
        "王*",
        WANG_ID,
        "110105********002X",
        "13800138000",
        "138****8000",
        "赵六",
        "赵*",
        "13712345678",
        "137****5678",
        named.facts,
        registered.facts,
        "人民路被收取押金",
        registered.tracking_code,
        named.tracking_code,
        registered.code,
        named.code,
        "钱经理",  # questioned in the investigation record
    ]
    for value in personal:
        assert value not in page, value


def test_complaints_without_a_sanction_are_not_listed(client, make_complaint, intermediary):
    make_complaint(S.INVESTIGATING)

    page = client.get(SANCTIONED).content.decode()

    assert INTERMEDIARY_USCC not in page


def test_the_list_is_paginated(client, make_complaint, monkeypatch):
    monkeypatch.setattr(public, "SANCTIONS_PER_PAGE", 2)
    other = make_intermediary(name="黑心劳务中介", credit_code=SECOND_INTERMEDIARY_USCC)
    make_complaint(S.CLOSED)
    make_complaint(S.CLOSED, respondent=other)
    make_complaint(S.CLOSED, respondent=other)

    first = client.get(SANCTIONED).content.decode()
    second = client.get(SANCTIONED, {"page": 2}).content.decode()

    assert first.count("<tr>") - 1 == 2  # the header row and two sanctions
    assert second.count("<tr>") - 1 == 1
    assert "?page=2" in first


def test_the_officers_own_words_in_the_decision_are_not_published(client, make_complaint):
    # The measures ordered may name the workers concerned; the public list shows the
    # statutory correction for the conduct found instead.
    from casework.complaints import services
    from casework.complaints.penalties import rule_for
    from tests.complaints.fixtures import ORDER

    decision = services.Decision(
        **{**ORDER.__dict__, "measures": "限期退还马小军等三名劳动者押金。"}
    )
    complaint = make_complaint(S.CLOSED, decision=decision)

    page = client.get(SANCTIONED).content.decode()

    assert "马小军" not in page
    rule = rule_for(Conduct.DEPOSIT)
    assert Sanction.objects.get(complaint=complaint).measures == rule.correction
    # An order to correct imposes no fine: the statutory fine is not shown as if it did.
    assert rule.correction in page and rule.measures not in page and "罚款" not in rule.correction
