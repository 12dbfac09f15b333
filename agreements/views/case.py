"""The agreement page and the steps staff take on it.

Every view: login, the view permission (403), the agreement looked up within
the user's markets (404 outside them), the step's own permission (403) and
state, the form, one service call, a redirect to the agreement page. Refusals
of the services (ValidationError, a transition not possible now, a changed
record) come back as messages; the services apply every rule again.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from agreements import services
from agreements.access import get_agreement_for_user
from agreements.forms import ParticularsForm, ReasonForm, SignForm, particulars_of
from agreements.models import Agreement, Party, Signature, SigningCode
from casework.core.audit import Actor, log_access
from casework.core.diagram import labelled_events, state_overview
from casework.core.formtokens import one_time_form
from casework.core.locking import reread
from casework.documents.access import documents_of
from casework.parties.forms import RealNameCheckForm
from casework.parties.models import Organization, Person, RealNameCheck
from casework.parties.services import real_name_check_record

S = Agreement.State
OPEN = (S.DRAFT, *Agreement.SIGNING_STATES)


@dataclass(frozen=True)
class Step:
    perm: str
    states: tuple[str, ...]


STEPS: dict[str, Step] = {
    "edit": Step("agreements.change_agreement", (S.DRAFT,)),
    "send": Step("agreements.add_agreement", (S.DRAFT,)),
    "cancel": Step("agreements.add_agreement", OPEN),
    # Counter signing: send the code to the party's phone, type in what they read out.
    "sign": Step("agreements.add_agreement", Agreement.SIGNING_STATES),
    "complete": Step("agreements.add_agreement", (S.SIGNED,)),
    "terminate": Step("agreements.terminate_agreement", (S.SIGNED,)),
    "change": Step("agreements.change_agreement", (S.SIGNED,)),
    # Real-name checks matter until both parties have signed.
    "check": Step("parties.add_realnamecheck", OPEN),
}

# Names of the audit rows that are not transitions (those carry their own labels).
EVENT_LABELS = {
    "created": gettext_lazy("Agreement made"),
    "draft_changed": gettext_lazy("Draft changed"),
    "signing_code_sent": gettext_lazy("Signing code sent"),
    "signing_code_refused": gettext_lazy("Signing code refused"),
    "payment_confirmed": gettext_lazy("Payment confirmed by the worker"),
    "payment_reported_unpaid": gettext_lazy("Pay reported unpaid by the worker"),
    "dispute_opened": gettext_lazy("Wage dispute opened"),
}


def available_steps(user, agreement: Agreement) -> set[str]:
    steps = {
        name
        for name, step in STEPS.items()
        if user.has_perm(step.perm) and agreement.state in step.states
    }
    if agreement.superseded_by is not None:
        steps.discard("change")  # one changed agreement at a time
    return steps


def _staff(view, methods=("GET", "POST")):
    view = require_http_methods(list(methods))(view)
    view = permission_required("agreements.view_agreement", raise_exception=True)(view)
    return login_required(view)


def _staff_post(view):
    return _staff(view, methods=("POST",))


def _lookup(request, code: str, step: str) -> Agreement:
    """The agreement in the user's scope (404), if the user may take ``step`` (403)."""
    agreement = get_agreement_for_user(request.user, code)
    if not request.user.has_perm(STEPS[step].perm):
        raise PermissionDenied(_("You may not take this step."))
    return agreement


def _not_now(request, agreement: Agreement):
    messages.error(
        request,
        _("This step is not possible now: the agreement is %(state)s.")
        % {"state": agreement.get_state_display()},
    )
    return redirect("agreements:detail", code=agreement.code)


def _run(request, agreement: Agreement, run: Callable[[Actor], object], done: str, form=None):
    """Run a service; a redirect, or None to show ``form`` with the refusal on it."""
    try:
        result = run(Actor.from_request(request))
    except ValidationError as exc:
        if form is not None:
            form.add_error(None, ValidationError(exc.messages))
            return None
        for message in exc.messages:
            messages.error(request, message)
    except TransitionNotAllowed:
        agreement = reread(agreement)
        return _not_now(request, agreement)
    except ConcurrentTransition:
        messages.error(
            request, _("Someone else changed this agreement at the same moment; try again.")
        )
    except PermissionDenied:
        messages.error(request, _("You may not take this step."))
    else:
        messages.success(request, done)
        # A change makes a new agreement: its page is where the work goes on.
        if isinstance(result, Agreement):
            agreement = result
    return redirect("agreements:detail", code=agreement.code)


# -- the agreement page ------------------------------------------------------------------


def case_header(agreement: Agreement) -> dict:
    """Context for agreements/_header.html, shown on every page of an agreement."""
    return {
        "agreement": agreement,
        "deadline_passed": agreement.state in Agreement.SIGNING_STATES
        and agreement.deadline_passed(),
        "superseded_by": agreement.superseded_by,
    }


def _open_code(agreement: Agreement, party: str) -> SigningCode | None:
    """The party's latest code if it can still be used (the page then asks for it)."""
    code = agreement.codes.filter(party=party).first()
    if code is None or code.used_at or code.retired_at or code.expires_at < timezone.now():
        return None
    return code


def _subjects(agreement: Agreement, party: str) -> list[dict]:
    """Who is checked for one side: the person, or the organisation and its handling person."""
    if party == Party.WORKER:
        rows = [("worker", _("worker (Party B)"), agreement.worker)]
    elif agreement.hiring_person_id:
        rows = [("hirer", _("hiring party (individual)"), agreement.hiring_person)]
    else:
        rows = [
            ("organization", _("hiring party (organisation)"), agreement.hiring_organization),
            ("signer", _("handling person"), agreement.hiring_signer),
        ]
    return [
        {
            "who": who,
            "label": label,
            "party": obj,
            "is_person": isinstance(obj, Person),
            "checks": list(obj.real_name_checks.select_related("checked_by")[:3]),
            # One form per party on the page: element ids must not repeat.
            "check_form": RealNameCheckForm(auto_id=f"check-{who}-%s"),
        }
        for who, label, obj in rows
        if obj is not None
    ]


def party_boxes(agreement: Agreement) -> list[dict]:
    signatures = {
        s.party: s
        for s in agreement.signatures.select_related(
            "signer", "real_name_check", "signer_check", "code", "user"
        )
    }
    return [
        {
            "party": party,
            "label": Party(party).label,
            "status": services.party_status(agreement, party),
            "subjects": _subjects(agreement, party),
            "signature": signatures.get(party),
            "code": _open_code(agreement, party),
            "may_sign": agreement.may_sign_now(party),
            "signer": agreement.signer_for(party),
            "sign_form": SignForm(auto_id=f"sign-{party}-%s"),
        }
        for party in (Party.HIRING, Party.WORKER)
    ]


def agreement_documents(user, agreement: Agreement):
    return documents_of(user, agreement)


def _detail_page(request, agreement: Agreement, *, full: bool = False):
    documents = list(agreement_documents(request.user, agreement))
    context = {
        **case_header(agreement),
        "full": full,
        "boxes": party_boxes(agreement),
        "documents": documents,
        "documents_pending": any(d.is_pending for d in documents),
        "state_overview": state_overview(agreement),
        "events": labelled_events(agreement, EVENT_LABELS),
        "steps": available_steps(request.user, agreement),
    }
    return render(request, "agreements/detail.html", context)


@login_required
@permission_required("agreements.view_agreement", raise_exception=True)
@require_GET
def detail(request, code: str):
    return _detail_page(request, get_agreement_for_user(request.user, code))


@require_POST
@login_required
@permission_required("agreements.view_agreement", raise_exception=True)
@permission_required("parties.view_full_personal_data", raise_exception=True)
def reveal(request, code: str):
    """The page with full ID numbers and mobiles; each person seen is logged (PIPL)."""
    agreement = get_agreement_for_user(request.user, code)
    people = {agreement.worker, agreement.hiring_person, agreement.hiring_signer} - {None}
    for person in people:
        log_access(
            request,
            person,
            _("full ID number and mobile (agreement %(code)s)") % {"code": agreement.code},
        )
    return _detail_page(request, agreement, full=True)


# -- drafting -------------------------------------------------------------------------------


def _particulars_page(request, agreement: Agreement, form, *, title, intro=""):
    context = {**case_header(agreement), "form": form, "title": title, "intro": intro}
    return render(request, "agreements/particulars.html", context)


@_staff
def edit(request, code: str):
    agreement = _lookup(request, code, "edit")
    if agreement.state != S.DRAFT:
        return _not_now(request, agreement)
    posted = request.method == "POST"
    form = ParticularsForm(request.POST if posted else None, initial=particulars_of(agreement))
    if posted and form.is_valid():

        def run(actor):
            return services.agreement_update(
                agreement=agreement, particulars=form.particulars(), actor=actor
            )

        response = _run(request, agreement, run, _("The draft has been saved."), form)
        if response is not None:
            return response
    return _particulars_page(request, agreement, form, title=_("Edit the draft"))


@_staff
def change(request, code: str):
    """A change after signing: a new draft, prefilled, that replaces this one once signed."""
    agreement = _lookup(request, code, "change")
    if "change" not in available_steps(request.user, agreement):
        return _not_now(request, agreement)
    posted = request.method == "POST"
    form = ParticularsForm(request.POST if posted else None, initial=particulars_of(agreement))
    if posted and form.is_valid():

        def run(actor):
            return services.agreement_change(
                agreement=agreement, particulars=form.particulars(), actor=actor
            )

        done = _("The changed agreement has been drafted; send it for signing.")
        response = _run(request, agreement, run, done, form)
        if response is not None:
            return response
    intro = _(
        "The parties sign the changed agreement as a new one; once both have signed it, it "
        "replaces %(code)s. Until then %(code)s stays in force."
    ) % {"code": agreement.code}
    return _particulars_page(request, agreement, form, title=_("Change the agreement"), intro=intro)


@_staff_post
def send(request, code: str):
    agreement = _lookup(request, code, "send")
    if agreement.state != S.DRAFT:
        return _not_now(request, agreement)
    done = _("The text is fixed and the agreement is waiting for signatures.")
    return _run(
        request,
        agreement,
        lambda actor: services.agreement_send(agreement=agreement, actor=actor),
        done,
    )


def _reason_step(request, code: str, step: str, run, *, title, done):
    agreement = _lookup(request, code, step)
    if agreement.state not in STEPS[step].states:
        return _not_now(request, agreement)
    posted = request.method == "POST"
    form = ReasonForm(request.POST if posted else None)
    if posted and form.is_valid():
        reason = form.cleaned_data["reason"]
        response = _run(request, agreement, lambda actor: run(agreement, actor, reason), done, form)
        if response is not None:
            return response
    context = {**case_header(agreement), "form": form, "title": title}
    return render(request, "agreements/step.html", context)


@_staff
def cancel(request, code: str):
    return _reason_step(
        request,
        code,
        "cancel",
        lambda a, actor, reason: services.agreement_cancel(agreement=a, actor=actor, reason=reason),
        title=_("Cancel the agreement"),
        done=_("The agreement has been cancelled."),
    )


@_staff
def terminate(request, code: str):
    return _reason_step(
        request,
        code,
        "terminate",
        lambda a, actor, reason: services.agreement_terminate(
            agreement=a, actor=actor, reason=reason
        ),
        title=_("Terminate the agreement"),
        done=_("The agreement has been terminated."),
    )


@_staff_post
def complete(request, code: str):
    agreement = _lookup(request, code, "complete")
    if agreement.state != S.SIGNED:
        return _not_now(request, agreement)
    return _run(
        request,
        agreement,
        lambda actor: services.agreement_complete(agreement=agreement, actor=actor),
        _("The work is recorded as completed."),
    )


# -- real-name checks (双实名) ----------------------------------------------------------------


def _subject(agreement: Agreement, who: str) -> Person | Organization:
    subject = {
        "worker": agreement.worker,
        "hirer": agreement.hiring_person,
        "organization": agreement.hiring_organization,
        "signer": agreement.hiring_signer,
    }.get(who)
    if subject is None:
        raise Http404("No such party on this agreement.")
    return subject


@_staff_post
@one_time_form
def check(request, code: str, who: str):
    """Record that staff checked a party's ID card (or licence) in person."""
    agreement = _lookup(request, code, "check")
    subject = _subject(agreement, who)
    if agreement.state not in STEPS["check"].states:
        return _not_now(request, agreement)
    form = RealNameCheckForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("agreements:detail", code=agreement.code)
    method = (
        RealNameCheck.Method.LICENCE_SEEN
        if isinstance(subject, Organization)
        else RealNameCheck.Method.ID_CARD_SEEN
    )

    def run(actor):
        return real_name_check_record(
            party=subject, method=method, by=actor.user, **form.cleaned_data
        )

    return _run(request, agreement, run, _("The real-name check has been recorded."))


@_staff_post
def verify(request, code: str, who: str):
    """Ask the identity-verification service about a person of the agreement."""
    agreement = _lookup(request, code, "check")
    subject = _subject(agreement, who)
    if not isinstance(subject, Person):
        raise Http404("Only people are verified by the identity service.")
    if agreement.state not in STEPS["check"].states:
        return _not_now(request, agreement)
    try:
        result = services.identity_verify(person=subject, actor=Actor.from_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if result.result == RealNameCheck.Result.PASSED:
            messages.success(
                request, _("The identity service confirmed %(name)s.") % {"name": subject.name}
            )
        else:
            messages.error(
                request,
                _("The identity service did not confirm %(name)s: %(note)s")
                % {"name": subject.name, "note": result.note},
            )
    return redirect("agreements:detail", code=agreement.code)


# -- counter signing (意愿确认) --------------------------------------------------------------


def _party(party: str) -> str:
    if party not in Party.values:
        raise Http404("No such party.")
    return party


@_staff_post
@one_time_form
def code_send(request, code: str, party: str):
    """Send a one-time code to the party's own phone; the party reads it out at the counter."""
    party = _party(party)
    agreement = _lookup(request, code, "sign")
    if agreement.state not in STEPS["sign"].states:
        return _not_now(request, agreement)
    signer = agreement.signer_for(party)
    done = _("A code has been sent to %(name)s's phone %(mobile)s.") % {
        "name": signer.name,
        "mobile": signer.masked_mobile,
    }
    return _run(
        request,
        agreement,
        lambda actor: services.signing_code_send(agreement=agreement, party=party, actor=actor),
        done,
    )


@_staff_post
def sign(request, code: str, party: str):
    """Sign for the party at the counter with the code they received."""
    party = _party(party)
    agreement = _lookup(request, code, "sign")
    if agreement.state not in STEPS["sign"].states:
        return _not_now(request, agreement)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["code"][0])
        return redirect("agreements:detail", code=agreement.code)

    def run(actor):
        return services.agreement_sign(
            agreement=agreement,
            party=party,
            code=form.cleaned_data["code"],
            actor=actor,
            channel=Signature.Channel.COUNTER,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )

    done = _("%(party)s has signed.") % {"party": Party(party).label}
    return _run(request, agreement, run, done)
