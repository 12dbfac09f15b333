"""Recording a complaint received at the counter or by phone.

The officer who records it holds it (首问负责). The tracking code is shown once,
on the page that answers the form, so the officer can write it on a slip for the
complainant; only its hash is stored. Each form carries a one-time submission
token: sent again (a reload, a double click), it files nothing more.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casework.complaints import services
from casework.complaints.forms import StaffIntakeForm
from casework.complaints.views.common import ADD, VIEW, add_service_errors, require_staff
from casework.core.audit import Actor
from casework.core.models import markets_for

FILED_SESSION_KEY = "complaints:filed"
FILED_REMEMBERED = 5


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def file_complaint(request):
    require_staff(request.user, VIEW, ADD)
    posted = request.method == "POST"
    token = request.POST.get("submission", "") if posted else ""
    filed_before = dict(request.session.get(FILED_SESSION_KEY, []))
    if token and token in filed_before:
        messages.info(
            request,
            _(
                "This complaint was already recorded as %(code)s; its tracking code is not "
                "shown again."
            )
            % {"code": filed_before[token]},
        )
        return redirect("complaints:detail", code=filed_before[token])
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
            if token:
                remembered = [*request.session.get(FILED_SESSION_KEY, []), (token, complaint.code)]
                request.session[FILED_SESSION_KEY] = remembered[-FILED_REMEMBERED:]
            # Rendered, not redirected: the code exists only in this response.
            context = {"complaint": complaint, "tracking_code": filed.tracking_code}
            return render(request, "complaints/filed.html", context)
    context = {"form": form, "submission": token or secrets.token_urlsafe(16)}
    return render(request, "complaints/new.html", context)
