"""The case page of a dispute and the steps recorded on it.

Every view: the dispute looked up within the user's markets (404 outside
them), the step's permission and holder rule (403), the form, one service
call, a redirect to the case page. The services apply the rules again and run
each step in its own transaction; the views add none.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_fsm import ConcurrentTransition, TransitionNotAllowed, has_transition_perm

from casework.core.audit import Actor, log_access
from casework.core.diagram import labelled_events, state_overview
from casework.core.formtokens import one_time_form
from casework.core.locking import reread
from casework.core.models import AccessLog
from casework.disputes import arbitration, forms, services
from casework.disputes.access import get_dispute_for_user
from casework.disputes.models import (
    ClaimType,
    Dispute,
    Evidence,
    Instalment,
    Payment,
    Session,
    Settlement,
)
from casework.disputes.queues import HELD_STATES
from casework.disputes.views.intake import add_service_errors
from casework.documents.access import documents_of

S = Dispute.State
MEDIATING = (S.IN_MEDIATION, S.SETTLED)
MEDIATE = ("disputes.mediate_dispute",)


@dataclass(frozen=True)
class Step:
    """Who may record a step: any of ``perms``, and the holder rule.

    ``holder``: "always" (only the mediator holding the case), "if_held" (the
    holder once somebody holds it) or "" (no holder rule: intake review).
    """

    perms: tuple[str, ...] = MEDIATE
    holder: str = "always"
    transition: str = ""  # the FSM transition that says whether the step is possible
    states: tuple[str, ...] = ()  # otherwise: the states in which it is possible


STEPS: dict[str, Step] = {
    "accept": Step(("disputes.accept_dispute",), "", transition="accept"),
    "refuse": Step(("disputes.accept_dispute",), "", transition="refuse"),
    "evidence_new": Step(
        ("disputes.add_dispute", *MEDIATE), "if_held", states=tuple(Dispute.OPEN_STATES)
    ),
    "session_new": Step(states=MEDIATING),
    "session_schedule": Step(states=MEDIATING),
    "extend": Step(states=MEDIATING),
    # settle's condition (terms recorded) is met by the service itself.
    "settle": Step(states=(S.IN_MEDIATION,)),
    "revise": Step(transition="revise"),
    "mark": Step(states=(S.SETTLED,)),
    "terminate": Step(transition="terminate"),
    "withdraw": Step(("disputes.accept_dispute", *MEDIATE), "if_held", transition="withdraw"),
    "payment_new": Step(states=(S.EFFECTIVE,)),
    "mark_defaulted": Step(transition="mark_defaulted"),
    "refer": Step(transition="refer_arbitration"),
    "close": Step(transition="close"),
}


STEP_INTROS = {
    "extend": gettext_lazy(
        "Mediation continues past the deadline only when both parties agree; "
        "otherwise it ends as failed."
    ),
    "settle": gettext_lazy(
        "The agreement records the amount, the method and the dates of payment. It takes "
        "effect when both parties have signed or sealed it, the mediator has signed it and "
        "the mediation body's seal is affixed (Art. 14)."
    ),
    "terminate": gettext_lazy(
        "The termination notice tells the parties in writing that they may apply for "
        "labour dispute arbitration."
    ),
    "refer": gettext_lazy(
        "A payment order (支付令) can be sought only for unpaid wages, work-injury medical "
        "costs, severance or damages (Art. 16); otherwise refer the case to arbitration."
    ),
}


def step_refusal(user, dispute: Dispute, action: str) -> str | None:
    """Why ``user`` may not record ``action`` on ``dispute`` (None when they may)."""
    step = STEPS[action]
    if not any(user.has_perm(perm) for perm in step.perms):
        return _("You may not record this step.")
    held_by_other = dispute.owner_id is not None and dispute.owner_id != user.pk
    if step.holder == "if_held" and held_by_other:
        return _("This case is held by another mediator.")
    if step.holder == "always" and dispute.owner_id != user.pk:
        if held_by_other:
            return _("This case is held by another mediator.")
        return _("Only the mediator holding the case can record this step.")
    return None


def step_possible(user, dispute: Dispute, action: str) -> bool:
    step = STEPS[action]
    if step.transition:
        return has_transition_perm(getattr(dispute, step.transition), user)
    return dispute.state in step.states


def available_steps(user, dispute: Dispute) -> set[str]:
    steps = {
        action
        for action in STEPS
        if step_refusal(user, dispute, action) is None and step_possible(user, dispute, action)
    }
    unassigned = dispute.state == S.ACCEPTED and dispute.owner_id is None
    if unassigned and user.has_perm("disputes.mediate_dispute"):
        steps.add("take")
    if dispute.state in HELD_STATES and user.has_perm("disputes.reassign_dispute"):
        steps.add("reassign")
    return steps


def _require_step(request, dispute: Dispute, action: str) -> None:
    refusal = step_refusal(request.user, dispute, action)
    if refusal is not None:
        raise PermissionDenied(refusal)


def _not_now(request, dispute: Dispute):
    messages.error(
        request,
        _("This step is not possible now: the case is %(state)s.")
        % {"state": dispute.get_state_display()},
    )
    return redirect("disputes:detail", code=dispute.code)


def _record(request, dispute: Dispute, form, run: Callable[[Actor], object], done: str):
    """Run the service; a redirect on success or refusal, None to show the form's errors."""
    try:
        run(Actor.from_request(request))
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    except TransitionNotAllowed:
        dispute = reread(dispute)
        return _not_now(request, dispute)
    except ConcurrentTransition:
        messages.error(
            request, _("Someone else changed this case at the same moment; check it and try again.")
        )
        return redirect("disputes:detail", code=dispute.code)
    except PermissionDenied as exc:
        # Checked again on the locked case: someone else took or reassigned it meanwhile.
        messages.error(request, str(exc) or _("You may not record this step."))
        return redirect("disputes:detail", code=dispute.code)
    messages.success(request, done)
    return redirect("disputes:detail", code=dispute.code)


def _step_view(
    request,
    code: str,
    action: str,
    form_class,
    run: Callable[[Dispute, dict, Actor], object],
    *,
    title,
    done,
    form_kwargs: Callable[[Dispute], dict] | None = None,
):
    """The common shape of a step: lookup, permission, form, service call, redirect."""
    dispute = get_dispute_for_user(request.user, code)
    _require_step(request, dispute, action)
    if not step_possible(request.user, dispute, action):
        return _not_now(request, dispute)
    posted = request.method == "POST"
    kwargs = form_kwargs(dispute) if form_kwargs else {}
    form = form_class(request.POST if posted else None, request.FILES if posted else None, **kwargs)
    if posted and form.is_valid():
        response = _record(
            request, dispute, form, lambda actor: run(dispute, form.cleaned_data, actor), str(done)
        )
        if response is not None:
            return response
    return _step_page(request, dispute, action, title, form)


def case_header(dispute: Dispute) -> dict:
    """Context for disputes/_header.html, shown on every page of a case."""
    return {"dispute": dispute, "clock_running": dispute.state in Dispute.OPEN_STATES}


def _step_page(request, dispute: Dispute, action: str, title, form, formset=None):
    context = {
        **case_header(dispute),
        "action": action,
        "title": title,
        "intro": STEP_INTROS.get(action, ""),
        "form": form,
        "formset": formset,
        "multipart": form.is_multipart(),
    }
    return render(request, "disputes/step.html", context)


# -- the case page ----------------------------------------------------------------------


def limitation_text(dispute: Dispute) -> str:
    if ClaimType.UNPAID_WAGES in dispute.claim_type_set and dispute.employment_ended_on is None:
        return _("no limit while employment lasts (Art. 27)")
    return _("not known: no dates recorded")


def case_documents(user, dispute: Dispute, sessions: list[Session]):
    """The documents of the dispute and of its sessions that this user may open."""
    return documents_of(user, dispute, sessions)


# Names of the audit rows that are not transitions (those carry their own labels).
EVENT_LABELS = {
    "filed": gettext_lazy("Application filed"),
    "evidence_added": gettext_lazy("Evidence added"),
    "claimed": gettext_lazy("Taken by a mediator"),
    "session_recorded": gettext_lazy("Session recorded"),
    "session_scheduled": gettext_lazy("Session scheduled"),
    "extended": gettext_lazy("Mediation extended"),
    "mark_recorded": gettext_lazy("Signature or seal recorded"),
    "payment_recorded": gettext_lazy("Payment recorded"),
    "deadline_reminder": gettext_lazy("Deadline reminder"),
    "escalated": gettext_lazy("Escalated to the supervisor"),
    arbitration.HANDOFF_STEP: gettext_lazy("Handed to arbitration"),
    arbitration.FILING_STEP: gettext_lazy("Arbitration accepted by the committee"),
    arbitration.RESULT_STEP: gettext_lazy("Arbitration result recorded"),
}


def timeline(dispute: Dispute) -> list:
    """The audit rows with readable names (core/_timeline.html)."""
    return labelled_events(dispute, EVENT_LABELS)


def _settlement(dispute: Dispute) -> Settlement | None:
    payments = Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "pk"))
    instalments = Prefetch("instalments", queryset=Instalment.objects.prefetch_related(payments))
    return (
        Settlement.objects.filter(dispute=dispute)
        .select_related("mediator")
        .prefetch_related(instalments)
        .first()
    )


@login_required
@permission_required("disputes.view_dispute", raise_exception=True)
@require_GET
def detail(request, code: str):
    dispute = get_dispute_for_user(request.user, code)
    sessions = list(dispute.sessions.select_related("recorded_by"))
    settlement = _settlement(dispute)
    documents = list(case_documents(request.user, dispute, sessions))
    marks = [
        {
            "name": name,
            "label": Settlement._meta.get_field(name).verbose_name,
            "at": getattr(settlement, name) if settlement else None,
        }
        for name in Settlement.MARKS
    ]
    context = {
        **case_header(dispute),
        "applicants": list(dispute.applicants.all()),
        "claims": list(dispute.claims.all()),
        "evidence": list(dispute.evidence.all()),
        "sessions": sessions,
        "scheduled_sessions": list(
            dispute.scheduled_sessions.filter(starts_at__gte=timezone.now()).select_related(
                "scheduled_by"
            )
        ),
        "extensions": list(dispute.extensions.select_related("recorded_by")),
        "settlement": settlement,
        "marks": marks,
        "documents": documents,
        "documents_pending": any(d.is_pending for d in documents),
        "limitation_date": dispute.limitation_date(),
        "limitation_text": limitation_text(dispute),
        "state_overview": state_overview(dispute),
        "events": timeline(dispute),
        "steps": available_steps(request.user, dispute),
        "arbitration_may_act": arbitration.refusal(request.user, dispute) is None,
        "arbitration_may_hand_off": arbitration.may_hand_off(request.user, dispute),
    }
    return render(request, "disputes/detail.html", context)


@login_required
@permission_required("disputes.view_dispute", raise_exception=True)
@require_GET
def evidence_file(request, code: str, pk: int):
    dispute = get_dispute_for_user(request.user, code)
    item = get_object_or_404(Evidence, dispute=dispute, pk=pk)
    # Evidence (pay slips, chat records, ID copies) carries personal data: log each export.
    log_access(request, item, _("evidence file"), action=AccessLog.Action.EXPORT)
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )


# -- intake review --------------------------------------------------------------------


def _staff(view):
    view = require_http_methods(["GET", "POST"])(view)
    view = permission_required("disputes.view_dispute", raise_exception=True)(view)
    return login_required(view)


@_staff
def accept(request, code: str):
    return _step_view(
        request,
        code,
        "accept",
        forms.NoteForm,
        lambda d, data, actor: services.dispute_accept(dispute=d, actor=actor, note=data["note"]),
        title=gettext_lazy("Accept the application"),
        done=gettext_lazy("The application has been accepted; the acceptance notice is issued."),
    )


@_staff
def refuse(request, code: str):
    return _step_view(
        request,
        code,
        "refuse",
        forms.RefuseForm,
        lambda d, data, actor: services.dispute_refuse(
            dispute=d, actor=actor, reason=data["reason"]
        ),
        title=gettext_lazy("Do not accept the application"),
        done=gettext_lazy("The application has not been accepted."),
    )


@_staff
@one_time_form
def evidence_new(request, code: str):
    def run(dispute, data, actor):
        for upload in data["files"]:
            services.evidence_add(
                dispute=dispute, upload=upload, actor=actor, description=data["description"]
            )

    return _step_view(
        request,
        code,
        "evidence_new",
        forms.EvidenceForm,
        run,
        title=gettext_lazy("Add evidence"),
        done=gettext_lazy("The evidence has been added."),
    )


# -- mediation ------------------------------------------------------------------------


@_staff
@one_time_form
def session_new(request, code: str):
    return _step_view(
        request,
        code,
        "session_new",
        forms.SessionForm,
        lambda d, data, actor: services.session_record(dispute=d, actor=actor, **data),
        title=gettext_lazy("Record a mediation session"),
        done=gettext_lazy("The session has been recorded."),
    )


@_staff
@one_time_form
def session_schedule(request, code: str):
    return _step_view(
        request,
        code,
        "session_schedule",
        forms.ScheduleForm,
        lambda d, data, actor: services.session_schedule(dispute=d, actor=actor, **data),
        title=gettext_lazy("Schedule a mediation session"),
        done=gettext_lazy("The session has been scheduled; the parties are told by text."),
    )


@_staff
@one_time_form
def extend(request, code: str):
    return _step_view(
        request,
        code,
        "extend",
        forms.ExtensionForm,
        lambda d, data, actor: services.extension_record(dispute=d, actor=actor, **data),
        title=gettext_lazy("Extend mediation (both parties agree)"),
        done=gettext_lazy("The extension has been recorded."),
    )


@_staff
@one_time_form
def settle(request, code: str):
    dispute = get_dispute_for_user(request.user, code)
    _require_step(request, dispute, "settle")
    if not step_possible(request.user, dispute, "settle"):
        return _not_now(request, dispute)
    posted = request.method == "POST"
    previous = Settlement.objects.filter(dispute=dispute).first()
    initial = (
        {"amount": previous.amount, "method": previous.method, "terms": previous.terms}
        if previous
        else None
    )
    form = forms.SettlementForm(request.POST if posted else None, initial=initial)
    instalments = forms.instalment_formset(request.POST if posted else None)
    if posted and all([form.is_valid(), instalments.is_valid()]):
        response = _record(
            request,
            dispute,
            form,
            lambda actor: services.settlement_record(
                dispute=dispute,
                actor=actor,
                instalments=instalments.instalments(),
                **form.cleaned_data,
            ),
            _("The agreed terms have been recorded; the draft agreement is issued."),
        )
        if response is not None:
            return response
    title = gettext_lazy("Record the agreed terms")
    return _step_page(request, dispute, "settle", title, form, instalments)


@_staff
def revise(request, code: str):
    return _step_view(
        request,
        code,
        "revise",
        forms.NoteForm,
        lambda d, data, actor: services.settlement_revise(
            dispute=d, actor=actor, note=data["note"]
        ),
        title=gettext_lazy("Revise the terms"),
        done=gettext_lazy("The case is back in mediation to revise the terms."),
    )


@_staff
def mark(request, code: str):
    return _step_view(
        request,
        code,
        "mark",
        forms.MarkForm,
        lambda d, data, actor: services.mark_record(
            dispute=d, actor=actor, mark=data["mark"], at=data["at"]
        ),
        title=gettext_lazy("Record a signature or seal"),
        done=gettext_lazy("The mark has been recorded."),
        form_kwargs=lambda d: {"settlement": Settlement.objects.filter(dispute=d).first()},
    )


@_staff
def terminate(request, code: str):
    return _step_view(
        request,
        code,
        "terminate",
        forms.TerminateForm,
        lambda d, data, actor: services.dispute_terminate(dispute=d, actor=actor, **data),
        title=gettext_lazy("Terminate mediation"),
        done=gettext_lazy("Mediation has ended; the termination notice is issued."),
    )


@_staff
def withdraw(request, code: str):
    return _step_view(
        request,
        code,
        "withdraw",
        forms.WithdrawForm,
        lambda d, data, actor: services.dispute_withdraw(dispute=d, actor=actor, **data),
        title=gettext_lazy("Record a withdrawal"),
        done=gettext_lazy("The withdrawal has been recorded."),
    )


# -- performance ----------------------------------------------------------------------


@_staff
@one_time_form
def payment_new(request, code: str):
    return _step_view(
        request,
        code,
        "payment_new",
        forms.PaymentForm,
        lambda d, data, actor: services.payment_record(dispute=d, actor=actor, **data),
        title=gettext_lazy("Record a payment"),
        done=gettext_lazy("The payment has been recorded."),
        form_kwargs=lambda d: {"settlement": Settlement.objects.filter(dispute=d).first()},
    )


@_staff
def mark_defaulted(request, code: str):
    return _step_view(
        request,
        code,
        "mark_defaulted",
        forms.NoteForm,
        lambda d, data, actor: services.dispute_mark_defaulted(
            dispute=d, actor=actor, note=data["note"]
        ),
        title=gettext_lazy("Record that the agreement was not performed"),
        done=gettext_lazy("The agreement is recorded as not performed."),
    )


@_staff
@one_time_form
def refer(request, code: str):
    return _step_view(
        request,
        code,
        "refer",
        forms.ReferForm,
        lambda d, data, actor: services.dispute_refer(dispute=d, actor=actor, **data),
        title=gettext_lazy("Refer the case"),
        done=gettext_lazy("The referral has been recorded."),
        form_kwargs=lambda d: {"dispute": d},
    )


@_staff
def close(request, code: str):
    return _step_view(
        request,
        code,
        "close",
        forms.NoteForm,
        lambda d, data, actor: services.dispute_close(dispute=d, actor=actor, note=data["note"]),
        title=gettext_lazy("Close the case"),
        done=gettext_lazy("The case has been closed."),
    )
