"""The arbitration hand-off (casework/disputes/arbitration.py): the hand-off and its packet,
the committee's acceptance and result, the 45 (60) days, the list awaiting an outcome and
仲裁结案率 on the statistics page."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from casework.core.models import HolidayOverride, Market
from casework.disputes import arbitration, services
from casework.disputes.arbitration_documents import PACKET_KIND
from casework.disputes.models import ArbitrationCommittee, ArbitrationHandoff, Dispute
from casework.documents.models import Document
from casework.documents.registry import get_kind
from casework.reports import periods
from casework.reports.registry import get_report
from tests.conftest import EMPLOYER_USCC, WANG_ID
from tests.disputes.fixtures import actor
from tests.documents.conftest import pdftotext, render_now, squeeze

S = Dispute.State
R = ArbitrationHandoff.Result
PDF = b"%PDF-1.4\n%%EOF\n"
TZ = "+08:00"


def at(day: str, time: str = "10:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}{TZ}")


@pytest.fixture
def committee(market) -> ArbitrationCommittee:
    return ArbitrationCommittee.objects.create(
        market=market, name="测试区劳动人事争议仲裁委员会", address="测试区人民路18号"
    )


@pytest.fixture
def alice(client, alice_mediator):
    client.force_login(alice_mediator)
    return client


def english(client):
    """Pages in English (the language switch's cookie), whatever the translations say."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name: str, dispute: Dispute) -> str:
    return reverse(f"disputes:arbitration_{name}", args=[dispute.code])


def hand_off(dispute, committee, user, **kwargs) -> ArbitrationHandoff:
    return arbitration.handoff_record(
        dispute=dispute, committee=committee, actor=actor(user), **kwargs
    )


def file_it(dispute, user, day: datetime.date, *, extended=False) -> ArbitrationHandoff:
    return arbitration.filing_record(
        dispute=dispute, case_number="测劳人仲案字〔2026〕第18号", filed_on=day,
        extended=extended, actor=actor(user),
    )  # fmt: skip


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def terminated_with_a_record(new_dispute, alice_mediator) -> Dispute:
    """A dispute with evidence and a session, mediation then terminated."""
    upload = SimpleUploadedFile("工资条.pdf", PDF, content_type="application/pdf")
    dispute = new_dispute(S.IN_MEDIATION, evidence=(upload,))
    services.session_record(
        dispute=dispute,
        held_at=timezone.now() - datetime.timedelta(hours=2),
        mode="in_person",
        place="测试区调解室",
        attendees="王小明、惠老板",
        notes="用工方承认欠薪但称无力支付。",
        actor=actor(alice_mediator),
    )
    services.dispute_terminate(
        dispute=dispute, reason="no_agreement", note="双方差距过大", actor=actor(alice_mediator)
    )
    return dispute


# -- the issue's journey -----------------------------------------------------------------


def test_terminated_dispute_to_arbitration_outcome_counted_on_the_statistics_page(
    new_dispute, committee, alice, alice_mediator, sam_supervisor, client, tmp_path
):
    with time_machine.travel(at("2026-11-02"), tick=False):
        dispute = terminated_with_a_record(new_dispute, alice_mediator)
        response = alice.post(
            url("handoff", dispute), {"committee": committee.pk, "note": "申请人将申请仲裁"}
        )
        assert response.status_code == 302
        assert ArbitrationHandoff.objects.get(dispute=dispute).committee == committee
        assert Dispute.objects.get(pk=dispute.pk).state == S.TERMINATED  # final: stays so

        # The packet for the committee: the parties in full, claims, sessions, evidence.
        doc = Document.objects.for_subject(dispute).get(kind=PACKET_KIND)
        doc = render_now(doc)
        assert doc.status == Document.Status.READY, doc.error
        with doc.file.open("rb") as f:
            text = squeeze(pdftotext(f.read(), tmp_path))
        for needle in (
            "移送仲裁材料",
            dispute.code,
            committee.name,
            "王小明",
            WANG_ID,  # the full ID number: the committee identifies the applicant
            EMPLOYER_USCC,
            "拖欠劳动报酬",
            "3,200.00",
            "现场调解",
            "王小明、惠老板",
            "用工方承认欠薪但称无力支付",
            "经调解，双方当事人未能达成调解协议",
            "工资条.pdf",
            "申请人将申请仲裁",
            "2026年11月2日",
        ):
            assert squeeze(needle) in text, needle

        response = alice.post(
            url("filing", dispute),
            {"case_number": "测劳人仲案字〔2026〕第18号", "filed_on": "2026-11-02"},
        )
        assert response.status_code == 302

    with time_machine.travel(at("2026-11-20"), tick=False):
        response = alice.post(
            url("result", dispute), {"result": R.AWARD, "closed_on": "2026-11-19"}
        )
        assert response.status_code == 302
        handoff = ArbitrationHandoff.objects.get(dispute=dispute)
        assert (handoff.result, handoff.closed_on) == (R.AWARD, datetime.date(2026, 11, 19))
        assert handoff.due_date == datetime.date(2026, 12, 17)

        english(client).force_login(sam_supervisor)
        page = client.get(reverse("reports:workflow", args=["disputes"]), {"period": "2026-11"})
        figures = {f.indicator.slug: f.value for f in page.context["stats"].figures}
        assert figures["arbitration_closure_rate"] == Decimal("100.0")
        assert figures["arbitration_handed_off"] == figures["arbitration_award"] == 1
        html = page.content.decode()
        assert "Arbitration closure rate" in html and "≥ 92" in html


def test_the_closure_rate_counts_the_cases_open_at_the_start(
    new_dispute, committee, alice_mediator
):
    """Closed in the period ÷ (accepted in the period + open at its start)."""
    with time_machine.travel(at("2026-10-20"), tick=False):
        october = new_dispute(S.TERMINATED)
        hand_off(october, committee, alice_mediator)
        file_it(october, alice_mediator, datetime.date(2026, 10, 20))
    with time_machine.travel(at("2026-11-03"), tick=False):
        november = new_dispute(S.TERMINATED)
        hand_off(november, committee, alice_mediator)
        file_it(november, alice_mediator, datetime.date(2026, 11, 3))
        arbitration.result_record(
            dispute=november,
            result=R.MEDIATION,
            closed_on=datetime.date(2026, 11, 3),
            actor=actor(alice_mediator),
        )
    with time_machine.travel(at("2026-12-05"), tick=False):
        figures = get_report("disputes").figures(
            Market.objects.filter(pk=october.market_id),
            periods.month(2026, 11),
            variants={},
        )
    assert figures["arbitration_filed"] == 1
    assert figures["arbitration_open_at_start"] == 1
    assert figures["arbitration_closed"] == figures["arbitration_mediation"] == 1
    assert figures["arbitration_closure_rate"] == Decimal("50.0")


# -- a defaulted agreement -----------------------------------------------------------------


def test_a_defaulted_dispute_is_referred_by_its_hand_off(new_dispute, committee, alice_mediator):
    dispute = new_dispute(S.DEFAULTED)

    handoff = hand_off(dispute, committee, alice_mediator)

    dispute = Dispute.objects.get(pk=dispute.pk)
    assert (dispute.state, dispute.referral) == (S.REFERRED, Dispute.Referral.ARBITRATION)
    actions = list(dispute.events.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["refer_arbitration", arbitration.HANDOFF_STEP]
    assert handoff.dispute_id == dispute.pk
    kinds = set(Document.objects.for_subject(dispute).values_list("kind", flat=True))
    assert {PACKET_KIND, "dispute_arbitration_guidance"} <= kinds


def test_a_dispute_already_referred_to_arbitration_can_be_handed_off(
    new_dispute, committee, alice_mediator, sam_supervisor
):
    dispute = new_dispute(S.DEFAULTED)
    services.dispute_refer(
        dispute=dispute, referral=Dispute.Referral.ARBITRATION, actor=actor(alice_mediator)
    )

    hand_off(dispute, committee, sam_supervisor)  # a supervisor of the market may

    assert Dispute.objects.get(pk=dispute.pk).state == S.REFERRED


def test_only_the_holder_refers_a_defaulted_dispute(new_dispute, committee, sam_supervisor):
    dispute = new_dispute(S.DEFAULTED)
    with pytest.raises(PermissionDenied):
        hand_off(dispute, committee, sam_supervisor)
    assert not ArbitrationHandoff.objects.exists()


def test_the_packet_is_for_staff_only():
    assert get_kind(PACKET_KIND).for_parties is False


# -- refusals ----------------------------------------------------------------------------


def test_a_dispute_in_mediation_cannot_be_handed_off(new_dispute, committee, alice_mediator):
    dispute = new_dispute(S.IN_MEDIATION)
    with pytest.raises(ValidationError):
        hand_off(dispute, committee, alice_mediator)
    assert not ArbitrationHandoff.objects.exists()


def test_a_second_hand_off_is_refused(new_dispute, committee, alice_mediator):
    dispute = new_dispute(S.TERMINATED)
    hand_off(dispute, committee, alice_mediator)
    with translation.override("en"), pytest.raises(ValidationError, match="already"):
        hand_off(dispute, committee, alice_mediator)
    assert ArbitrationHandoff.objects.count() == 1


def test_a_committee_of_another_market_is_refused(new_dispute, other_market, alice_mediator):
    elsewhere = ArbitrationCommittee.objects.create(
        market=other_market, name="另一区仲裁委", address="x"
    )
    dispute = new_dispute(S.TERMINATED)
    with pytest.raises(ValidationError):
        hand_off(dispute, elsewhere, alice_mediator)


def test_no_result_before_the_filing(new_dispute, committee, alice_mediator):
    dispute = new_dispute(S.TERMINATED)
    hand_off(dispute, committee, alice_mediator)
    with translation.override("en"), pytest.raises(ValidationError, match="acceptance"):
        arbitration.result_record(
            dispute=dispute, result=R.AWARD, closed_on=timezone.localdate(),
            actor=actor(alice_mediator),
        )  # fmt: skip


def test_the_closing_day_is_neither_before_the_filing_nor_in_the_future(
    new_dispute, committee, alice_mediator
):
    with time_machine.travel(at("2026-11-02"), tick=False):
        dispute = new_dispute(S.TERMINATED)
        hand_off(dispute, committee, alice_mediator)
    with time_machine.travel(at("2026-11-10"), tick=False):
        file_it(dispute, alice_mediator, datetime.date(2026, 11, 5))
        for day in (datetime.date(2026, 11, 4), datetime.date(2026, 11, 11)):
            with pytest.raises(ValidationError):
                arbitration.result_record(
                    dispute=dispute, result=R.AWARD, closed_on=day, actor=actor(alice_mediator)
                )
        assert ArbitrationHandoff.objects.get(dispute=dispute).result == ""


def test_the_filing_is_not_before_the_hand_off(new_dispute, committee, alice_mediator):
    with time_machine.travel(at("2026-11-02"), tick=False):
        dispute = new_dispute(S.TERMINATED)
        hand_off(dispute, committee, alice_mediator)
        with pytest.raises(ValidationError):
            file_it(dispute, alice_mediator, datetime.date(2026, 11, 1))


def test_the_result_form_refuses_a_day_in_the_future_in_the_page(
    new_dispute, committee, alice, alice_mediator
):
    dispute = new_dispute(S.TERMINATED)
    hand_off(dispute, committee, alice_mediator)
    file_it(dispute, alice_mediator, timezone.localdate())
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = alice.post(url("result", dispute), {"result": R.AWARD, "closed_on": tomorrow})
    assert response.status_code == 200
    assert ArbitrationHandoff.objects.get(dispute=dispute).result == ""


def test_another_markets_staff_get_404(new_dispute, client, oscar_outsider):
    dispute = new_dispute(S.TERMINATED)
    client.force_login(oscar_outsider)
    assert client.get(url("handoff", dispute)).status_code == 404


def test_a_mediator_not_holding_the_case_gets_403(new_dispute, committee, client, bob_mediator):
    dispute = new_dispute(S.TERMINATED)
    client.force_login(bob_mediator)
    assert client.get(url("handoff", dispute)).status_code == 403
    assert client.post(url("handoff", dispute), {"committee": committee.pk}).status_code == 403
    assert not ArbitrationHandoff.objects.exists()


def test_the_hand_off_page_of_a_case_in_mediation_goes_back_to_the_case(new_dispute, alice):
    dispute = new_dispute(S.IN_MEDIATION)
    response = english(alice).get(url("handoff", dispute), follow=True)
    with translation.override("en"):
        assert any("not possible now" in m for m in messages_of(response))
    assert response.redirect_chain[-1][0] == reverse("disputes:detail", args=[dispute.code])


# -- the due date ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filed_on", "extended", "due"),
    [
        # 45 days from the acceptance (Art. 43).
        (datetime.date(2026, 11, 2), False, datetime.date(2026, 12, 17)),
        # 60 with the chair's extension.
        (datetime.date(2026, 11, 2), True, datetime.date(2027, 1, 4)),  # 1 Jan + weekend
        # Day 45 is 1 October 2025, in the National Day holiday (1–8 October): the 9th.
        (datetime.date(2025, 8, 17), False, datetime.date(2025, 10, 9)),
    ],
)
def test_the_due_date(db, filed_on, extended, due):
    handoff = ArbitrationHandoff(filed_on=filed_on, extended=extended)
    handoff.compute_due_date()
    assert handoff.due_date == due


def test_a_due_date_on_a_holiday_entered_by_a_supervisor_moves(db):
    HolidayOverride.objects.create(date=datetime.date(2026, 12, 17), is_workday=False, name="x")
    handoff = ArbitrationHandoff(filed_on=datetime.date(2026, 11, 2))
    handoff.compute_due_date()
    assert handoff.due_date == datetime.date(2026, 12, 18)


def test_the_filing_stores_the_due_date_and_the_extension(new_dispute, committee, alice_mediator):
    with time_machine.travel(at("2026-11-02"), tick=False):
        dispute = new_dispute(S.TERMINATED)
        hand_off(dispute, committee, alice_mediator)
        file_it(dispute, alice_mediator, datetime.date(2026, 11, 2))
        assert ArbitrationHandoff.objects.get().due_date == datetime.date(2026, 12, 17)
        file_it(dispute, alice_mediator, datetime.date(2026, 11, 2), extended=True)
        assert ArbitrationHandoff.objects.get().due_date == datetime.date(2027, 1, 4)


# -- the list awaiting an outcome -----------------------------------------------------------


def test_the_overdue_outcomes_are_listed_and_marked(
    new_dispute, committee, alice_mediator, sam_supervisor, client
):
    with time_machine.travel(at("2026-10-09"), tick=False):
        late = new_dispute(S.TERMINATED)
        hand_off(late, committee, alice_mediator)
        file_it(late, alice_mediator, datetime.date(2026, 10, 9))  # due 23 November
    with time_machine.travel(at("2026-11-20"), tick=False):
        recent = new_dispute(S.TERMINATED)
        hand_off(recent, committee, alice_mediator)
        file_it(recent, alice_mediator, datetime.date(2026, 11, 20))
        done = new_dispute(S.TERMINATED)
        hand_off(done, committee, alice_mediator)
        file_it(done, alice_mediator, datetime.date(2026, 11, 20))
        arbitration.result_record(
            dispute=done, result=R.WITHDRAWN, closed_on=datetime.date(2026, 11, 20),
            actor=actor(alice_mediator),
        )  # fmt: skip

    with time_machine.travel(at("2026-11-30"), tick=False):
        english(client).force_login(sam_supervisor)
        response = client.get(reverse("disputes:arbitration_awaiting"))
        home = client.get(reverse("home"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.dispute.code for row in rows] == [late.code, recent.code]
    assert [row.overdue for row in rows] == [True, False]
    html = response.content.decode()
    assert done.code not in html and "overdue by 7 days" in html
    assert "Arbitration outcomes overdue" in home.content.decode()


def test_the_list_shows_only_the_users_markets(
    new_dispute, committee, alice_mediator, client, oscar_outsider
):
    dispute = new_dispute(S.TERMINATED)
    hand_off(dispute, committee, alice_mediator)
    file_it(dispute, alice_mediator, timezone.localdate())
    client.force_login(oscar_outsider)
    response = client.get(reverse("disputes:arbitration_awaiting"))
    assert response.status_code == 200 and response.context["rows"] == []


# -- the case page --------------------------------------------------------------------------


def test_the_case_page_offers_the_hand_off_then_shows_it(
    new_dispute, committee, alice, alice_mediator
):
    dispute = new_dispute(S.TERMINATED)
    detail = reverse("disputes:detail", args=[dispute.code])
    assert url("handoff", dispute) in english(alice).get(detail).content.decode()
    hand_off(dispute, committee, alice_mediator)
    page = alice.get(detail).content.decode()
    assert url("handoff", dispute) not in page
    assert committee.name in page and url("filing", dispute) in page
    assert "Handed to arbitration" in page  # the timeline names the step


def test_the_case_page_offers_a_supervisor_only_the_hand_offs_they_may_make(
    new_dispute, client, sam_supervisor
):
    # A defaulted case is referred by its holder's step of the flow; a terminated one by
    # its holder or a supervisor of its market (arbitration.may_hand_off).
    client.force_login(sam_supervisor)
    terminated = new_dispute(S.TERMINATED)
    defaulted = new_dispute(S.DEFAULTED)
    page = client.get(reverse("disputes:detail", args=[terminated.code])).content.decode()
    assert url("handoff", terminated) in page
    page = client.get(reverse("disputes:detail", args=[defaulted.code])).content.decode()
    assert url("handoff", defaulted) not in page
