"""Plausible dates (casework.core.dates): every form that takes a date refuses an
implausibly old and an implausibly future value, with a Chinese message, and saves nothing."""

import datetime
import importlib
import pkgutil

import pytest
from django import forms as django_forms
from django.urls import reverse
from django.utils import timezone, translation

from agreements.forms import ParticularsForm
from assistance import forms as assistance_forms
from assistance import forms_portal as assistance_portal_forms
from casework.complaints import forms as complaints_forms
from casework.complaints import forms_intake
from casework.complaints.models import Complaint
from casework.core import dates
from casework.disputes import arbitration_forms, filters, forms_portal
from casework.disputes import forms as disputes_forms
from casework.disputes.models import Dispute
from casework.legalaid import forms as legalaid_forms

OLD_DAY = "1900-01-01"
OLD_MOMENT = "1700-01-01T09:00"
FAR_DAY = "2999-01-01"
FAR_MOMENT = "2999-01-01T09:00"

TOO_OLD = "日期不能早于2000年"
FUTURE = "不能晚于"  # "…cannot be in the future" in its several wordings
TOO_FAR = "日期不能晚于10年以后"
TERM_TOO_FAR = "日期不能晚于5年以后"


def _tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def _next_hour() -> str:
    return (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")


# (form factory, field, implausibly old value, implausibly future value, expected future text)
# A form of events that already happened refuses tomorrow; a form of deadlines refuses 2999.
PAST_DAY = (OLD_DAY, _tomorrow, FUTURE)
PAST_MOMENT = (OLD_MOMENT, _next_hour, FUTURE)
DEADLINE = (OLD_DAY, lambda: FAR_DAY, TOO_FAR)
TERM = (OLD_DAY, lambda: FAR_DAY, TERM_TOO_FAR)
UPCOMING_MOMENT = (OLD_MOMENT, lambda: FAR_MOMENT, TOO_FAR)

CASES = {
    # disputes, counter
    "dispute written: received_at": ("written", "received_at", PAST_MOMENT),
    "dispute written: knew_of_infringement_on": ("written", "knew_of_infringement_on", PAST_DAY),
    "dispute written: employment_ended_on": ("written", "employment_ended_on", PAST_DAY),
    "dispute oral: received_at": ("oral", "received_at", PAST_MOMENT),
    "dispute oral: knew_of_infringement_on": ("oral", "knew_of_infringement_on", PAST_DAY),
    "dispute oral: employment_ended_on": ("oral", "employment_ended_on", PAST_DAY),
    "dispute claim: period_start": ("claim", "period_start", PAST_DAY),
    "dispute claim: period_end": ("claim", "period_end", DEADLINE),
    "dispute session: held_at": ("session", "held_at", PAST_MOMENT),
    "dispute session scheduled: starts_at": ("schedule", "starts_at", UPCOMING_MOMENT),
    "dispute extension: new_due": ("extension", "new_due", DEADLINE),
    "dispute instalment: due_date": ("instalment", "due_date", DEADLINE),
    "dispute mark: at": ("mark", "at", PAST_MOMENT),
    "dispute payment: paid_on": ("payment", "paid_on", PAST_DAY),
    "dispute arbitration filing: filed_on": ("arbitration_filing", "filed_on", PAST_DAY),
    "dispute arbitration result: closed_on": ("arbitration_result", "closed_on", PAST_DAY),
    "dispute queue filter: received_from": ("filter", "received_from", DEADLINE),
    "dispute queue filter: received_to": ("filter", "received_to", DEADLINE),
    # disputes, portal
    "dispute portal: knew_of_infringement_on": ("online", "knew_of_infringement_on", PAST_DAY),
    "dispute portal: employment_ended_on": ("online", "employment_ended_on", PAST_DAY),
    "dispute portal claim: period_start": ("online_claim", "period_start", PAST_DAY),
    # complaints
    "complaint staff intake: conduct_on": ("complaint_staff", "conduct_on", PAST_DAY),
    "complaint public form: conduct_on": ("complaint_public", "conduct_on", PAST_DAY),
    "complaint supplement: due": ("supplement", "due", DEADLINE),
    "complaint interview: held_at": ("interview", "held_at", PAST_MOMENT),
    "complaint decision: correction_due": ("decision", "correction_due", DEADLINE),
    "complaint penalty decision: decided_on": ("penalty_decision", "decided_on", PAST_DAY),
    "complaint inspection feedback: day": ("inspection_feedback", "day", PAST_DAY),
    # agreements
    "agreement: start_date": ("particulars", "start_date", TERM),
    "agreement: end_date": ("particulars", "end_date", TERM),
    "agreement: payment_date": ("particulars", "payment_date", TERM),
    # assistance
    "assistance application: applied_on": ("application", "applied_on", PAST_DAY),
    "assistance application: unemployment_registered_on": (
        "application",
        "unemployment_registered_on",
        PAST_DAY,
    ),
    "assistance portal application: unemployment_registered_on": (
        "online_application",
        "unemployment_registered_on",
        PAST_DAY,
    ),
    "assistance plan item: due_on": ("plan_item", "due_on", DEADLINE),
    "assistance placement: starts_on": ("placement_start", "starts_on", DEADLINE),
    "assistance placement: subsidy_approved_on": (
        "placement_start",
        "subsidy_approved_on",
        DEADLINE,
    ),
    "assistance placement end: ended_on": ("placement_end", "ended_on", DEADLINE),
    # legal-aid referrals
    "legal aid answer: answered_on": ("legalaid_answer", "answered_on", PAST_DAY),
    "legal aid outcome: concluded_on": ("legalaid_outcome", "concluded_on", PAST_DAY),
}


def _form(kind: str, data: dict, *, user, person):
    if kind == "legalaid_answer":
        return legalaid_forms.AnswerForm(data)
    if kind == "legalaid_outcome":
        return legalaid_forms.OutcomeForm(data)
    if kind == "written":
        return disputes_forms.WrittenIntakeForm(data, user=user)
    if kind == "oral":
        return disputes_forms.OralIntakeForm(data, user=user)
    if kind == "claim":
        return disputes_forms.ClaimForm(data)
    if kind == "session":
        return disputes_forms.SessionForm(data)
    if kind == "schedule":
        return disputes_forms.ScheduleForm(data)
    if kind == "extension":
        return disputes_forms.ExtensionForm(data)
    if kind == "instalment":
        return disputes_forms.InstalmentForm(data)
    if kind == "mark":
        return disputes_forms.MarkForm(data, settlement=None)
    if kind == "payment":
        return disputes_forms.PaymentForm(data, settlement=None)
    if kind == "arbitration_filing":
        return arbitration_forms.FilingForm(data)
    if kind == "arbitration_result":
        return arbitration_forms.ResultForm(data)
    if kind == "filter":
        return filters.QueueFilterForm(data, markets=[])
    if kind == "online":
        return forms_portal.OnlineDisputeForm(data, applicant=person)
    if kind == "online_claim":
        return forms_portal.ClaimForm(data)
    if kind == "complaint_staff":
        return complaints_forms.StaffIntakeForm(data)
    if kind == "complaint_public":
        return forms_intake.PublicComplaintForm(data)
    if kind == "supplement":
        return complaints_forms.SupplementRequestForm(data)
    if kind == "interview":
        return complaints_forms.InterviewForm(data)
    if kind == "decision":
        return complaints_forms.DecisionForm(data)
    if kind == "penalty_decision":
        complaint = Complaint(decided_at=timezone.now() - datetime.timedelta(days=30))
        return complaints_forms.PenaltyDecisionForm(data, complaint=complaint)
    if kind == "inspection_feedback":
        return complaints_forms.FeedbackForm(data)
    if kind == "particulars":
        return ParticularsForm(data)
    if kind == "application":
        return assistance_forms.ApplicationForm(data, user=user)
    if kind == "online_application":
        return assistance_portal_forms.OnlineApplicationForm(data)
    if kind == "plan_item":
        return assistance_forms.PlanItemForm(data)
    if kind == "placement_start":
        return assistance_forms.PlacementStartForm(data)
    if kind == "placement_end":
        return assistance_forms.PlacementEndForm(data)
    raise AssertionError(kind)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("which", ["old", "future"])
def test_every_date_field_refuses_an_implausible_value(
    case, which, alice_mediator, wang_worker, settings
):
    settings.CASEWORK_START_YEAR = 2000
    kind, field, (old, future, future_text) = CASES[case]
    value = old if which == "old" else future()
    with translation.override("zh-hans"):
        form = _form(kind, {field: value}, user=alice_mediator, person=wang_worker.person)
        assert not form.is_valid()
        errors = " ".join(form.errors.get(field, []))
    expected = TOO_OLD if which == "old" else future_text
    assert expected in errors, (case, value, errors)


PROJECT_PACKAGES = ("casework", "agreements", "assistance", "portal")


def _project_forms() -> set[type]:
    """Every form class the project's pages use: the leaves of the project's form classes
    (a base's fields are tested through its subclasses); their modules imported first."""
    for package in PROJECT_PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if not any(part in info.name for part in (".migrations", ".management")):
                importlib.import_module(info.name)
    found, todo = set(), [django_forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in PROJECT_PACKAGES and not sub.__subclasses__():
                found.add(sub)
    return found


def test_every_date_field_of_every_form_is_in_the_table(alice_mediator, wang_worker):
    dated = {
        (form.__name__, name)
        for form in _project_forms()
        for name, field in form.base_fields.items()
        if isinstance(field, django_forms.DateField | django_forms.DateTimeField)
    }
    tabled = {
        (type(_form(kind, {}, user=alice_mediator, person=wang_worker.person)).__name__, field)
        for kind, field, _values in CASES.values()
    }
    # A new form with a date must join CASES, so its bounds are tested too.
    assert dated - tabled == set()


def test_a_plausible_date_passes_every_bound():
    today = timezone.localdate()
    assert dates.past_day(today) == today
    assert dates.deadline_day(today + datetime.timedelta(days=365 * 9)) is not None
    assert dates.term_day(today) == today
    assert dates.birth_day(datetime.date(1950, 5, 1)) is not None
    assert dates.past_moment(timezone.now() + datetime.timedelta(minutes=1)) is not None


def test_birth_dates_start_in_1900():
    with pytest.raises(dates.ValidationError):
        dates.birth_day(datetime.date(1899, 12, 31))


def test_the_start_year_is_a_setting(settings):
    settings.CASEWORK_START_YEAR = 2015
    with pytest.raises(dates.ValidationError) as error:
        dates.past_day(datetime.date(2014, 12, 31))
    assert "2015" in error.value.messages[0]
    settings.CASEWORK_START_YEAR = 1950  # never below the database floor
    assert dates.earliest_day() == dates.DB_FLOOR


def test_an_agreement_term_lies_in_a_window_around_today():
    today = timezone.localdate()
    three_years_ago = (today - datetime.timedelta(days=3 * 366)).isoformat()
    with translation.override("zh-hans"):
        form = ParticularsForm({"start_date": three_years_ago})
        form.is_valid()
        assert "日期不能早于2年以前" in " ".join(form.errors["start_date"])


def test_an_agreement_term_has_a_maximum_length(settings):
    settings.CASEWORK_TERM_MAX_DAYS = 30
    today = timezone.localdate()
    data = {"start_date": today.isoformat(), "end_date": (today + datetime.timedelta(days=40))}
    with translation.override("zh-hans"):
        form = ParticularsForm(data)
        form.is_valid()
        assert "协议期限不能超过30天" in " ".join(form.errors["end_date"])


@pytest.mark.parametrize("received_at", [OLD_MOMENT, FAR_MOMENT])
def test_an_absurd_receipt_time_at_the_counter_saves_nothing(
    client, market, alice_mediator, received_at
):
    client.force_login(alice_mediator)
    response = client.post(
        reverse("disputes:file"),
        {"received_at": received_at, "matter": "欠薪", "reasons": "未付工资"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("received_at")
    assert not Dispute.objects.exists()
