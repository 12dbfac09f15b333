"""The complaint page and the steps recorded on it.

Every step: login, the complaint looked up within the user's markets (404
outside them), the step's permission and the holder rule (403), the state (a
message otherwise), the form, one service call, a redirect to the complaint
page. A form that does not validate, or that a service refuses, is shown again
with its errors (status 200) and nothing is saved. Small step forms are also
shown on the complaint page itself; they post to the same step URLs.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from casework.complaints import forms, services
from casework.complaints.models import Complaint, ComplaintEvidence, ExtensionRequest, Interview
from casework.complaints.penalties import (
    MEASURE_BASIS,
    MEASURE_ZH,
    RULES,
    Conduct,
    Measure,
    measure_basis,
    rule_for,
)
from casework.complaints.views.common import (
    APPROVE,
    REASSIGN,
    WORK,
    add_service_errors,
    clock,
    complaint_for,
    not_now,
    repeat_rule,
    run,
    to_case,
    today,
    user_name,
)
from casework.core.audit import Actor, log_access
from casework.core.calendar import WorkCalendar
from casework.core.diagram import labelled_events, state_overview
from casework.core.formtokens import one_time_form
from casework.core.locking import reread
from casework.core.models import AccessLog
from casework.documents.access import documents_of
from casework.parties import identifiers

S = Complaint.State
OPEN_STATES = tuple(s for s in S.values if s not in Complaint.FINAL_STATES)


@dataclass(frozen=True)
class Step:
    """Who may record a step (``perm``; ``holder``: only the officer holding the complaint;
    ``or_perm``: also whoever has it, holder or not) and when its URL runs the service (in
    ``states``, and if ``ready`` says the complaint is ready for it)."""

    perm: str
    states: tuple[str, ...]
    title: str | Promise
    holder: bool = True
    or_perm: str = ""
    ready: Callable[[Complaint], bool] | None = None

    def open_on(self, complaint: Complaint) -> bool:
        return complaint.state in self.states and (self.ready is None or self.ready(complaint))


STEPS: dict[str, Step] = {
    "respondent": Step(
        WORK, Complaint.ACCEPTANCE_STATES, gettext_lazy("Identify the intermediary")
    ),
    # Runs in both acceptance states so that a second notice gets the service's own answer.
    "supplement_request": Step(
        WORK, Complaint.ACCEPTANCE_STATES, gettext_lazy("Ask for the missing material (one notice)")
    ),
    "supplement_receive": Step(
        WORK, (S.SUPPLEMENT_REQUESTED,), gettext_lazy("Record the supplement")
    ),
    "accept": Step(WORK, (S.RECEIVED,), gettext_lazy("Accept")),
    "not_accept": Step(WORK, Complaint.ACCEPTANCE_STATES, gettext_lazy("Do not accept")),
    "start_investigation": Step(WORK, (S.ACCEPTED,), gettext_lazy("Start the investigation")),
    "interview": Step(
        WORK, (S.INVESTIGATING,), gettext_lazy("Record an investigation record (调查笔录)")
    ),
    "extension_request": Step(
        WORK, Complaint.INVESTIGATION_STATES, gettext_lazy("Ask for more time (extension)")
    ),
    "extension_decide": Step(
        "complaints.approve_extension",
        Complaint.INVESTIGATION_STATES,
        gettext_lazy("Decide on the extension"),
        holder=False,
    ),
    "decide": Step(WORK, (S.INVESTIGATING,), gettext_lazy("Record the decision")),
    "hear": Step(WORK, (S.DECIDED,), gettext_lazy("Record the respondent's statement")),
    # Open while labour inspection's feedback is awaited too, so that closing early gets
    # the service's own refusal; the page offers it only once the feedback is in.
    "close": Step(
        WORK,
        (S.RESPONDENT_HEARD, S.AWAITING_FEEDBACK),
        gettext_lazy("Close and tell the complainant"),
    ),
    "feedback": Step(
        WORK,
        (S.AWAITING_FEEDBACK,),
        gettext_lazy("Record the inspection's feedback"),
        ready=Complaint.awaits_feedback,
    ),
    "refer": Step(WORK, Complaint.INVESTIGATION_STATES, gettext_lazy("Refer to another authority")),
    "evidence": Step(WORK, OPEN_STATES, gettext_lazy("Add evidence")),
    # After closing: the labour administration's decision on the penalty proposed, entered
    # by the officer who held the complaint or a supervisor of its market.
    "penalty_decision": Step(
        WORK,
        (S.CLOSED,),
        gettext_lazy("Record the labour administration's decision"),
        or_perm=APPROVE,
        ready=Complaint.awaits_penalty_decision,
    ),
}

STEP_INTROS = {
    "supplement_request": gettext_lazy(
        "One notice lists every missing item (一次性告知); a second notice cannot be "
        "issued. The acceptance clock stops until the items arrive."
    ),
    "not_accept": gettext_lazy(
        "A complaint is accepted if the conduct is within the last 2 years, has an "
        "identified respondent and is within this office's power. Otherwise the complainant "
        "is told in writing why, and which authority can handle it."
    ),
    "extension_request": gettext_lazy(
        "The investigation can be extended once, with the approval of a supervisor other than you."
    ),
    "hear": gettext_lazy(
        "Record the respondent's statement and defence (陈述、申辩) on the decision; the "
        "decision tells it of its rights to review and lawsuit."
    ),
    "refer": gettext_lazy(
        "Refer what is beyond this office's power: the referral letter (移送函) is issued "
        "and the complainant is told. A complaint referred to labour inspection stays open "
        "until the inspection reports back: record its feedback, then close it."
    ),
    "feedback": gettext_lazy(
        "Enter what labour inspection reported on the complaint referred to it, from its "
        "reply: the date, the result and its reference number. The complaint can then be "
        "closed and the complainant told the result."
    ),
    "penalty_decision": gettext_lazy(
        "Enter the decision the labour administration made on the penalty this office "
        "proposed, from its decision document (行政处罚决定书). A fine or a warning is "
        "published on the public list of sanctions, a fine with the amount decided; no "
        "penalty publishes nothing. The complainant is told."
    ),
}

# Names of the audit rows that are not transitions (those carry their own labels).
EVENT_LABELS = {
    "filed": gettext_lazy("Complaint received"),
    "evidence_added": gettext_lazy("Evidence added"),
    "respondent_identified": gettext_lazy("Intermediary identified in the registry"),
    "interview_recorded": gettext_lazy("Investigation record made"),
    "extension_requested": gettext_lazy("Extension requested"),
    "extension_approved": gettext_lazy("Extension approved"),
    "extension_refused": gettext_lazy("Extension refused"),
    "overdue": gettext_lazy("Time limit passed"),
    "penalty_decision_recorded": gettext_lazy("Labour administration's decision recorded"),
}


@dataclass(frozen=True)
class ItemRow:
    """One conduct of the decision as the case page shows it."""

    conduct: str
    measures: list[str]
    workers_affected: int | None
    amount: Decimal | None
    justification: str
    basis: str


def decision_rows(complaint: Complaint) -> list[ItemRow]:
    rows = []
    for item in complaint.decision_items.all():
        bases = [measure_basis(m, item.conduct) for m in item.measures]
        rule = rule_for(item.conduct)
        if rule is not None:
            bases.insert(0, rule.basis)
        rows.append(
            ItemRow(
                conduct=item.get_conduct_display(),
                measures=item.measure_labels(),
                workers_affected=item.workers_affected,
                amount=item.amount,
                justification=item.justification,
                basis="；".join(dict.fromkeys(b for b in bases if b)),
            )
        )
    return rows


def step_refusal(user, complaint: Complaint, name: str) -> str | None:
    """Why ``user`` may not record step ``name`` on ``complaint`` (None when they may)."""
    step = STEPS[name]
    if step.or_perm and user.has_perm(step.or_perm):
        return None
    if not user.has_perm(step.perm):
        return _("You may not take this step.")
    if step.holder and complaint.owner_id != user.pk:
        if complaint.owner_id is not None:
            return _("This complaint is held by %(name)s.") % {"name": user_name(complaint.owner)}
        return _("Take this complaint before working on it.")
    return None


def available_steps(
    user, complaint: Complaint, *, pending: ExtensionRequest | None, interviews: list
) -> set[str]:
    """The steps offered on the complaint page to this user now."""
    steps = {
        name
        for name, step in STEPS.items()
        if step.open_on(complaint) and step_refusal(user, complaint, name) is None
    }
    extra = {
        # The one notice: never offered again once issued.
        "supplement_request": complaint.state == S.RECEIVED
        and complaint.supplement_requested_at is None,
        "accept": complaint.respondent_id is not None,
        "extension_request": not complaint.extended and pending is None,
        "extension_decide": pending is not None and pending.requested_by_id != user.pk,
        "decide": bool(interviews),
        "close": complaint.feedback_in(),
    }
    steps -= {name for name, ok in extra.items() if not ok}
    open_case = complaint.state not in Complaint.FINAL_STATES
    if open_case and complaint.owner_id is None and user.has_perm(WORK):
        steps.add("take")
    if open_case and user.has_perm(REASSIGN):
        steps.add("reassign")
    return steps


def _require_step(request, complaint: Complaint, name: str) -> None:
    refusal = step_refusal(request.user, complaint, name)
    if refusal is not None:
        raise PermissionDenied(refusal)


# -- the complaint page -----------------------------------------------------------------


def case_documents(user, complaint: Complaint, interviews: list[Interview]):
    """The documents of the complaint and of its investigation records this user may open."""
    return documents_of(user, complaint, interviews)


def case_header(complaint: Complaint) -> dict:
    """Context for complaints/_header.html, shown on every page of a complaint."""
    day = today()
    respondent = complaint.respondent
    return {
        "complaint": complaint,
        "clock": clock(complaint, WorkCalendar(), day),
        "overdue": complaint.is_overdue(day),
        "repeat_offender": respondent is not None and services.is_repeat_offender(respondent),
        "repeat_rule": repeat_rule(),
    }


def may_see_contact(user, complaint: Complaint) -> bool:
    """The officer holding the complaint (to reach the complainant) and who may see full data."""
    if complaint.anonymous or not complaint.notice_mobile:
        return False
    holds = user.has_perm(WORK) and complaint.owner_id == user.pk
    return holds or user.has_perm("parties.view_full_personal_data")


def _detail_page(request, complaint: Complaint, *, contact_shown: bool = False):
    user = request.user
    interviews = list(complaint.interviews.select_related("recorded_by"))
    extensions = list(complaint.extension_requests.select_related("requested_by", "decided_by"))
    pending = next((e for e in extensions if e.approved is None), None)
    documents = list(case_documents(user, complaint, interviews))
    steps = available_steps(user, complaint, pending=pending, interviews=interviews)
    context = {
        **case_header(complaint),
        "categories": _labels(complaint.categories),
        "evidence": list(complaint.evidence.all()),
        "interviews": interviews,
        "extensions": extensions,
        "pending_extension": pending,
        "sanction": getattr(complaint, "sanction", None) if complaint.state == S.CLOSED else None,
        "penalty_decision": getattr(complaint, "penalty_decision", None),
        "decision_rows": decision_rows(complaint) if complaint.decided_at else [],
        "documents": documents,
        "documents_pending": any(d.is_pending for d in documents),
        "state_overview": state_overview(complaint),
        "events": labelled_events(complaint, EVENT_LABELS),
        "steps": steps,
        "forms": _inline_forms(complaint, steps),
        "masked_mobile": (
            "" if complaint.anonymous else identifiers.mask_phone(complaint.notice_mobile or "")
        ),
        "may_see_contact": may_see_contact(user, complaint),
        "contact_shown": contact_shown,
        "supplement_issued_on": (
            timezone.localdate(complaint.supplement_requested_at)
            if complaint.supplement_requested_at
            else None
        ),
    }
    return render(request, "complaints/detail.html", context)


def _labels(categories: list[str]) -> list[str]:
    labels = dict(Conduct.choices)
    return [str(labels.get(c, c)) for c in categories]


def _inline_forms(complaint: Complaint, steps: set[str]) -> dict:
    """The small step forms the page shows; ids are prefixed so that none repeats."""
    makers = {
        "supplement_request": lambda: forms.SupplementRequestForm(auto_id="supplement-%s"),
        "supplement_receive": lambda: forms.SupplementReceiveForm(auto_id="received-%s"),
        "not_accept": lambda: forms.NotAcceptForm(auto_id="not-accept-%s"),
        "extension_request": lambda: forms.ExtensionRequestForm(auto_id="extension-%s"),
        "extension_decide": lambda: forms.ExtensionDecideForm(auto_id="extension-decide-%s"),
        "hear": lambda: forms.HearingForm(auto_id="hear-%s"),
        "close": lambda: _close_form(complaint),
        "refer": lambda: forms.ReferForm(auto_id="refer-%s"),
        "feedback": lambda: forms.FeedbackForm(auto_id="feedback-%s"),
        "evidence": lambda: forms.EvidenceForm(auto_id="evidence-%s"),
    }
    return {name: make() for name, make in makers.items() if name in steps}


def _close_form(complaint: Complaint, data=None) -> forms.CloseForm:
    initial = {"result": services.default_result(complaint)}
    return forms.CloseForm(data, auto_id="close-%s", initial=initial)


@login_required
@require_GET
def detail(request, code: str):
    return _detail_page(request, complaint_for(request, code))


@login_required
@require_POST
def contact(request, code: str):
    """Show the complainant's full mobile number once, and log that it was seen."""
    complaint = complaint_for(request, code)
    if not may_see_contact(request.user, complaint):
        raise PermissionDenied
    log_access(request, complaint, _("complainant's mobile number"))
    return _detail_page(request, complaint, contact_shown=True)


@login_required
@require_GET
def evidence_file(request, code: str, pk: int):
    complaint = complaint_for(request, code)
    item = get_object_or_404(ComplaintEvidence, complaint=complaint, pk=pk)
    # Evidence (receipts, chat records, ID copies) carries personal data: log each export.
    log_access(request, item, _("evidence file"), action=AccessLog.Action.EXPORT)
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )


# -- the shape of a step ------------------------------------------------------------------


def _step_view(request, code: str, name: str, make_form, action, *, done, extra=None):
    """Lookup, permission, state, form, one service call, redirect; errors re-show the form.

    ``make_form(complaint, data, files)`` builds the form (unbound for GET);
    ``action(complaint, form, actor)`` calls the service; ``done`` is the message after it
    (or ``done(complaint)`` makes it); ``extra(complaint, form)`` adds to the step page's
    context.
    """
    complaint = complaint_for(request, code)
    _require_step(request, complaint, name)
    if not STEPS[name].open_on(complaint):
        return not_now(request, complaint)
    posted = request.method == "POST"
    form = make_form(complaint, request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            action(complaint, form, Actor.from_request(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except TransitionNotAllowed:
            complaint = reread(complaint)
            return not_now(request, complaint)
        except ConcurrentTransition:
            messages.error(
                request, _("Someone else changed this case at the same moment; try again.")
            )
            return to_case(complaint)
        else:
            messages.success(request, done(complaint) if callable(done) else done)
            return to_case(complaint)
    context = {
        **case_header(complaint),
        "step": name,
        "title": STEPS[name].title,
        "intro": STEP_INTROS.get(name, ""),
        "form": form,
        "multipart": form.is_multipart(),
        **(extra(complaint, form) if extra else {}),
    }
    return render(request, "complaints/step.html", context)


def _simple(form_class, prefix: str):
    return lambda complaint, data, files: form_class(data, files, auto_id=f"{prefix}-%s")


def _staff(view):
    return login_required(require_http_methods(["GET", "POST"])(view))


# -- acceptance ----------------------------------------------------------------------------


@_staff
def respondent(request, code: str):
    return _step_view(
        request,
        code,
        "respondent",
        _simple(forms.RespondentForm, "respondent"),
        lambda c, form, actor: services.respondent_link(
            complaint=c, respondent=form.cleaned_data["respondent"], actor=actor
        ),
        done=_("The intermediary has been identified."),
    )


@_staff
@one_time_form
def respondent_new(request, code: str):
    """Register a new intermediary (credit-code check) and make it the respondent."""

    def make(complaint, data, files):
        initial = {"name": complaint.respondent_name_given}
        return forms.IntermediaryForm(data, user=request.user, initial=initial, auto_id="org-%s")

    if not request.user.has_perm("parties.add_organization"):
        raise PermissionDenied

    def action(complaint, form, actor):
        services.respondent_register(
            complaint=complaint, intermediary=form.save(commit=False), actor=actor
        )

    return _step_view(
        request,
        code,
        "respondent",
        make,
        action,
        done=_("The intermediary has been registered and identified as the respondent."),
        extra=lambda c, form: {"title": _("Register the intermediary")},
    )


@_staff
@one_time_form
def supplement_request(request, code: str):
    return _step_view(
        request,
        code,
        "supplement_request",
        _simple(forms.SupplementRequestForm, "supplement"),
        lambda c, form, actor: services.supplement_request(
            complaint=c,
            items=form.cleaned_data["items"],
            due=form.cleaned_data["due"],
            actor=actor,
        ),
        done=_("The notice to supplement has been issued; the acceptance clock is paused."),
    )


@_staff
def supplement_receive(request, code: str):
    return _step_view(
        request,
        code,
        "supplement_receive",
        _simple(forms.SupplementReceiveForm, "received"),
        lambda c, form, actor: services.supplement_receive(
            complaint=c, note=form.cleaned_data["note"], actor=actor
        ),
        done=_("The supplement has been recorded; the acceptance clock runs again."),
    )


def _button_step(request, code: str, step: str, call, done: str):
    """A step without a form (a button): check the step and the state, then run it."""
    complaint = complaint_for(request, code)
    _require_step(request, complaint, step)
    if not STEPS[step].open_on(complaint):
        return not_now(request, complaint)
    return run(request, complaint, lambda actor: call(complaint=complaint, actor=actor), done)


@login_required
@require_POST
def accept(request, code: str):
    return _button_step(
        request,
        code,
        "accept",
        services.complaint_accept,
        _("The complaint has been accepted; the acceptance receipt is issued."),
    )


@_staff
def not_accept(request, code: str):
    return _step_view(
        request,
        code,
        "not_accept",
        _simple(forms.NotAcceptForm, "not-accept"),
        lambda c, form, actor: services.complaint_not_accept(
            complaint=c, actor=actor, **form.cleaned_data
        ),
        done=_("The complaint has not been accepted; the notice is issued."),
    )


# -- investigation ---------------------------------------------------------------------------


@login_required
@require_POST
def start_investigation(request, code: str):
    return _button_step(
        request,
        code,
        "start_investigation",
        services.investigation_start,
        _("The investigation has started."),
    )


@_staff
@one_time_form
def interview(request, code: str):
    return _step_view(
        request,
        code,
        "interview",
        _simple(forms.InterviewForm, "interview"),
        lambda c, form, actor: services.interview_record(
            complaint=c, actor=actor, **form.cleaned_data
        ),
        done=_("The investigation record has been made; its document is issued."),
    )


@_staff
@one_time_form
def extension_request(request, code: str):
    def action(complaint, form, actor):
        services.extension_request(
            complaint=complaint, reason=form.cleaned_data["reason"], actor=actor
        )

    return _step_view(
        request,
        code,
        "extension_request",
        _simple(forms.ExtensionRequestForm, "extension"),
        action,
        done=_("The extension has been requested; a supervisor other than you decides."),
    )


@_staff
def extension_decide(request, code: str):
    def action(complaint, form, actor):
        pending = complaint.pending_extension()
        if pending is None:
            raise ValidationError(_("No extension request is waiting for a decision."))
        services.extension_decide(
            request=pending, approve=form.approve, note=form.cleaned_data["note"], actor=actor
        )

    return _step_view(
        request,
        code,
        "extension_decide",
        _simple(forms.ExtensionDecideForm, "extension-decide"),
        action,
        done=_("The decision on the extension has been recorded."),
        extra=lambda c, form: {"pending_extension": c.pending_extension()},
    )


# -- decision, hearing, closing, referral ----------------------------------------------------


def _decision_form(complaint, data, files):
    conduct = next((c for c in complaint.categories if c in RULES), "")
    workers = complaint.deposit_workers if conduct == Conduct.DEPOSIT else None
    first = {"conduct": conduct, "workers_affected": workers} if conduct else None
    return forms.DecisionForm(data, first_item=first, auto_id="decision-%s")


@_staff
@one_time_form
def decide(request, code: str):
    return _step_view(
        request,
        code,
        "decide",
        _decision_form,
        lambda c, form, actor: services.complaint_decide(
            complaint=c, decision=form.decision(), actor=actor
        ),
        done=_("The decision has been recorded; its document is issued."),
        extra=lambda c, form: {"guidance": penalty_guidance(form), "items": form.items},
    )


@_staff
@one_time_form
def hear(request, code: str):
    return _step_view(
        request,
        code,
        "hear",
        _simple(forms.HearingForm, "hear"),
        lambda c, form, actor: services.respondent_hear(
            complaint=c,
            statement=form.cleaned_data["statement"],
            waived=form.cleaned_data["waived"],
            actor=actor,
        ),
        done=_("The respondent's statement has been recorded."),
    )


@_staff
def close(request, code: str):
    return _step_view(
        request,
        code,
        "close",
        lambda c, data, files: _close_form(c, data),
        lambda c, form, actor: services.complaint_close(
            complaint=c, result=form.cleaned_data["result"], actor=actor
        ),
        done=_closed_message,
    )


def _closed_message(complaint) -> str:
    # Truthful: an anonymous complainant who left no number is told nothing.
    if complaint.notice_mobile:
        return _("The complaint is closed; the complainant is told the result by text message.")
    return _("The complaint is closed. The complainant left no number, so nobody is told.")


@_staff
@one_time_form
def refer(request, code: str):
    return _step_view(
        request,
        code,
        "refer",
        _simple(forms.ReferForm, "refer"),
        lambda c, form, actor: services.complaint_refer(
            complaint=c, actor=actor, **form.cleaned_data
        ),
        done=_("The complaint has been referred; the referral letter is issued."),
    )


@_staff
def feedback(request, code: str):
    return _step_view(
        request,
        code,
        "feedback",
        _simple(forms.FeedbackForm, "feedback"),
        lambda c, form, actor: services.inspection_feedback_record(
            complaint=c, feedback=form.feedback(), actor=actor
        ),
        done=_("Labour inspection's feedback has been recorded; the complaint can be closed."),
    )


@_staff
@one_time_form
def evidence(request, code: str):
    def action(complaint, form, actor):
        for upload in form.cleaned_data["files"]:
            services.evidence_add(complaint=complaint, upload=upload, actor=actor)

    return _step_view(
        request,
        code,
        "evidence",
        _simple(forms.EvidenceForm, "evidence"),
        action,
        done=_("The evidence has been added."),
    )


# -- after closing: the labour administration's decision on the proposed penalty ---------------


@dataclass(frozen=True)
class Proposal:
    """What the office proposed, shown beside the form that records what was decided."""

    conduct: str
    amount: str
    statutory: str


def proposal_of(complaint: Complaint) -> Proposal:
    """The conducts found and the fines proposed in all; the statutory range is shown
    for a single conduct (several have one range each, on the case page)."""
    items = list(complaint.decision_items.all())
    if len(items) > 1:
        conducts = "、".join(item.get_conduct_display() for item in items)
        return Proposal(conduct=conducts, amount=yuan(complaint.penalty_amount), statutory="")
    rule = rule_for(complaint.conduct_found)
    return Proposal(
        conduct=complaint.get_conduct_found_display(),
        amount=yuan(complaint.penalty_amount),
        statutory=range_text(*rule.bounds(complaint.workers_affected)) if rule else "",
    )


@_staff
@one_time_form
def penalty_decision(request, code: str):
    return _step_view(
        request,
        code,
        "penalty_decision",
        lambda c, data, files: forms.PenaltyDecisionForm(
            data, complaint=c, auto_id="penalty-decision-%s"
        ),
        lambda c, form, actor: services.penalty_decision_record(
            complaint=c, ruling=form.ruling(), actor=actor
        ),
        done=_("The labour administration's decision has been recorded."),
        extra=lambda c, form: {"proposal": proposal_of(c)},
    )


# -- handing over ---------------------------------------------------------------------------


@_staff
def reassign(request, code: str):
    """A supervisor hands the complaint to another officer of its market (首问负责)."""
    complaint = complaint_for(request, code)
    if not request.user.has_perm(REASSIGN):
        raise PermissionDenied
    if complaint.state in Complaint.FINAL_STATES:
        return not_now(request, complaint)
    form = forms.ReassignForm(request.POST or None, complaint=complaint, auto_id="reassign-%s")
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to"]
        try:
            services.complaint_reassign(
                complaint=complaint,
                to=to,
                actor=Actor.from_request(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(code)s is now held by %(name)s.")
                % {"code": complaint.code, "name": user_name(to)},
            )
            return to_case(complaint)
    context = {
        **case_header(complaint),
        "step": "reassign",
        "title": _("Hand over to another complaint officer"),
        "intro": "",
        "form": form,
        "multipart": False,
    }
    return render(request, "complaints/step.html", context)


# -- penalty guidance ------------------------------------------------------------------------


@dataclass(frozen=True)
class RangeRow:
    conduct: str
    label: str
    minimum: Decimal | None
    maximum: Decimal | None
    per_worker: bool
    statutory: str  # the range as the law states it
    for_workers: str  # the range for the number of workers given ("" if not per worker)
    measures: str
    basis: str
    chosen: bool


def yuan(amount: Decimal | None, *, sign: bool = True) -> str:
    """¥1,500 (¥1,500.50 with fen); the range's upper end goes without the sign."""
    if amount is None:
        return ""
    text = f"{int(amount):,}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"¥{text}" if sign else text


def range_text(low: Decimal | None, high: Decimal | None) -> str:
    if low is None and high is None:
        return _("no fine set by law")
    if low is None:
        return _("up to %(high)s") % {"high": yuan(high)}
    if high is None:
        return _("at least %(low)s") % {"low": yuan(low)}
    return f"{yuan(low)}–{yuan(high, sign=False)}"


def penalty_guidance(form: forms.DecisionForm) -> dict:
    """The statutory range of each conduct (penalties.RULES), for the decision form.

    Computed for the conduct and number of workers in the form (posted or initial);
    the page shows the whole table, and a small script updates the chosen line.
    """
    conduct = form.first_value("conduct") or ""
    workers = _int(form.first_value("workers_affected"))
    rows = []
    for slug, rule in RULES.items():
        low, high = rule.bounds(1)
        statutory = range_text(low, high)
        if rule.per_worker:
            statutory = _("%(range)s × number of workers") % {"range": statutory}
        for_workers = ""
        if rule.per_worker and workers:
            for_workers = _("for %(n)s workers: %(range)s") % {
                "n": workers,
                "range": range_text(*rule.bounds(workers)),
            }
        rows.append(
            RangeRow(
                conduct=slug,
                label=str(Conduct(slug).label),
                minimum=rule.minimum,
                maximum=rule.maximum,
                per_worker=rule.per_worker,
                statutory=statutory,
                for_workers=for_workers,
                measures=str(rule.measures),
                basis=rule.basis,
                chosen=slug == conduct,
            )
        )
    chosen = next((row for row in rows if row.chosen), None)
    return {
        "rows": rows,
        "chosen": chosen,
        "workers": workers,
        # For the script, which fills them in (a template's translate tag would double the %).
        "up_to": _("up to %(high)s"),
        "for_workers": _("for %(n)s workers: %(range)s"),
        "measures": [
            (label, MEASURE_ZH[value], MEASURE_BASIS.get(value, ""))
            for value, label in Measure.choices
        ],
    }


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None
