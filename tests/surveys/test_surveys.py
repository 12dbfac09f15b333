"""The satisfaction survey (casework.surveys; docs/surveys.md): invitations when a case
closes, the public one-page survey behind a signed single-use token, the results for
supervisors, the case page and the statistics indicator."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance import services as assistance_services
from assistance.reports import AssistanceReport
from casework.complaints.reports import ComplaintReport
from casework.core.locking import locked
from casework.core.models import Market
from casework.disputes.models import Dispute
from casework.disputes.reports import DisputeReport
from casework.notifications.models import Notification
from casework.reports.periods import current_month
from casework.surveys import services, views
from casework.surveys.models import Level, Reason, SurveyInvitation
from casework.surveys.tokens import make_token, read_token
from tests.assistance.fixtures import actor as assistance_actor
from tests.conftest import clear_own_cache, make_user

S = Dispute.State
_ALREADY = _("This survey has already been answered. Thank you for your rating.")
_NOT_VALID = _(
    "This link is not valid. Open the link exactly as it came in the text message; if it "
    "was cut off, copy the whole link into the browser."
)


def token_of(invitation: SurveyInvitation) -> str:
    return make_token(invitation.pk)


def page(invitation: SurveyInvitation) -> str:
    return reverse("surveys:answer", args=[token_of(invitation)])


@pytest.fixture(autouse=True)
def _fresh_limits():
    clear_own_cache()
    yield
    clear_own_cache()


def hand_built(market, *, kind="disputes", level=None, at=None, handler=None, code="WD-1"):
    """An invitation written directly (for the counting tests), answered at ``at``."""
    now = at or timezone.now()
    return SurveyInvitation.objects.create(
        subject_type=ContentType.objects.get_for_model(Market),
        subject_id=market.pk,
        party_key=f"m{SurveyInvitation.objects.count()}",
        kind=kind,
        market=market,
        case_code=code,
        mobile="13800138000",
        handler=handler,
        created_at=now,
        expires_at=now + datetime.timedelta(days=30),
        used_at=now if level else None,
        level=level,
        comment="等了太久" if level else "",
    )


# -- invitations --------------------------------------------------------------------------------


def test_an_effective_agreement_invites_each_party_once_with_a_text(
    new_dispute, alice_mediator, settings
):
    settings.PUBLIC_BASE_URL = "https://lingong.example.cn"
    dispute = new_dispute(S.EFFECTIVE)
    rows = list(services.invitations_of(dispute).order_by("pk"))
    # The applicant and the employer's handling person, each by their mobile number.
    assert [r.mobile for r in rows] == ["13800138000", "13700137000"]
    assert {r.handler for r in rows} == {alice_mediator}
    assert all(r.expires_at - r.created_at == datetime.timedelta(days=30) for r in rows)
    assert {r.kind for r in rows} == {"disputes"} and rows[0].case_code == dispute.code
    texts = Notification.objects.filter(template="survey_invitation").order_by("pk")
    assert [t.recipient for t in texts] == ["13800138000", "13700137000"]
    url = "https://lingong.example.cn" + page(rows[0])
    assert dict(texts[0].params) == {"code": dispute.code, "url": url}
    assert dispute.code in texts[0].text and url in texts[0].text

    # The closing hook running again (in its own transaction) makes nothing new.
    with locked(dispute) as again:
        assert services.invite(again) == []
        assert services.invite(again) == []
    assert services.invitations_of(dispute).count() == 2
    assert Notification.objects.filter(template="survey_invitation").count() == 2


def test_a_case_closed_after_its_agreement_invites_no_one_again(new_dispute):
    dispute = new_dispute(S.CLOSED)
    assert services.invitations_of(dispute).count() == 2
    assert Notification.objects.filter(template="survey_invitation").count() == 2


@pytest.mark.parametrize("state", [S.TERMINATED, S.WITHDRAWN])
def test_mediation_ending_otherwise_invites_the_parties(new_dispute, state):
    assert services.invitations_of(new_dispute(state)).count() == 2


def test_an_open_dispute_has_no_invitation(new_dispute):
    assert services.invitations_of(new_dispute(S.SETTLED)).count() == 0


def test_invite_needs_the_closing_steps_transaction(new_dispute):
    with pytest.raises(RuntimeError):
        services.invite(new_dispute(S.IN_MEDIATION))


def test_a_named_complaint_invites_its_complainant_and_an_anonymous_one_no_one(
    make_complaint, wang_worker, olga_officer
):
    named = make_complaint("closed", complainant=wang_worker.person, anonymous=False)
    (row,) = services.invitations_of(named)
    assert (row.person, row.mobile) == (wang_worker.person, "13800138000")
    assert row.handler == olga_officer
    anonymous = make_complaint("closed", contact_mobile="13900139000")
    assert anonymous.anonymous
    assert services.invitations_of(anonymous).count() == 0


def test_a_closed_hardship_case_invites_the_person(new_case, carol_caseworker, applicant):
    case = new_case("certified")
    assistance_services.case_close(
        case=case, outcome="no_longer_needed", actor=assistance_actor(carol_caseworker)
    )
    (row,) = services.invitations_of(case)
    assert (row.person, row.kind, row.handler_id) == (applicant, "assistance", case.owner_id)


# -- the token ----------------------------------------------------------------------------------


def test_the_token_is_signed_and_names_the_invitation_only():
    token = make_token(42)
    assert read_token(token) == 42
    assert read_token("42") is None
    assert read_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert read_token(token.replace("42", "43", 1)) is None
    assert read_token("") is None


# -- the survey page ----------------------------------------------------------------------------


@pytest.fixture
def invitation(new_dispute) -> SurveyInvitation:
    return services.invitations_of(new_dispute(S.EFFECTIVE)).order_by("pk").first()


def test_the_page_works_without_login_and_shows_no_personal_data(client, invitation):
    answer = client.get(page(invitation))
    assert answer.status_code == 200
    body = answer.content.decode()
    assert invitation.case_code in body
    assert "王小明" not in body and "13800138000" not in body
    for value in Level.values:
        assert f'name="level" value="{value}"' in body


def test_an_answer_is_recorded_once(client, invitation):
    data = {
        "level": Level.DISSATISFIED,
        "reasons": [Reason.TOO_LONG, Reason.COMMUNICATION],
        "comment": "  调解拖了很久  ",
    }
    answer = client.post(page(invitation), data)
    assert answer.status_code == 200
    assert _("Your rating has been recorded. It helps the market improve its service.") in (
        answer.content.decode()
    )
    invitation.refresh_from_db()
    assert invitation.level == Level.DISSATISFIED
    assert invitation.reasons == ["too_long", "communication"]
    assert invitation.comment == "调解拖了很久"
    assert invitation.used_at is not None
    # A second answer (another form, or the same link again) changes nothing.
    again = client.post(page(invitation), {"level": Level.VERY_SATISFIED})
    assert _ALREADY in again.content.decode()
    assert client.get(page(invitation)).status_code == 200
    invitation.refresh_from_db()
    assert invitation.level == Level.DISSATISFIED
    with pytest.raises(services.AlreadyAnswered):
        services.answer(invitation.pk, level=Level.SATISFIED)


def test_the_same_form_sent_twice_is_thanked_twice(client, invitation):
    data = {"level": Level.SATISFIED, "submission": "same-token-twice"}
    assert client.post(page(invitation), data).status_code == 200
    again = client.post(page(invitation), data)
    assert _ALREADY in again.content.decode()


def test_reasons_are_kept_only_for_the_lower_levels(client, invitation):
    client.post(page(invitation), {"level": Level.SATISFIED, "reasons": [Reason.ATTITUDE]})
    invitation.refresh_from_db()
    assert (invitation.level, invitation.reasons) == (Level.SATISFIED, [])


@pytest.mark.parametrize(
    "data",
    [{}, {"level": "9"}, {"level": "x"}, {"level": "3", "comment": "长" * 501}],
)
def test_a_bad_answer_shows_the_form_again(client, invitation, data):
    answer = client.post(page(invitation), data)
    assert answer.status_code == 400
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_the_survey_expires_after_30_days(client, invitation):
    later = invitation.created_at + datetime.timedelta(days=30, minutes=1)
    with time_machine.travel(later, tick=False):
        assert client.get(page(invitation)).status_code == 410
        answer = client.post(page(invitation), {"level": Level.SATISFIED})
        assert answer.status_code == 410
        assert _("This survey has expired") in answer.content.decode()
    invitation.refresh_from_db()
    assert invitation.used_at is None
    just_in_time = invitation.created_at + datetime.timedelta(days=29, hours=23)
    with time_machine.travel(just_in_time, tick=False):
        assert client.post(page(invitation), {"level": Level.SATISFIED}).status_code == 200


@pytest.mark.parametrize("token", ["x", "1", "1:abc", "9999:" + "a" * 43, "%E4%B8%AD", "a" * 500])
def test_a_bad_or_tampered_token_finds_a_friendly_404(client, invitation, token):
    answer = client.get(f"/survey/{token}/")
    assert answer.status_code == 404
    assert _NOT_VALID in answer.content.decode()
    tampered = token_of(invitation)[:-2] + "zz"
    assert client.post(f"/survey/{tampered}/", {"level": "5"}).status_code == 404


def test_a_deleted_invitation_is_not_found(client, invitation):
    url = page(invitation)
    SurveyInvitation.objects.filter(pk=invitation.pk).delete()
    assert client.get(url).status_code == 404


def test_the_page_is_rate_limited_per_address(client, invitation):
    cache.set(views.answer_limit_key("127.0.0.1"), views.ANSWER_LIMIT, timeout=60)
    assert client.get(page(invitation)).status_code == 429


# -- results for supervisors --------------------------------------------------------------------

RESULTS = reverse("surveys:results")


@pytest.fixture
def answers(market, other_market, alice_mediator, bob_mediator):
    """This month in the test market: one answer at each level, one not answered; one
    answer elsewhere."""
    alice_mediator.first_name = "刘明"
    alice_mediator.save()
    for level in Level.values:
        handler = alice_mediator if level >= 3 else bob_mediator
        hand_built(market, level=level, handler=handler, code=f"WD-{level}")
    hand_built(market, handler=alice_mediator, code="WD-0")
    hand_built(other_market, level=Level.VERY_DISSATISFIED, code="WD-9")


def test_the_results_total_the_levels_per_market_and_handler(client, sam_supervisor, answers):
    client.force_login(sam_supervisor)
    answer = client.get(RESULTS)
    assert answer.status_code == 200
    figures = answer.context["figures"]
    assert figures.total.answers == 5
    assert figures.total.levels == {5: 1, 4: 1, 3: 1, 2: 1, 1: 1}
    assert str(figures.total.rate) == "60.0"  # (1 + 1 + 1) / 5
    assert (figures.sent, figures.sent_answered, str(figures.response_rate)) == (6, 5, "83.3")
    handlers = {t.label: (t.answers, str(t.rate)) for t in figures.by_handler}
    assert handlers == {"刘明 调解员": (3, "100.0"), "bob": (2, "0.0")}
    body = answer.content.decode()
    assert "WD-5" in body and "WD-9" not in body  # another market's answer
    assert "等了太久" in body  # the market's supervisor reads the comments


def test_an_auditor_sees_the_results_without_the_comments(client, audrey_auditor, answers):
    client.force_login(audrey_auditor)
    answer = client.get(RESULTS)
    assert answer.status_code == 200
    assert answer.context["figures"].total.answers == 5
    assert "等了太久" not in answer.content.decode()


def test_the_regional_role_sees_figures_but_no_case_or_staff(client, market, other_market, answers):
    rita = make_user("rita", "regional", markets=[market, other_market])
    client.force_login(rita)
    answer = client.get(RESULTS)
    assert answer.status_code == 200
    assert answer.context["figures"].total.answers == 6
    body = answer.content.decode()
    assert "WD-5" not in body and "刘明" not in body and "等了太久" not in body


def test_workers_and_other_staff_are_refused(
    client, wang_worker, alice_mediator, oscar_outsider, market, answers
):
    for user in (wang_worker, alice_mediator):
        client.force_login(user)
        assert client.get(RESULTS).status_code == 403
    # Another market's supervisor asking for this market: not found.
    oscar_outsider.user_permissions.add(Permission.objects.get(codename="view_statistics"))
    client.force_login(oscar_outsider)
    assert client.get(RESULTS, {"market": market.code}).status_code == 404
    client.logout()
    assert client.get(RESULTS).status_code == 302


def test_a_bad_period_or_page_shows_the_current_month(client, sam_supervisor, answers):
    client.force_login(sam_supervisor)
    answer = client.get(RESULTS, {"period": "2026-13", "page": "x"})
    assert answer.status_code == 200
    assert answer.context["period_error"]


# -- the case page ------------------------------------------------------------------------------


def test_the_case_page_shows_the_answers_and_the_comment_to_supervisors(
    client, new_dispute, alice_mediator, sam_supervisor
):
    dispute = new_dispute(S.EFFECTIVE)
    first = services.invitations_of(dispute).order_by("pk").first()
    services.answer(first.pk, level=Level.BASICALLY_SATISFIED, comment="希望更快一些")
    url = reverse("disputes:detail", args=[dispute.code])
    client.force_login(alice_mediator)
    body = client.get(url).content.decode()
    assert 'id="survey"' in body and str(Level.BASICALLY_SATISFIED.label) in body
    assert "希望更快一些" not in body
    client.force_login(sam_supervisor)
    assert "希望更快一些" in client.get(url).content.decode()


# -- the indicator ------------------------------------------------------------------------------


def test_the_indicator_counts_the_workflows_answers_in_the_period(market, other_market):
    period = current_month()
    start, _end = period.bounds()
    for level in (5, 4, 2):
        hand_built(market, level=level, at=start + datetime.timedelta(hours=1))
    hand_built(market, level=1, at=start - datetime.timedelta(minutes=1))  # the month before
    hand_built(market, kind="complaints", level=1, at=start + datetime.timedelta(hours=1))
    hand_built(other_market, level=1, at=start + datetime.timedelta(hours=1))
    markets = Market.objects.filter(pk=market.pk)
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        figures = DisputeReport().figures(markets, period, variants={})
        assert figures["survey_answers"] == 3
        assert str(figures["satisfaction_rate"]) == "66.7"  # (1 + 1) / 3
        complaints = ComplaintReport().figures(markets, period, variants={})
        assert (complaints["survey_answers"], str(complaints["satisfaction_rate"])) == (1, "0.0")
        hardship = AssistanceReport().figures(markets, period, variants={})
        assert (hardship["survey_answers"], hardship["satisfaction_rate"]) == (0, None)
