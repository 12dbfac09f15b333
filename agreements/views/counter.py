"""The counter quick form (即时快招): an agreement ready to sign from one screen.

The clerk picks or registers the worker and the hiring party, chooses a trade
preset, types the particulars and (by default) sends the agreement for
signing at once. Everything is saved in one transaction: any refusal leaves
no person, organisation, agreement or audit row behind.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agreements import services
from agreements.forms import CounterIntake, CounterPlan
from agreements.models import Agreement
from agreements.presets import PRESETS, fill_blanks
from casework.core.audit import Actor
from casework.core.formtokens import one_time_form

PRESET_FIELDS = ("job_description", "safety", "work_hours", "rest", "pay_unit", "injury_cover")


@login_required
@permission_required("agreements.add_agreement", raise_exception=True)
@require_http_methods(["GET", "POST"])
@one_time_form
def agreement_new(request):
    posted = request.method == "POST"
    quiet = posted and "apply_preset" in request.POST
    data = _with_preset(request.POST) if quiet else request.POST if posted else None
    intake = CounterIntake(data, user=request.user)
    if posted and not quiet and intake.is_valid():
        try:
            agreement = make_at_counter(intake.plan, actor=Actor.from_request(request))
        except ValidationError as exc:
            intake.main.add_error(None, ValidationError(exc.messages))
        else:
            messages.success(request, _done_message(agreement))
            return redirect("agreements:detail", code=agreement.code)
    context = {
        "intake": intake,
        # Filling a preset is not a submission: the form is shown again without errors.
        "quiet": quiet,
        "presets": {trade: preset.values() for trade, preset in PRESETS.items()},
    }
    return render(request, "agreements/new.html", context)


def _with_preset(data):
    """The posted form with the blanks the chosen trade's preset knows filled in."""
    values = fill_blanks({name: data.get(name, "") for name in PRESET_FIELDS}, data.get("trade"))
    filled = data.copy()
    for name, value in values.items():
        filled[name] = value
    return filled


def _done_message(agreement: Agreement) -> str:
    if agreement.state == Agreement.State.SENT:
        return _("Agreement %(code)s is ready for signing.") % {"code": agreement.code}
    return _("Draft agreement %(code)s has been saved.") % {"code": agreement.code}


def make_at_counter(plan: CounterPlan, *, actor: Actor) -> Agreement:
    """Hand the valid quick form to the service; new parties go as unsaved instances."""
    worker, hiring = _instance(plan.worker), _instance(plan.hiring)
    signer = _instance(plan.signer) if plan.signer is not None else None
    checked = [worker] if plan.worker_checked else []
    if plan.hiring_checked:
        checked += [party for party in (hiring, signer) if party is not None]
    return services.agreement_make_at_counter(
        market=plan.market,
        worker=worker,
        hiring_party=hiring,
        hiring_signer=signer,
        intermediary=plan.intermediary,
        particulars=plan.particulars,
        actor=actor,
        checked_in_person=checked,
        send_now=plan.send_now,
    )


def _instance(party):
    return party.save(commit=False) if isinstance(party, ModelForm) else party
