"""Bulk loaded complaints (seed_load --complaints) are real, consistent complaints."""

import datetime
import json
import re
from collections import Counter
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric, uscc
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from casework.complaints import services
from casework.complaints.load import OPEN_MIX, _Workdays, load_complaints
from casework.complaints.models import (
    Complaint,
    DecisionItem,
    ExtensionRequest,
    Interview,
    NotAcceptedReason,
    Outcome,
    PenaltyDecision,
    ReferralTarget,
    Sanction,
)
from casework.complaints.penalties import rule_for
from casework.core import calendar
from casework.core.audit import Actor, verify_chains
from casework.core.flows import open_task
from casework.core.models import CaseEvent, ChainHead, CodeSequence, HolidayOverride, Market
from casework.core.roles import Role
from casework.parties.models import Organization, Person
from tests.invariants import assert_invariants

S = Complaint.State
# The open task of a complaint in each open state (casework/complaints/flows.py).
OPEN_TASK = {
    S.RECEIVED: {"acceptance", "acceptance_again"},
    S.SUPPLEMENT_REQUESTED: {"await_supplement"},
    S.ACCEPTED: {"investigate"},
    S.INVESTIGATING: {"investigate"},
    S.DECIDED: {"hearing"},
    S.RESPONDENT_HEARD: {"closing"},
    S.AWAITING_FEEDBACK: {"await_feedback"},
}


def seed_load(**options) -> dict:
    out = StringIO()
    call_command("seed_load", stdout=out, stderr=StringIO(), **options)
    return json.loads(out.getvalue().splitlines()[-1])


@pytest.fixture
def loaded(db) -> dict:
    return seed_load(complaints=160, seed=7)


@pytest.fixture
def waiting(loaded) -> Complaint:
    """A loaded complaint from the portal or the public form that nobody has taken."""
    load_complaints(40, market=Market.objects.get(code="cd"), mix={S.RECEIVED: 1}, seed=1)
    return Complaint.objects.filter(state=S.RECEIVED, owner=None).first()


def officer_of(market: Market) -> User:
    return User.objects.filter(
        groups__name=Role.COMPLAINT_OFFICER, staff_profile__markets=market
    ).first()


def as_actor(user: User) -> Actor:
    return Actor(user=user, role=",".join(g.name for g in user.groups.all()))


# -- what is written --------------------------------------------------------------------------


def test_seed_load_prints_the_counts_it_wrote(loaded):
    assert loaded["market"] == "cd"
    report = loaded["complaints"]
    assert report["complaints"] == Complaint.objects.count() == 160
    by_state = dict(Complaint.objects.values_list("state").annotate(n=Count("pk")))
    assert report["states"] == by_state
    assert set(by_state) >= set(OPEN_MIX)  # every open state, at least once
    assert report["open"] == sum(by_state[state] for state in OPEN_MIX) == len(OPEN_MIX)
    assert set(by_state) - set(OPEN_MIX) == {S.CLOSED, S.NOT_ACCEPTED, S.REFERRED}
    assert report["interviews"] == Interview.objects.count()
    assert report["decision_items"] == DecisionItem.objects.count()
    assert report["extension_requests"] == ExtensionRequest.objects.count()
    assert report["sanctions"] == Sanction.objects.count()
    assert report["penalty_decisions"] == PenaltyDecision.objects.count()
    assert report["anonymous"] == Complaint.objects.filter(anonymous=True).count()
    assert report["processes"] == Complaint.objects.exclude(process=None).count()
    assert report["events"] == CaseEvent.objects.count()


def test_closed_complaints_end_as_their_counts_say(loaded):
    closed = Complaint.objects.filter(state=S.CLOSED)
    ended = Counter(
        "feedback" if c.referral_target == ReferralTarget.LABOUR_INSPECTION else c.outcome
        for c in closed
    )
    assert dict(ended) == loaded["complaints"]["closed_by"]
    assert set(ended) >= {Outcome.ORDER_TO_CORRECT, Outcome.NO_VIOLATION}
    assert Complaint.objects.filter(state=S.NOT_ACCEPTED).exclude(not_accepted_reason="").exists()


def test_codes_are_unique_and_complaints_filed_later_continue_after_them(loaded, settings):
    codes = list(Complaint.objects.values_list("code", "received_at"))
    for code, received_at in codes:
        assert re.fullmatch(rf"IC-{timezone.localtime(received_at).year}-\d{{6}}", code)
    year = timezone.localdate().year
    last = CodeSequence.objects.get(prefix="IC", year=year).last
    assert last == max(int(code[-6:]) for code, _at in codes if code.startswith(f"IC-{year}-"))
    market = Market.objects.get(code="cd")
    later = services.complaint_file(
        market=market,
        channel="counter",
        categories=["deposit"],
        facts="收了押金不退。",
        conduct_on=timezone.localdate(),
        respondent_name_given="某中介",
        complainant_name="王五",
        contact_mobile="13800000000",
        deposit_amount=Decimal("300"),
        deposit_workers=1,
        actor=as_actor(officer_of(market)),
    ).complaint
    assert later.code == f"IC-{year}-{last + 1:06d}"


def test_parties_are_valid_and_anonymous_complaints_name_nobody(loaded):
    for person in Person.objects.all():
        assert ric.is_valid(person.id_number), person.id_number
    intermediaries = Organization.objects.filter(kind=Organization.Kind.INTERMEDIARY)
    assert intermediaries.exists()
    for org in intermediaries:
        assert uscc.is_valid(org.credit_code), org.credit_code
        assert org.licence_number and org.licence_status
    anonymous = Complaint.objects.filter(anonymous=True)
    assert anonymous.exists()
    assert not anonymous.exclude(complainant=None, complainant_name="").exists()
    assert not Complaint.objects.filter(channel="portal", complainant=None).exists()


def test_dates_and_deadlines_are_the_ones_the_services_store(loaded):
    today = timezone.localdate()
    recent = timezone.now() - datetime.timedelta(minutes=10)
    for c in Complaint.objects.all():
        received = timezone.localtime(c.received_at)
        assert received <= timezone.now() and c.conduct_on <= received.date()
        due = calendar.add_working_days(received.date(), settings.COMPLAINT_ACCEPTANCE_WORKING_DAYS)
        if c.supplement_received_at:
            asked = timezone.localdate(c.supplement_requested_at)
            due = calendar.resume_after_pause(
                due, asked, timezone.localdate(c.supplement_received_at)
            )
        assert c.acceptance_due == due, c.code
        if c.accepted_at:
            assert c.respondent_id and c.within_two_years(), c.code
            due = calendar.add_working_days(
                timezone.localdate(c.accepted_at), settings.COMPLAINT_INVESTIGATION_WORKING_DAYS
            )
            if c.extended:
                due = calendar.add_working_days(due, settings.COMPLAINT_EXTENSION_WORKING_DAYS)
            assert c.investigation_due == due, c.code
        if c.referral_target == ReferralTarget.LABOUR_INSPECTION:
            assert c.feedback_due == calendar.add_working_days(
                timezone.localdate(c.referred_at), settings.COMPLAINT_REFERRAL_FEEDBACK_WORKING_DAYS
            )
        if c.not_accepted_reason == NotAcceptedReason.TOO_OLD:
            assert not c.within_two_years()
        if c.state in Complaint.FINAL_STATES:
            assert c.closed_at and c.closed_at <= timezone.now() and c.owner_id
        moments = [c.received_at, c.accepted_at, c.decided_at, c.heard_at, c.closed_at]
        moments = [m for m in moments if m]
        assert moments == sorted(moments), c.code
        for step in moments[1:]:  # taken in office hours (or the moment it came in, or now)
            local = timezone.localtime(step).time()
            office = datetime.time(8, 30) <= local <= datetime.time(17, 30)
            assert office or step == c.received_at or step > recent, (c.code, step)
        assert c.correction_due is None or c.correction_due > timezone.localdate(c.decided_at)
    assert PenaltyDecision.objects.filter(decided_on__gt=today).count() == 0


def test_decisions_list_their_conducts_as_the_services_would(loaded):
    decided = Complaint.objects.exclude(outcome="").prefetch_related("decision_items")
    assert decided.exists()
    for c in decided:
        items = list(c.decision_items.all())
        assert c.interviews.exists(), c.code  # nobody decides without one
        if c.outcome == Outcome.NO_VIOLATION:
            assert items == [] and c.conduct_found == ""
            continue
        assert items and c.conduct_found == items[0].conduct
        assert c.workers_affected == items[0].workers_affected
        for item in items:
            line = services.Item(
                item.conduct, tuple(item.measures), item.workers_affected, item.amount
            )
            assert services.item_problems(c.outcome, line) == {}, (c.code, item.conduct)
        if c.outcome == Outcome.PENALTY_PROPOSED:
            assert c.penalty_amount == sum(item.amount for item in items)
    for sanction in Sanction.objects.select_related("complaint"):
        complaint = sanction.complaint
        assert sanction.intermediary_id == complaint.respondent_id
        assert sanction.conduct == complaint.conduct_found
        if sanction.outcome == "order_to_correct":  # published at closing, as _publish_sanction
            assert complaint.outcome == Outcome.ORDER_TO_CORRECT
            conducts = complaint.decision_items.values_list("conduct", flat=True)
            corrections = "；".join(rule_for(conduct).correction for conduct in conducts)
            assert sanction.measures == corrections
        else:  # a fine or a warning the labour administration decided
            decision = complaint.penalty_decision
            assert (decision.penalty, decision.amount) == (sanction.outcome, sanction.amount)
    closed_orders = Complaint.objects.filter(state=S.CLOSED, outcome=Outcome.ORDER_TO_CORRECT)
    assert Sanction.objects.filter(outcome="order_to_correct").count() == closed_orders.count()


# -- open complaints: process, tasks, trail --------------------------------------------------


def test_open_complaints_have_the_process_tasks_and_trail_the_services_leave(loaded):
    for c in Complaint.objects.select_related("process"):
        if c.state in Complaint.FINAL_STATES:
            assert c.process is None and not c.events.exists()
            continue
        assert c.process.artifact_object_id == c.pk and c.process.status == PROCESS.NEW
        task = open_task(c)
        assert task.flow_task.name in OPEN_TASK[c.state], (c.code, task.flow_task.name)
        if c.owner_id:
            assert (task.status, task.owner_id) == (STATUS.ASSIGNED, c.owner_id)
        else:  # in the queue: only a complaint from the portal or the public form
            assert c.state == S.RECEIVED and c.channel in ("portal", "web")
            assert (task.status, task.owner_id) == (STATUS.NEW, None)
            assert task.owner_permission == "complaints.work_complaint"
        tasks = list(Task.objects.filter(process=c.process).order_by("pk"))
        assert tasks[0].flow_task.name == "start" and tasks[-1] == task
        for before, after in pairwise(tasks):  # one chain, as made
            assert list(after.previous.all()) == [before]
            assert before.status == STATUS.DONE and before.finished <= after.created
        events = list(c.events)
        assert events[0].action == "filed" and events[-1].to_state == c.state
        head = ChainHead.objects.get(subject_type=events[0].subject_type, subject_id=c.pk)
        assert head.seq == len(events)
    assert verify_chains()[1] == []


def test_loaded_complaints_break_no_invariant(loaded):
    assert_invariants()
    out = StringIO()
    call_command("check_invariants", stdout=out, stderr=StringIO())  # exits 1 on any


# -- the services and pages carry on from them ------------------------------------------------


def test_an_officer_takes_a_loaded_complaint_from_the_queue_and_accepts_it(waiting):
    officer = officer_of(waiting.market)
    me = as_actor(officer)

    assert services.complaint_take(complaint=waiting, actor=me)
    intermediary = Organization.objects.filter(kind=Organization.Kind.INTERMEDIARY).first()
    services.respondent_link(complaint=waiting, respondent=intermediary, actor=me)
    services.complaint_accept(complaint=waiting, actor=me)

    waiting.refresh_from_db()
    assert (waiting.state, waiting.owner) == (S.ACCEPTED, officer)
    task = open_task(waiting)
    assert (task.flow_task.name, task.owner) == ("investigate", officer)
    actions = [e.action for e in waiting.events]
    assert actions == ["filed", "claimed", "respondent_identified", "accept"]
    assert verify_chains()[1] == []
    assert_invariants()


def test_the_holder_of_a_loaded_decided_complaint_hears_and_closes_it(loaded):
    decided = Complaint.objects.get(state=S.DECIDED)
    me = as_actor(decided.owner)

    services.respondent_hear(complaint=decided, statement="", waived=True, actor=me)
    services.complaint_close(complaint=decided, result="", actor=me)

    decided.refresh_from_db()
    assert decided.state == S.CLOSED and decided.process.status == PROCESS.DONE
    assert open_task(decided) is None
    assert_invariants()


def test_the_queue_and_the_case_pages_show_loaded_complaints(waiting, client):
    client.force_login(officer_of(waiting.market))

    page = client.get(reverse("complaints:queue") + "?show=unassigned")
    assert page.status_code == 200
    assert waiting.code in page.content.decode()
    open_ones = Complaint.objects.exclude(state__in=Complaint.FINAL_STATES)
    shown = [waiting, *(open_ones.filter(state=state).first() for state in OPEN_MIX)]
    shown += [Complaint.objects.filter(state=state).first() for state in Complaint.FINAL_STATES]
    for complaint in shown:
        page = client.get(reverse("complaints:detail", args=[complaint.code]))
        assert page.status_code == 200, complaint.state
        assert complaint.code in page.content.decode()
    assert client.get(reverse("complaints:intermediaries")).status_code == 200
    sanctioned = client.get(reverse("complaints_public:sanctioned"))
    listed = Sanction.objects.select_related("intermediary").first()
    assert sanctioned.status_code == 200 and listed.intermediary.name in sanctioned.content.decode()


# -- loading again -----------------------------------------------------------------------------


def test_loading_again_and_into_another_market_collides_with_nothing(loaded, market, other_market):
    seed_load(complaints=60, seed=7)  # the same seed, the same market
    load_complaints(50, market=other_market, seed=7)
    load_complaints(40, market=market, seed=7, batch_size=7)

    complaints = Complaint.objects.all()
    assert complaints.count() == 160 + 60 + 50 + 40
    assert complaints.values("code").distinct().count() == complaints.count()
    assert complaints.values("tracking_hash").distinct().count() == complaints.count()
    for m, n in (("cd", 220), ("other", 50), ("test", 40)):
        assert complaints.filter(market__code=m).count() == n
    # Each market's open complaints are held by its own officers.
    for complaint in complaints.exclude(owner=None).select_related("market"):
        assert officer_of(complaint.market) is not None
        assert complaint.owner.staff_profile.markets.filter(pk=complaint.market_id).exists()
    year = timezone.localdate().year
    numbers = [int(c[-6:]) for c in complaints.values_list("code", flat=True) if f"-{year}-" in c]
    assert CodeSequence.objects.get(prefix="IC", year=year).last == max(numbers)
    assert verify_chains()[1] == []
    assert_invariants()


def test_a_province_load_spreads_complaints_beside_disputes_and_resumes(db):
    """With --markets the loaders share the ID numbers and credit codes in use."""
    report = seed_load(markets=3, disputes=60, complaints=90, seed=3)

    assert report["complaints"]["complaints"] == Complaint.objects.count() == 90
    counts = [Complaint.objects.filter(market__code=f"p00{n}").count() for n in (1, 2, 3)]
    assert counts == sorted(counts, reverse=True) and min(counts) > 0
    numbers = list(Person.objects.values_list("id_number", flat=True))
    assert len(numbers) == len(set(numbers))
    again = seed_load(markets=3, complaints=90, seed=3)
    assert again["complaints"] == {"wanted": 90, "already_there": 90}
    assert_invariants()


def complaint_rows_estimate() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'complaints_complaint'")
        return cursor.fetchone()[0]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL's statistics are refreshed"
)
def test_only_a_load_that_grows_a_table_by_a_tenth_refreshes_its_statistics(loaded, market):
    assert complaint_rows_estimate() == 160  # the first load: analyzed
    load_complaints(10, market=market, seed=1)
    assert complaint_rows_estimate() == 160  # a few percent more: left to autovacuum
    load_complaints(100, market=market, seed=2)
    assert complaint_rows_estimate() == 270


def test_the_working_days_kept_between_loads_follow_new_calendar_overrides(db):
    first, last = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    monday = datetime.date(2025, 3, 3)
    before = _Workdays(first, last)
    assert monday.toordinal() in before.ordinals
    assert before.add(monday.toordinal() - 1, 1) == monday.toordinal()

    HolidayOverride.objects.create(date=monday, is_workday=False, name="测试假日")

    after = _Workdays(first, last)
    assert monday.toordinal() not in after.ordinals
    assert (
        after.add(monday.toordinal() - 1, 1)
        == calendar.add_working_days(monday - datetime.timedelta(days=1), 1).toordinal()
    )
