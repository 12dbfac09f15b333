"""Satisfaction surveys in the party API (docs/surveys.md): the caller's open invitations
and answering one, with the survey page's form (AnswerForm) and service
(services.answer), so the same rules hold: one answer, within 30 days.

An invitation is the caller's when it names their person, or, made for a party without a
person record, the mobile number they sign in with. Anyone else's is 404, as a token that
is not ours is on the page.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from pydantic import ConfigDict

from casework.api import registry
from casework.api.auth import PartyAuth
from casework.api.errors import ApiError, form_error, responses
from casework.api.idempotency import idempotent
from casework.api.schemas import MarketOut, form_value
from casework.surveys import services
from casework.surveys.forms import AnswerForm
from casework.surveys.models import COMMENT_MAX, Level, Reason, SurveyInvitation
from casework.surveys.registry import get_kind

router = Router(auth=PartyAuth(), tags=["party"])
# Ids beyond this are no row's (and would overflow the database's integer).
MAX_ID = 2**63 - 1


class SurveyOut(Schema):
    id: int
    kind: str  # the workflow: disputes, complaints, assistance
    kind_label: str
    case_code: str
    market: MarketOut
    sent_at: datetime.datetime
    expires_at: datetime.datetime
    answer_url: str


class SurveysOut(Schema):
    surveys: list[SurveyOut]


class AnswerIn(Schema):
    """The survey page's form (AnswerForm): the level, and at levels 3 to 1 what was
    unsatisfactory."""

    model_config = ConfigDict(json_schema_extra={"required": ["level"]})

    level: int | None = form_value(
        "5 very satisfied, 4 satisfied, 3 basically satisfied, 2 dissatisfied, "
        "1 very dissatisfied.",
        type="integer",
        enum=list(Level.values),
    )
    reasons: list[str] | None = form_value(
        "What was unsatisfactory (kept at levels 3 to 1 only).",
        type="array",
        items={"type": "string", "enum": list(Reason.values)},
    )
    comment: str | None = form_value("An optional comment.", type="string", maxLength=COMMENT_MAX)


class AnswerOut(Schema):
    id: int
    case_code: str
    level: int
    level_label: str
    reasons: list[str]
    comment: str
    answered_at: datetime.datetime


def invitations_of(user) -> QuerySet[SurveyInvitation]:
    """The invitations sent to the user: by their person, or by their number when the
    invitation has no person (the number is theirs: they sign in with a code sent to it)."""
    person = getattr(user, "person", None)
    if person is None:
        return SurveyInvitation.objects.none()
    mine = Q(person=person)
    if person.mobile:
        mine |= Q(person__isnull=True, mobile=person.mobile)
    return SurveyInvitation.objects.filter(mine)


def survey_out(invitation: SurveyInvitation) -> SurveyOut:
    kind = get_kind(invitation.kind)
    return SurveyOut(
        id=invitation.pk,
        kind=invitation.kind,
        kind_label=str(kind.title) if kind else invitation.kind,
        case_code=invitation.case_code,
        market=MarketOut(code=invitation.market.code, name=invitation.market.name),
        sent_at=invitation.created_at,
        expires_at=invitation.expires_at,
        answer_url=reverse("api:party_survey_answer", args=[invitation.pk]),
    )


def answer_out(invitation: SurveyInvitation) -> AnswerOut:
    level, answered_at = invitation.level, invitation.used_at
    assert level is not None and answered_at is not None, "not answered"
    return AnswerOut(
        id=invitation.pk,
        case_code=invitation.case_code,
        level=level,
        level_label=str(Level(level).label),
        reasons=invitation.reasons,
        comment=invitation.comment,
        answered_at=answered_at,
    )


def _already_answered() -> ApiError:
    return ApiError(
        409,
        _("This survey has already been answered. Thank you for your rating."),
        code="already_answered",
    )


def _expired() -> ApiError:
    return ApiError(
        410,
        _(
            "A survey can be answered within 30 days of the text message. To tell us about "
            "the service now, call the market's service hotline."
        ),
        code="expired",
    )


@router.get(
    "/me/surveys",
    response=responses({200: SurveysOut}),
    url_name="party_surveys",
    summary="My satisfaction surveys still to answer",
)
def my_surveys(request):
    """The invitations sent to me when a case closed, not answered and not expired,
    newest first."""
    rows = (
        invitations_of(request.user)
        .filter(used_at__isnull=True, expires_at__gt=timezone.now())
        .select_related("market")
    )
    return {"surveys": [survey_out(row) for row in rows]}


@router.post(
    "/me/surveys/{survey_id}/answer",
    response=responses({201: AnswerOut}, 400, 404, 409, 410),
    url_name="party_survey_answer",
    summary="Answer one of my satisfaction surveys",
)
@idempotent
def answer(request, payload: AnswerIn, survey_id: int = Path(..., ge=1, le=MAX_ID)):
    """Once, within 30 days of the invitation: answered already is 409
    ``already_answered``, too late is 410 ``expired``."""
    rows = invitations_of(request.user).select_related("market")
    invitation = get_object_or_404(rows, pk=survey_id)
    if invitation.answered:
        raise _already_answered()
    if invitation.expired():
        raise _expired()
    data = {name: value for name, value in payload.dict().items() if value is not None}
    form = AnswerForm(data)
    if not form.is_valid():
        raise form_error(form)
    try:
        row = services.answer(invitation.pk, **form.cleaned_data)
    except services.AlreadyAnswered:
        raise _already_answered() from None
    except services.Expired:
        raise _expired() from None
    except ValidationError as exc:
        form.add_error(None, exc)
        raise form_error(form) from None
    return Status(201, answer_out(row))


registry.add_router("", router, tags=["party"])
