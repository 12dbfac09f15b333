"""Inviting the parties when a case closes, answering once, and counting the answers
(docs/surveys.md).

``invite(case)`` runs in the closing step's transaction (the locking rule,
casework.core.locking): one invitation per party with a mobile number, keyed by case and
party, so a closing hook that runs twice makes nothing new; each new one queues its text
through casework.notifications, sent after commit. ``answer()`` takes the invitation
under its row lock: it is answered once, within 30 days of being sent.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.core.locking import is_locked
from casework.core.models import CaseBase, Market
from casework.notifications.services import notify
from casework.reports.periods import Period
from casework.reports.registry import rate
from casework.surveys.models import (
    COMMENT_MAX,
    REASON_LEVELS,
    SATISFIED_LEVELS,
    VALID_FOR,
    Level,
    Reason,
    SurveyInvitation,
)
from casework.surveys.notifications import INVITATION
from casework.surveys.registry import kind_of
from casework.surveys.tokens import make_token

# A set of markets: a queryset, or their keys (a list the planner reads as literals).
Markets = QuerySet[Market] | list[int]


class SurveyClosed(Exception):
    """The invitation cannot be answered any more."""


class AlreadyAnswered(SurveyClosed):
    pass


class Expired(SurveyClosed):
    pass


def survey_url(invitation_pk: int) -> str:
    """The link in the text: absolute, on the public address (PUBLIC_BASE_URL)."""
    path = reverse("surveys:answer", args=[make_token(invitation_pk)])
    return f"{settings.PUBLIC_BASE_URL}{path}"


# -- inviting ---------------------------------------------------------------------------------


def invite(case: CaseBase) -> list[SurveyInvitation]:
    """Invite the parties of ``case``, which has just closed (call it in the closing step's
    transaction, on the locked case). Returns the invitations made now: none the second
    time, none for a party without a mobile number."""
    if not is_locked(case):
        raise RuntimeError("invite() runs on the case locked by its closing step")
    kind = kind_of(case)
    subject_type = ContentType.objects.get_for_model(case, for_concrete_model=True)
    now = timezone.now()
    made = []
    for party in kind.parties(case):
        mobile = (party.mobile or "").strip()
        if not mobile:
            continue
        key = f"p{party.person.pk}" if party.person is not None else f"m{mobile}"
        row, created = SurveyInvitation.objects.get_or_create(
            subject_type=subject_type,
            subject_id=case.pk,
            party_key=key,
            defaults={
                "kind": kind.slug,
                "market_id": case.market_id,
                "case_code": case.code,
                "person": party.person,
                "mobile": mobile,
                "handler_id": case.owner_id,
                "created_at": now,
                "expires_at": now + VALID_FOR,
            },
        )
        if not created:
            continue
        notify(
            INVITATION,
            case,
            mobile,
            {"code": case.code, "url": survey_url(row.pk)},
            sign=case.market.name,
            step=row.pk,  # one text per invitation
        )
        made.append(row)
    return made


def invitations_of(case: models.Model) -> QuerySet[SurveyInvitation]:
    subject_type = ContentType.objects.get_for_model(case, for_concrete_model=True)
    return SurveyInvitation.objects.filter(subject_type=subject_type, subject_id=case.pk)


# -- answering --------------------------------------------------------------------------------


def answer(
    invitation_pk: int,
    *,
    level: int,
    reasons: list[str] | tuple[str, ...] = (),
    comment: str = "",
    now: datetime.datetime | None = None,
) -> SurveyInvitation:
    """Record the party's answer, once: the invitation is read under its row lock, so of
    two answers sent at once the second finds it answered (AlreadyAnswered)."""
    try:
        level = Level(int(level))
    except (TypeError, ValueError):
        raise ValidationError(_("Choose one of the five levels.")) from None
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            _("The comment may be at most %(max)s characters long.") % {"max": COMMENT_MAX}
        )
    chosen = set(reasons) if level in REASON_LEVELS else set()
    with transaction.atomic():
        row = SurveyInvitation.objects.select_for_update().get(pk=invitation_pk)
        if row.used_at is not None:
            raise AlreadyAnswered
        now = now or timezone.now()
        if row.expired(now):
            raise Expired
        row.level = level
        row.reasons = [value for value in Reason.values if value in chosen]
        row.comment = comment
        row.used_at = now
        row.save(update_fields=["level", "reasons", "comment", "used_at"])
    return row


# -- counting ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """The answers of one group: how many at each level, and the satisfaction rate."""

    label: str = ""
    answers: int = 0
    levels: dict[int, int] = field(default_factory=dict)

    @property
    def satisfied(self) -> int:
        return sum(self.levels.get(level, 0) for level in SATISFIED_LEVELS)

    @property
    def rate(self) -> Decimal | None:
        """(非常满意 + 满意 + 基本满意) ÷ answers, a percentage with one decimal."""
        return rate(self.satisfied, self.answers)

    def by_level(self) -> list[tuple[str, int]]:
        return [(str(label), self.levels.get(value, 0)) for value, label in Level.choices]


def _level_counts() -> dict:
    counts = {f"l{value}": Count("pk", filter=Q(level=value)) for value in Level.values}
    return {"answers": Count("pk"), **counts}


def _tally(label: str, row: Mapping[str, Any]) -> Tally:
    return Tally(
        label=label,
        answers=row["answers"],
        levels={value: row[f"l{value}"] for value in Level.values},
    )


def answered_in(markets: Markets, period: Period) -> QuerySet[SurveyInvitation]:
    """The answers given in the period (by the time of the answer)."""
    start, end = period.bounds()
    return SurveyInvitation.objects.filter(market__in=markets, used_at__gte=start, used_at__lt=end)


def satisfaction_figures(kind: str, markets: Markets, period: Period) -> dict:
    """The two indicators of one workflow (casework.surveys.indicators), for its
    reports.py: the answers about its cases given in the period and the satisfaction rate."""
    counts = (
        answered_in(markets, period)
        .filter(kind=kind)
        .aggregate(n=Count("pk"), satisfied=Count("pk", filter=Q(level__in=SATISFIED_LEVELS)))
    )
    return {
        "survey_answers": counts["n"],
        "satisfaction_rate": rate(counts["satisfied"], counts["n"]),
    }


@dataclass
class Results:
    total: Tally
    sent: int  # invitations sent in the period
    sent_answered: int  # of those, answered by now
    by_market: list[Tally]
    by_kind: list[Tally]
    by_handler: list[Tally]

    @property
    def response_rate(self) -> Decimal | None:
        """Invitations sent in the period and answered (by now) ÷ invitations sent in it."""
        return rate(self.sent_answered, self.sent)


def results(markets: QuerySet[Market], period: Period, kind_titles: dict[str, str]) -> Results:
    answered = answered_in(markets, period).order_by()
    total = _tally("", answered.aggregate(**_level_counts()))
    names = dict(markets.values_list("pk", "name"))
    by_market = [
        _tally(names.get(row["market_id"], ""), row)
        for row in answered.values("market_id").annotate(**_level_counts()).order_by("market_id")
    ]
    by_kind = [
        _tally(kind_titles.get(row["kind"], row["kind"]), row)
        for row in answered.values("kind").annotate(**_level_counts()).order_by("kind")
    ]
    by_handler = []
    rows = answered.values(
        "handler_id", "handler__first_name", "handler__last_name", "handler__username"
    ).annotate(**_level_counts())
    for row in rows.order_by("handler__username"):
        name = " ".join(
            part for part in (row["handler__first_name"], row["handler__last_name"]) if part
        )
        by_handler.append(_tally(name or row["handler__username"] or _("nobody"), row))
    start, end = period.bounds()
    sent = SurveyInvitation.objects.filter(
        market__in=markets, created_at__gte=start, created_at__lt=end
    ).aggregate(n=Count("pk"), answered=Count("pk", filter=Q(used_at__isnull=False)))
    return Results(
        total=total,
        sent=sent["n"],
        sent_answered=sent["answered"],
        by_market=by_market,
        by_kind=by_kind,
        by_handler=by_handler,
    )
