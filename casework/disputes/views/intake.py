"""Filing a dispute at the counter: a written application or an oral one (Art. 12)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from casework.core.audit import Actor
from casework.core.formtokens import one_time_form
from casework.disputes import services
from casework.disputes.forms import OralIntakeForm, WrittenIntakeForm, claim_formset
from casework.disputes.models import Channel


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's refusal on the form; its field names need not be the form's."""
    form.add_error(None, ValidationError(exc.messages))


@login_required
@permission_required("disputes.add_dispute", raise_exception=True)
@require_http_methods(["GET", "POST"])
@one_time_form
def file_written(request):
    title = gettext_lazy("File a written application")
    return _file(request, WrittenIntakeForm, Channel.WRITTEN, title)


@login_required
@permission_required("disputes.add_dispute", raise_exception=True)
@require_http_methods(["GET", "POST"])
@one_time_form
def file_oral(request):
    title = gettext_lazy("Record an oral application")
    return _file(request, OralIntakeForm, Channel.ORAL, title)


def _file(request, form_class, channel: str, title):
    posted = request.method == "POST"
    form = form_class(
        request.POST if posted else None, request.FILES if posted else None, user=request.user
    )
    claims = claim_formset(request.POST if posted else None)
    if posted and all([form.is_valid(), claims.is_valid()]):
        try:
            dispute = services.dispute_file(
                **form.filing(),
                channel=channel,
                claims=claims.claims(),
                actor=Actor.from_request(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Dispute %(code)s has been filed.") % {"code": dispute.code}
            )
            return redirect("disputes:detail", code=dispute.code)
    context = {"form": form, "claims": claims, "title": title, "oral": channel == Channel.ORAL}
    return render(request, "disputes/file.html", context)
