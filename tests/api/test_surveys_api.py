"""Satisfaction surveys through the party API: the caller's open invitations and the
answer, with the survey page's form and service (docs/surveys.md)."""

import datetime

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.disputes.models import Dispute
from casework.surveys import services
from casework.surveys.models import Level, Reason, SurveyInvitation
from tests.api.conftest import new_key, party
from tests.surveys.test_surveys import hand_built

SURVEYS = "/me/surveys"


def answer_path(invitation: SurveyInvitation) -> str:
    return f"/me/surveys/{invitation.pk}/answer"


def answer(client, invitation, body: dict, key: str | None = None):
    return client.post(answer_path(invitation), body, idempotency_key=key or new_key())


@pytest.fixture
def wangs(new_dispute) -> SurveyInvitation:
    """Wang's invitation, by his person, made when his dispute's agreement took effect."""
    dispute = new_dispute(Dispute.State.EFFECTIVE)
    return services.invitations_of(dispute).get(mobile="13800138000")


def test_a_party_sees_their_open_surveys_only(wangs, hui_hiring, li_worker, market):
    by_number = hand_built(market, code="IC-2026-000007")  # no person: wang's number
    hand_built(market, level=Level.SATISFIED, code="WD-ANSWERED")
    expired = hand_built(market, code="WD-EXPIRED")
    expired.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    expired.save()

    response = party(wangs.person.user).get(SURVEYS)

    assert response.status_code == 200, response.content
    surveys = response.json()["surveys"]
    assert {s["id"] for s in surveys} == {wangs.pk, by_number.pk}
    mine = next(s for s in surveys if s["id"] == wangs.pk)
    assert mine["case_code"] == wangs.case_code and mine["kind"] == "disputes"
    assert mine["market"]["code"] == market.code
    assert mine["answer_url"].endswith(answer_path(wangs))
    # The employer's handling person has their own invitation; another worker has none.
    theirs = party(hui_hiring).get(SURVEYS).json()["surveys"]
    assert [s["case_code"] for s in theirs] == [wangs.case_code]
    assert wangs.pk not in {s["id"] for s in theirs}
    assert party(li_worker).get(SURVEYS).json()["surveys"] == []


def test_a_party_answers_once(wangs):
    me = party(wangs.person.user)
    body = {"level": 2, "reasons": [Reason.TOO_LONG, Reason.ATTITUDE], "comment": " 等了太久 "}

    response = answer(me, wangs, body)

    assert response.status_code == 201, response.content
    wangs.refresh_from_db()
    assert wangs.level == Level.DISSATISFIED and wangs.answered
    assert wangs.reasons == [Reason.TOO_LONG, Reason.ATTITUDE] and wangs.comment == "等了太久"
    result = response.json()
    assert (result["id"], result["level"], result["comment"]) == (wangs.pk, 2, "等了太久")
    assert me.get(SURVEYS).json()["surveys"] == []
    again = answer(me, wangs, {"level": 5})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_answered"
    wangs.refresh_from_db()
    assert wangs.level == Level.DISSATISFIED


def test_the_same_key_twice_answers_the_same_and_records_once(wangs):
    me, key = party(wangs.person.user), new_key()

    first = answer(me, wangs, {"level": 5}, key)
    again = answer(me, wangs, {"level": 5}, key)

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert SurveyInvitation.objects.filter(used_at__isnull=False).count() == 1


def test_an_answer_needs_an_idempotency_key(wangs):
    response = party(wangs.person.user).post(answer_path(wangs), {"level": 5})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_missing"
    wangs.refresh_from_db()
    assert not wangs.answered


def test_another_party_s_survey_is_404(wangs, li_worker, hui_hiring):
    for other in (li_worker, hui_hiring):
        response = answer(party(other), wangs, {"level": 1})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert (
        answer(party(wangs.person.user), SurveyInvitation(pk=10**12), {"level": 1}).status_code
        == 404
    )
    wangs.refresh_from_db()
    assert not wangs.answered


def test_an_invalid_answer_gets_the_form_s_messages(wangs):
    me = party(wangs.person.user)

    missing = answer(me, wangs, {"comment": "x"})
    wrong = answer(me, wangs, {"level": 7, "reasons": ["nothing"]})

    assert missing.status_code == wrong.status_code == 422
    assert missing.json()["error"]["fields"] == {"level": [_("Choose one of the five levels.")]}
    assert set(wrong.json()["error"]["fields"]) == {"level", "reasons"}
    wangs.refresh_from_db()
    assert not wangs.answered


def test_an_expired_survey_is_410(wangs):
    wangs.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    wangs.save()

    response = answer(party(wangs.person.user), wangs, {"level": 4})

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "expired"
