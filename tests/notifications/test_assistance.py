"""Hardship assistance texts (assistance/notifications.py): acceptance, the decision, the
placement and the end of a post's term; one per event and recipient."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from assistance import notifications as notices
from assistance import services
from assistance.models import AssistanceCase
from casework.core.models import SmsMessage
from casework.notifications.models import Notification
from casework.notifications.tasks import deliver
from tests.assistance.fixtures import actor

pytestmark = pytest.mark.django_db
S = AssistanceCase.State
Status = Notification.Status
MOBILE = "13600136001"  # the applicant's


def rows(case, template):
    return list(Notification.objects.filter(subject_id=case.pk, template=template))


def test_an_application_is_acknowledged_once_whatever_runs_twice(
    market, applicant, carol_caseworker, twice
):
    with twice():
        case = services.case_apply(market=market, person=applicant, actor=actor(carol_caseworker))
    (row,) = rows(case, notices.ACCEPTED)
    assert deliver.delay(row.pk).get() == Status.SENT
    (text,) = SmsMessage.objects.filter(subject_label=case.code)
    assert text.to == MOBILE and f"认定申请（{case.code}）已于" in text.text
    due = case.review_due
    assert f"{due.year}年{due.month}月{due.day}日前完成初审" in text.text


def test_a_certification_is_told_with_its_tier_and_expiry(new_case):
    case = new_case(S.CERTIFIED)
    (row,) = rows(case, notices.CERTIFIED)
    expires = case.certification_expires
    assert row.recipient == MOBILE and f"服务等级{case.tier}级" in row.text
    assert f"有效期至{expires.year}年{expires.month}月{expires.day}日" in row.text


def test_a_declined_application_gives_the_reason(new_case, carol_caseworker):
    case = new_case(S.UNDER_REVIEW)
    services.case_decline(case=case, actor=actor(carol_caseworker), reason="不符合认定条件")
    (row,) = rows(case, notices.DECLINED)
    assert "原因：不符合认定条件" in row.text


def test_the_placement_and_the_start_in_post_are_told(new_case):
    case = new_case(S.IN_POST)
    (approved,) = rows(case, notices.PLACEMENT_APPROVED)
    assert "社区保洁员" in approved.text and "测试区城市管理服务中心" in approved.text
    (started,) = rows(case, notices.POST_STARTED)
    placement = case.placements.get()
    ends = placement.term_ends_on
    assert f"岗位期限至{ends.year}年{ends.month}月{ends.day}日" in started.text


def test_the_end_of_a_term_is_told_once_within_thirty_days(
    new_case, django_capture_on_commit_callbacks
):
    case = new_case(S.IN_POST)
    ends = case.placements.get().term_ends_on
    assert services.remind_term_ending() == 0  # years away
    for days_before in (notices.TERM_ENDING_DAYS, 20, 1):
        day = timezone.make_aware(
            datetime.datetime.combine(ends - datetime.timedelta(days=days_before), datetime.time(9))
        )
        hooks = django_capture_on_commit_callbacks(execute=True)
        with time_machine.travel(day, tick=False), hooks:
            services.remind_term_ending()
    (row,) = rows(case, notices.TERM_ENDING)
    assert row.status == Status.SENT and "社区保洁员" in row.text
    assert SmsMessage.objects.filter(template=notices.TERM_ENDING).count() == 1


def test_a_gateway_that_times_out_leaves_the_application_recorded(
    market, applicant, carol_caseworker, timing_out, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_apply(market=market, person=applicant, actor=actor(carol_caseworker))
    assert AssistanceCase.objects.filter(pk=case.pk, state=S.APPLIED).exists()
    (row,) = rows(case, notices.ACCEPTED)
    assert (row.status, row.attempts) == (Status.QUEUED, 1)
