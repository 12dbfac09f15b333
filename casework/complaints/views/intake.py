"""Recording a complaint received at the counter or by phone.

The officer who records it holds it (首问负责). The tracking code is shown once,
on the page that answers the form, so the officer can write it on a slip for the
complainant; only its hash is stored. The form carries a one-time form token
(casework.core.formtokens): sent again (a reload, a double click), it files
nothing more and leads to the complaint's page.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casework.complaints import services
from casework.complaints.forms import StaffIntakeForm
from casework.complaints.views.common import ADD, VIEW, add_service_errors, require_staff
from casework.core.audit import Actor
from casework.core.formtokens import mark_done, one_time_form
from casework.core.models import FormToken, markets_for


def _recorded_before(request, earlier: FormToken):
    code = resolve(urlsplit(earlier.result_url).path).kwargs["code"]
    messages.info(
        request,
        _("This complaint was already recorded as %(code)s; its tracking code is not shown again.")
        % {"code": code},
    )
    return redirect(earlier.result_url)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@one_time_form(on_repeat=_recorded_before)
def file_complaint(request):
    require_staff(request.user, VIEW, ADD)
    posted = request.method == "POST"
    form = StaffIntakeForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        markets=markets_for(request.user),
    )
    if posted and form.is_valid():
        try:
            filed = services.complaint_file(
                actor=Actor.from_request(request), **form.filing_kwargs()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            complaint = filed.complaint
            # Rendered, not redirected: the code exists only in this response.
            context = {"complaint": complaint, "tracking_code": filed.tracking_code}
            response = render(request, "complaints/filed.html", context)
            return mark_done(response, reverse("complaints:detail", args=[complaint.code]))
    return render(request, "complaints/new.html", {"form": form})
