"""The arbitration hand-off pages (casework/disputes/arbitration.py) and the list of
hand-offs awaiting the committee's outcome.

Each step page: the dispute within the user's markets (404 outside them), the holder or a
supervisor of its market (403 for anyone else), the step possible now (else back to the
case with a message), the form, one service call, back to the case.
"""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from casework.core.formtokens import one_time_form
from casework.disputes import arbitration, arbitration_forms
from casework.disputes.access import get_dispute_for_user
from casework.disputes.models import ArbitrationHandoff, Dispute
from casework.disputes.queues import market_ids
from casework.disputes.views.case import _not_now, _record, case_header

INTROS = {
    "handoff": gettext_lazy(
        "The hand-off packet for the committee lists the parties with their full ID "
        "numbers, the claims, the mediation record and the evidence. A terminated case "
        "stays terminated; a case whose agreement was not performed is referred to "
        "arbitration."
    ),
    "filing": gettext_lazy(
        "The committee ends the case within 45 days of accepting the application, or 60 "
        "when its chair approves an extension (Art. 43)."
    ),
    "result": gettext_lazy("How the arbitration committee ended the case."),
}


def _handoff(dispute: Dispute) -> ArbitrationHandoff | None:
    return ArbitrationHandoff.objects.filter(dispute=dispute).first()


def _possible(action: str, dispute: Dispute) -> bool:
    if action == "handoff":
        return arbitration.handoff_possible(dispute)
    handoff = _handoff(dispute)
    if handoff is None or handoff.is_closed:
        return False
    return action == "filing" or handoff.is_filed


def _step(
    request,
    code: str,
    action: str,
    form_class,
    run: Callable,
    *,
    title,
    done,
    form_kwargs: Callable[[Dispute], dict] | None = None,
):
    dispute = get_dispute_for_user(request.user, code)
    refusal = arbitration.refusal(request.user, dispute)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if not _possible(action, dispute):
        return _not_now(request, dispute)
    posted = request.method == "POST"
    kwargs = form_kwargs(dispute) if form_kwargs else {}
    form = form_class(request.POST if posted else None, **kwargs)
    if posted and form.is_valid():
        response = _record(
            request, dispute, form, lambda actor: run(dispute, form.cleaned_data, actor), str(done)
        )
        if response is not None:
            return response
    context = {
        **case_header(dispute),
        "action": action,
        "title": title,
        "intro": INTROS[action],
        "form": form,
        "multipart": False,
    }
    return render(request, "disputes/step.html", context)


def _staff(view):
    view = require_http_methods(["GET", "POST"])(view)
    view = permission_required("disputes.view_dispute", raise_exception=True)(view)
    return login_required(view)


@_staff
@one_time_form
def handoff(request, code: str):
    return _step(
        request,
        code,
        "handoff",
        arbitration_forms.HandoffForm,
        lambda d, data, actor: arbitration.handoff_record(dispute=d, actor=actor, **data),
        title=gettext_lazy("Hand the case to arbitration"),
        done=gettext_lazy(
            "The case has been handed to arbitration; the hand-off packet is issued."
        ),
        form_kwargs=lambda d: {"dispute": d},
    )


@_staff
def filing(request, code: str):
    return _step(
        request,
        code,
        "filing",
        arbitration_forms.FilingForm,
        lambda d, data, actor: arbitration.filing_record(dispute=d, actor=actor, **data),
        title=gettext_lazy("Record the committee's acceptance"),
        done=gettext_lazy("The committee's acceptance has been recorded."),
        form_kwargs=lambda d: {"initial": _filing_initial(d)},
    )


def _filing_initial(dispute: Dispute) -> dict | None:
    handoff = _handoff(dispute)
    if handoff is None or not handoff.is_filed:
        return None
    return {
        "case_number": handoff.committee_case_number,
        "filed_on": handoff.filed_on,
        "extended": handoff.extended,
    }


@_staff
def result(request, code: str):
    return _step(
        request,
        code,
        "result",
        arbitration_forms.ResultForm,
        lambda d, data, actor: arbitration.result_record(dispute=d, actor=actor, **data),
        title=gettext_lazy("Record the arbitration result"),
        done=gettext_lazy("The arbitration result has been recorded."),
    )


@login_required
@permission_required("disputes.view_dispute", raise_exception=True)
@require_GET
def awaiting(request):
    """Hand-offs filed with a committee and still without a result, soonest due first."""
    today = timezone.localdate()
    rows = list(arbitration.awaiting_outcome(market_ids(request.user))[:500])
    for row in rows:
        row.overdue = row.due_date < today
    context = {"rows": rows, "today": today}
    return render(request, "disputes/arbitration/awaiting.html", context)
