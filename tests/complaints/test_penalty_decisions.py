"""The labour administration's decision on a proposed penalty, and the public list of sanctions.

A complaint closed with a proposed penalty is the market's proposal: it never appears on
the public list. Once the officer holding it (or a supervisor of its market) records what
the labour administration decided, a fine or a warning is published, a fine with the
amount decided; no penalty publishes nothing. Checked on the rendered public page.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from casework.complaints import services
from casework.complaints.models import (
    Complaint,
    Outcome,
    Penalty,
    PenaltyDecision,
    Sanction,
    SanctionKind,
)
from casework.complaints.penalties import Conduct
from casework.core.audit import verify_chains
from casework.core.models import CaseEvent, SmsMessage
from casework.core.roles import Role
from tests.complaints.fixtures import INTERMEDIARY_USCC, actor
from tests.conftest import make_user

S = Complaint.State
SANCTIONED = reverse("complaints_public:sanctioned")
INTERMEDIARY = "速聘人力中介"

PROPOSAL = services.Decision(
    outcome=Outcome.PENALTY_PROPOSED,
    conduct_found=Conduct.DEPOSIT,
    workers_affected=3,
    findings="经查，被投诉人向三名劳动者每人收取押金300元。",
    measures="责令退还押金，并处罚款。",
    penalty_amount=Decimal("3000.00"),  # in the range for 3 workers: ¥1,500–6,000
)
AUTHORITY = "测试区人力资源和社会保障局"
NUMBER = "测人社罚决字〔2026〕第7号"


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def url(complaint: Complaint) -> str:
    return reverse("complaints:penalty_decision", args=[complaint.code])


def detail(complaint: Complaint) -> str:
    return reverse("complaints:detail", args=[complaint.code])


def form(**overrides) -> dict:
    data = {
        "authority": AUTHORITY,
        "document_number": NUMBER,
        "decided_on": timezone.localdate().isoformat(),
        "penalty": Penalty.FINE,
        "amount": "4500",
    }
    return {**data, **overrides}


def ruling(**overrides) -> services.Ruling:
    data = {
        "authority": AUTHORITY,
        "document_number": NUMBER,
        "decided_on": timezone.localdate(),
        "penalty": Penalty.FINE,
        "amount": Decimal("4500"),
    }
    return services.Ruling(**{**data, **overrides})


def fine_cells(page: str) -> list[str]:
    """The text of every cell of the 罚款 column, row by row."""
    return re.findall(r'<td class="num" data-label="罚款">([^<]*)</td>', page)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def proposed(make_complaint) -> Complaint:
    """Closed with a fine of ¥3,000 proposed, held by olga."""
    return make_complaint(S.CLOSED, decision=PROPOSAL)


@pytest.fixture
def olga(client, olga_officer):
    client.force_login(olga_officer)
    return client


# -- the public page ---------------------------------------------------------------------


def test_a_closed_proposal_does_not_appear_on_the_public_page(client, proposed):
    page = client.get(SANCTIONED).content.decode()

    assert INTERMEDIARY not in page and INTERMEDIARY_USCC not in page
    assert "3,000" not in page and "3000" not in page
    assert zh(Outcome.PENALTY_PROPOSED.label) not in page
    assert not Sanction.objects.exists()


def test_the_decided_fine_is_published_with_the_amount_decided(olga, client, proposed):
    response = olga.post(url(proposed), form(amount="4500"))
    assert response.status_code == 302 and response.url == detail(proposed)
    client.logout()

    page = client.get(SANCTIONED).content.decode()

    assert INTERMEDIARY in page and INTERMEDIARY_USCC in page
    assert fine_cells(page) == ["¥4,500.00"]  # decided, not the ¥3,000 proposed
    assert "3,000" not in page
    assert zh(SanctionKind.FINE.label) in page  # 行政处罚：罚款
    assert AUTHORITY in page and NUMBER in page
    assert f'datetime="{timezone.localdate():%Y-%m-%d}"' in page
    sanction = Sanction.objects.get(complaint=proposed)
    assert (sanction.outcome, sanction.amount) == (SanctionKind.FINE, Decimal("4500"))


def test_an_order_to_correct_shows_a_dash_in_the_fine_column(client, make_complaint):
    make_complaint(S.CLOSED)

    page = client.get(SANCTIONED).content.decode()

    assert fine_cells(page) == ["—"]
    assert zh(Outcome.ORDER_TO_CORRECT.label) in page


def test_a_warning_is_published_without_a_fine(olga, client, proposed):
    olga.post(url(proposed), form(penalty=Penalty.WARNING, amount=""))
    client.logout()

    page = client.get(SANCTIONED).content.decode()

    assert INTERMEDIARY in page and zh(SanctionKind.WARNING.label) in page
    assert fine_cells(page) == ["—"]
    assert Sanction.objects.get(complaint=proposed).amount is None


def test_no_penalty_publishes_nothing(olga, client, proposed):
    olga.post(url(proposed), form(penalty=Penalty.NONE, amount=""))
    client.logout()

    page = client.get(SANCTIONED).content.decode()

    assert PenaltyDecision.objects.get(complaint=proposed).penalty == Penalty.NONE
    assert not Sanction.objects.exists()
    assert INTERMEDIARY not in page


# -- the complaint page and the form -------------------------------------------------------


def test_the_complaint_page_offers_the_step_until_the_decision_is_recorded(olga, proposed):
    page = olga.get(detail(proposed)).content.decode()
    assert url(proposed) in page
    form_page = olga.get(url(proposed)).content.decode()
    assert "¥3,000" in form_page and "¥1,500–6,000" in form_page  # proposed, statutory range

    olga.post(url(proposed), form())

    page = olga.get(detail(proposed)).content.decode()
    assert url(proposed) not in page
    assert AUTHORITY in page and NUMBER in page and "4500" in page


def test_full_width_digits_are_read_as_the_amount(olga, proposed):
    olga.post(url(proposed), form(amount="４５００．５０"))
    assert PenaltyDecision.objects.get(complaint=proposed).amount == Decimal("4500.50")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount": ""}, "请填写决定的罚款金额，须大于0元。"),
        ({"amount": "0"}, "请填写决定的罚款金额，须大于0元。"),
        ({"penalty": Penalty.WARNING, "amount": "200"}, "只有罚款才有金额，请将金额留空。"),
        ({"authority": " "}, "请填写作出决定的机关。"),
    ],
)
def test_a_ruling_with_missing_or_wrong_parts_is_refused_in_chinese(olga, proposed, data, message):
    response = olga.post(url(proposed), form(**data))

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and "未保存任何内容" in page
    assert not PenaltyDecision.objects.exists() and not Sanction.objects.exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (datetime.date(1900, 1, 1), "日期不能早于"),
        (timezone.localdate() + datetime.timedelta(days=1), "该日期不能晚于今天。"),
        (timezone.localdate() - datetime.timedelta(days=1), "劳动保障行政部门应在投诉处理决定"),
    ],
    ids=["year-1900", "future", "before-the-proposal"],
)
def test_implausible_dates_give_a_chinese_error_and_save_nothing(olga, proposed, day, message):
    response = olga.post(url(proposed), form(decided_on=day.isoformat()))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PenaltyDecision.objects.exists() and not Sanction.objects.exists()


# -- once, in the right case, by the right people ------------------------------------------


def test_a_second_record_is_refused(olga, olga_officer, proposed):
    olga.post(url(proposed), form())

    again = olga.post(url(proposed), form(amount="9000"), follow=True)

    assert any("当前无法进行此步骤" in m for m in messages_of(again))
    with pytest.raises(ValidationError, match="already recorded"), translation.override("en"):
        services.penalty_decision_record(
            complaint=proposed, ruling=ruling(amount=Decimal("9000")), actor=actor(olga_officer)
        )
    assert PenaltyDecision.objects.get().amount == Decimal("4500")
    assert Sanction.objects.get().amount == Decimal("4500")


def test_the_same_post_sent_twice_records_once(olga, proposed):
    data = form(submission="penalty-decision-once")

    first = olga.post(url(proposed), data)
    second = olga.post(url(proposed), data)

    assert first.status_code == second.status_code == 302
    assert second.url == first.url == detail(proposed)
    assert PenaltyDecision.objects.count() == 1 and Sanction.objects.count() == 1
    events = CaseEvent.objects.filter(subject_id=proposed.pk, action="penalty_decision_recorded")
    assert events.count() == 1


@pytest.mark.parametrize("state", [S.INVESTIGATING, S.RESPONDENT_HEARD])
def test_an_open_complaint_is_refused(olga, olga_officer, make_complaint, state):
    decision = PROPOSAL if state == S.RESPONDENT_HEARD else None
    complaint = make_complaint(state, decision=decision)

    response = olga.post(url(complaint), form(), follow=True)

    assert any("当前无法进行此步骤" in m for m in messages_of(response))
    with pytest.raises(ValidationError), translation.override("en"):
        services.penalty_decision_record(
            complaint=complaint, ruling=ruling(), actor=actor(olga_officer)
        )
    assert not PenaltyDecision.objects.exists()


def test_a_complaint_closed_with_another_outcome_is_refused(olga, olga_officer, make_complaint):
    ordered = make_complaint(S.CLOSED)  # an order to correct, already published

    olga.post(url(ordered), form())
    with pytest.raises(ValidationError, match="proposed penalty"), translation.override("en"):
        services.penalty_decision_record(
            complaint=ordered, ruling=ruling(), actor=actor(olga_officer)
        )

    assert not PenaltyDecision.objects.exists()
    assert Sanction.objects.get(complaint=ordered).outcome == SanctionKind.ORDER_TO_CORRECT


def test_an_officer_of_another_market_gets_404(client, other_market, proposed):
    client.force_login(make_user("otto", Role.COMPLAINT_OFFICER, markets=[other_market]))

    assert client.get(url(proposed)).status_code == 404
    assert client.post(url(proposed), form()).status_code == 404
    assert not PenaltyDecision.objects.exists()


@pytest.mark.parametrize("persona", ["alice_mediator", "audrey_auditor", "pete_officer"])
def test_staff_without_the_right_get_403(client, request, market, proposed, persona):
    if persona == "pete_officer":  # a complaint officer of the market who does not hold it
        user = make_user("pete", Role.COMPLAINT_OFFICER, markets=[market])
    else:
        user = request.getfixturevalue(persona)
    client.force_login(user)

    assert client.get(url(proposed)).status_code == 403
    assert client.post(url(proposed), form()).status_code == 403
    with pytest.raises(PermissionDenied):
        services.penalty_decision_record(complaint=proposed, ruling=ruling(), actor=actor(user))
    assert not PenaltyDecision.objects.exists()


def test_a_supervisor_of_the_market_may_record_it(client, sam_supervisor, proposed):
    client.force_login(sam_supervisor)

    assert url(proposed) in client.get(detail(proposed)).content.decode()
    client.post(url(proposed), form())

    assert PenaltyDecision.objects.get(complaint=proposed).recorded_by == sam_supervisor


# -- the trail and the complainant ---------------------------------------------------------


def test_an_audit_event_is_written(olga, olga_officer, proposed):
    olga.post(url(proposed), form())

    event = CaseEvent.objects.filter(subject_id=proposed.pk).order_by("seq").last()
    assert event.action == "penalty_decision_recorded"
    assert event.actor == olga_officer and event.to_state == S.CLOSED
    assert AUTHORITY in event.note and NUMBER in event.note and "4,500.00" in event.note
    assert verify_chains()[1] == []


def test_the_complainant_is_told_what_was_decided(
    make_complaint, olga_officer, django_capture_on_commit_callbacks
):
    complaint = make_complaint(S.CLOSED, decision=PROPOSAL, contact_mobile="13712345678")

    with django_capture_on_commit_callbacks(execute=True):
        services.penalty_decision_record(
            complaint=complaint, ruling=ruling(), actor=actor(olga_officer)
        )

    message = SmsMessage.objects.get(purpose="complaint_penalty_decided")
    assert message.to == "13712345678"
    assert AUTHORITY in message.text and "罚款4,500.00元" in message.text
