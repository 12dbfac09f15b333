"""Complaint fixtures, shared by every test package (tests/conftest.py loads this module as a
plugin). Factories: job intermediaries in the registry, and complaints brought to any state
the way users do (an anonymous web complaint that olga the complaint officer takes, accepts,
investigates, decides and closes; sam the supervisor approves an extension)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from casework.complaints import services
from casework.complaints.models import Channel, Complaint, Interview, Outcome, ReferralTarget
from casework.complaints.penalties import Conduct
from casework.core.audit import Actor
from casework.parties.models import Organization

S = Complaint.State
# Unified social credit codes with correct check characters (GB 32100-2015).
INTERMEDIARY_USCC = "91330100MA2B000018"
SECOND_INTERMEDIARY_USCC = "91330100MA2B00002B"


def actor(user) -> Actor:
    return Actor(user=user, role=",".join(g.name for g in user.groups.all()), client_ip="10.0.0.9")


def public() -> Actor:
    return Actor(user=None, role="public", client_ip="203.0.113.5")


def make_intermediary(name="速聘人力中介", credit_code=INTERMEDIARY_USCC, **extra) -> Organization:
    return Organization.objects.create(
        kind=Organization.Kind.INTERMEDIARY,
        name=name,
        credit_code=credit_code,
        licence_number=extra.pop("licence_number", "（浙）人服证字〔2024〕第0101号"),
        licence_status=extra.pop("licence_status", Organization.LicenceStatus.VALID),
        address=extra.pop("address", "测试区人民路1号"),
        **extra,
    )


@pytest.fixture
def intermediary(db) -> Organization:
    return make_intermediary()


def file_anonymous(market, **overrides) -> services.Filed:
    details = {
        "market": market,
        "channel": Channel.WEB,
        "categories": [Conduct.DEPOSIT, Conduct.ID_WITHHELD],
        "facts": "该中介收取每人300元押金，并扣押身份证，至今未退还。",
        "conduct_on": timezone.localdate() - datetime.timedelta(days=20),
        "respondent_name_given": "速聘人力中介",
        "respondent_details_given": "测试区人民路1号二楼",
        "anonymous": True,
        "deposit_amount": Decimal("900.00"),
        "deposit_workers": 3,
        "actor": public(),
    }
    details.update(overrides)
    return services.complaint_file(**details)


def interview(complaint, officer) -> Interview:
    return services.interview_record(
        complaint=complaint,
        held_at=timezone.now() - datetime.timedelta(hours=1),
        place="测试区零工市场调查室",
        interviewee_role=Interview.Role.RESPONDENT,
        interviewee_name="钱经理",
        interviewee_position="负责人",
        investigators="olga、sam",
        record="问：是否收取押金？答：收取了三名工人的押金，每人300元。",
        actor=actor(officer),
    )


ORDER = services.Decision(
    outcome=Outcome.ORDER_TO_CORRECT,
    conduct_found=Conduct.DEPOSIT,
    workers_affected=3,
    findings="经查，被投诉人向三名劳动者每人收取押金300元。",
    measures="限期退还三名劳动者押金共900元。",
    correction_due=None,  # set to a future day by the factory
)

PATH = {
    S.ACCEPTED: [S.ACCEPTED],
    S.INVESTIGATING: [S.ACCEPTED, S.INVESTIGATING],
    S.DECIDED: [S.ACCEPTED, S.INVESTIGATING, S.DECIDED],
    S.RESPONDENT_HEARD: [S.ACCEPTED, S.INVESTIGATING, S.DECIDED, S.RESPONDENT_HEARD],
    S.CLOSED: [S.ACCEPTED, S.INVESTIGATING, S.DECIDED, S.RESPONDENT_HEARD, S.CLOSED],
    S.AWAITING_FEEDBACK: [S.ACCEPTED, S.INVESTIGATING, S.AWAITING_FEEDBACK],
}
LABOUR_INSPECTION_BODY = "测试区劳动保障监察大队"


def decision_post(items: list[dict], **fields) -> dict:
    """The decision page's POST: its fields and one formset row per conduct in ``items``
    (conduct, measures, workers_affected, amount, justification)."""
    data = {
        "items-TOTAL_FORMS": str(max(len(items), 1)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
        **fields,
    }
    for index, item in enumerate(items):
        data.update({f"items-{index}-{name}": value for name, value in item.items()})
    return data


def bring_to(complaint: Complaint, state: str, officer, *, decision=None) -> Complaint:
    """Run the steps officers take from received (taken, respondent identified) to ``state``."""
    by = actor(officer)
    for step in PATH.get(state, []):
        if step == S.ACCEPTED:
            services.complaint_accept(complaint=complaint, actor=by)
        elif step == S.INVESTIGATING:
            services.investigation_start(complaint=complaint, actor=by)
        elif step == S.DECIDED:
            interview(complaint, officer)
            chosen = decision or ORDER
            if chosen.outcome == Outcome.ORDER_TO_CORRECT and chosen.correction_due is None:
                chosen = services.Decision(
                    **{
                        **chosen.__dict__,
                        "correction_due": timezone.localdate() + datetime.timedelta(days=10),
                    }
                )
            services.complaint_decide(complaint=complaint, decision=chosen, actor=by)
        elif step == S.RESPONDENT_HEARD:
            services.respondent_hear(
                complaint=complaint,
                statement="对调查认定的事实无异议，愿意退还押金。",
                waived=False,
                actor=by,
            )
        elif step == S.CLOSED:
            services.complaint_close(complaint=complaint, result="", actor=by)
        elif step == S.AWAITING_FEEDBACK:
            services.complaint_refer(
                complaint=complaint,
                target=ReferralTarget.LABOUR_INSPECTION,
                body=LABOUR_INSPECTION_BODY,
                reason="涉及拖欠劳动报酬，属劳动保障监察职责。",
                actor=by,
            )
        complaint.refresh_from_db()
    return complaint


@pytest.fixture
def make_complaint(market, olga_officer, intermediary):
    """make_complaint(state) -> a complaint filed anonymously on the web, taken by olga."""

    def make(state: str = S.RECEIVED, *, respondent=intermediary, decision=None, **filing):
        filed = file_anonymous(market, **filing)
        complaint = filed.complaint
        complaint.tracking_code = filed.tracking_code
        services.complaint_take(complaint=complaint, actor=actor(olga_officer))
        if respondent is not None:
            services.respondent_link(
                complaint=complaint, respondent=respondent, actor=actor(olga_officer)
            )
        complaint.refresh_from_db()
        bring_to(complaint, state, olga_officer, decision=decision)
        complaint.tracking_code = filed.tracking_code
        return complaint

    return make
