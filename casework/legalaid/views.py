"""Staff pages of legal-aid referrals: refer a worker from a case, record the centre's
answer and the outcome, and the market's list. Each view: the case or referral looked up
within the user's scope (404 outside it), the source's permission (403), the form, one
service call, a redirect to the case page. The services check everything again."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from casework.core.audit import Actor
from casework.core.formtokens import one_time_form
from casework.legalaid import forms, services
from casework.legalaid.access import get_referral_for_user, referrals_visible_to
from casework.legalaid.models import LegalAidCentre, LegalAidReferral
from casework.legalaid.registry import Source, get_source, source_of, sources

State = LegalAidReferral.State


def case_url(source: Source, case) -> str:
    from django.urls import reverse

    return reverse(source.detail_url, args=[case.code])


def _case_for_user(source: Source, user, code: str):
    try:
        return source.visible_to(user).get(code=code)
    except source.model.DoesNotExist:
        raise Http404("No such case.") from None


def _run(request, form, case_page: str, run, done) -> object | None:
    """Run the service; a redirect on success or a refusal, None to show the form again."""
    try:
        run(Actor.from_request(request))
    except ValidationError as exc:
        form.add_error(None, ValidationError(exc.messages))
        return None
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(case_page)
    messages.success(request, done)
    return redirect(case_page)


def _page(request, title, form, case, case_page, intro=""):
    context = {"title": title, "form": form, "case": case, "case_page": case_page, "intro": intro}
    return render(request, "legalaid/step.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@one_time_form
def refer(request, workflow: str, code: str):
    source = get_source(workflow)
    if source is None:
        raise Http404("No such workflow.")
    case = _case_for_user(source, request.user, code)
    if not source.may_act(request.user):
        raise PermissionDenied
    case_page = case_url(source, case)
    if case.state not in source.states:
        messages.error(request, _("A case in this state cannot be referred to legal aid."))
        return redirect(case_page)
    grounds = services.allowed_grounds(source, case)
    form = forms.ReferralForm(
        request.POST if request.method == "POST" else None,
        workers=source.workers(case),
        centres=LegalAidCentre.objects.filter(market=case.market, active=True),
        grounds=grounds,
    )
    if request.method == "POST" and form.is_valid():
        response = _run(
            request,
            form,
            case_page,
            lambda actor: services.referral_make(case=case, actor=actor, **form.cleaned_data),
            _("The worker has been referred; the referral letter is being prepared."),
        )
        if response is not None:
            return response
    intro = gettext_lazy(
        "A wage or work-injury claim goes through the green channel: the centre does not "
        "check the worker's economic hardship. For other matters it does."
    )
    return _page(request, gettext_lazy("Refer to legal aid"), form, case, case_page, intro)


def _referral_step(request, pk: int, state: str):
    """The referral, its case and the case page, or a redirect when the step is not open."""
    referral = get_referral_for_user(request.user, pk)
    case: Any = referral.subject
    source = source_of(case)
    if not source.may_act(request.user):
        raise PermissionDenied
    case_page = case_url(source, case)
    if referral.state != state:
        messages.error(
            request,
            _("This step is not possible now: the referral is %(state)s.")
            % {"state": referral.get_state_display()},
        )
        return referral, case, case_page, redirect(case_page)
    return referral, case, case_page, None


def _referral_step_page(request, pk: int, step: dict):
    """One of the centre's answers (``STEPS``): its form, its service, its page."""
    referral, case, case_page, refused = _referral_step(request, pk, step["state"])
    if refused:
        return refused
    form = step["form"](request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        response = _run(
            request,
            form,
            case_page,
            lambda actor: step["service"](referral=referral, actor=actor, **form.cleaned_data),
            step["done"],
        )
        if response is not None:
            return response
    return _page(request, step["title"], form, case, case_page, referral_intro(referral))


STEPS = {
    "answer": {
        "state": State.REFERRED,
        "form": forms.AnswerForm,
        "service": services.referral_answer,
        "done": gettext_lazy("The centre's answer has been recorded."),
        "title": gettext_lazy("The centre's answer"),
    },
    "outcome": {
        "state": State.ACCEPTED,
        "form": forms.OutcomeForm,
        "service": services.referral_outcome,
        "done": gettext_lazy("The outcome has been recorded."),
        "title": gettext_lazy("Outcome of the legal aid"),
    },
}


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, pk: int):
    return _referral_step_page(request, pk, STEPS["answer"])


@login_required
@require_http_methods(["GET", "POST"])
def outcome(request, pk: int):
    return _referral_step_page(request, pk, STEPS["outcome"])


def referral_intro(referral: LegalAidReferral) -> str:
    return _("%(worker)s, referred to %(centre)s on %(day)s.") % {
        "worker": referral.worker.name,
        "centre": referral.centre.name,
        "day": timezone.localdate(referral.referred_at).isoformat(),
    }


@login_required
@require_GET
def referral_list(request):
    if not any(request.user.has_perm(s.view_permission) for s in sources()):
        raise PermissionDenied
    form = forms.ListFilterForm(request.GET or None)
    referrals = referrals_visible_to(request.user).select_related("centre", "worker", "market")
    if form.is_valid() and form.cleaned_data["state"]:
        referrals = referrals.filter(state=form.cleaned_data["state"])
    page = Paginator(referrals.prefetch_related("subject"), 50).get_page(request.GET.get("page"))
    rows = [{"referral": r, "case_url": case_url(source_of(r.subject), r.subject)} for r in page]
    return render(request, "legalaid/list.html", {"form": form, "page": page, "rows": rows})
