"""The application for certification, taken by a caseworker at the counter.

The caseworker picks the applicant from the register or registers them on the
spot, records what they declare (and the sensitive facts, kept apart by the
service), and the application waits in the queue for its first review. Nothing
is saved unless everything is correct: a refusal of the service also undoes the
new person's registration.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assistance import services
from assistance.forms import ApplicationIntake
from assistance.models import AssistanceCase
from assistance.views.common import ADD, VIEW, require_staff
from casework.core.audit import Actor
from casework.core.formtokens import one_time_form
from casework.parties.forms import PersonForm


@login_required
@require_http_methods(["GET", "POST"])
@one_time_form
def apply(request):
    require_staff(request.user, VIEW, ADD)
    posted = request.method == "POST"
    intake = ApplicationIntake(request.POST if posted else None, user=request.user)
    if posted and intake.is_valid():
        try:
            case = apply_at_counter(intake, actor=Actor.from_request(request))
        except ValidationError as exc:
            intake.main.add_error(None, ValidationError(exc.messages))
        else:
            messages.success(
                request,
                _("Application %(code)s has been recorded; it waits for its first review.")
                % {"code": case.code},
            )
            return redirect("assistance:detail", code=case.code)
    return render(request, "assistance/apply.html", {"intake": intake})


def apply_at_counter(intake: ApplicationIntake, *, actor: Actor) -> AssistanceCase:
    """Hand the valid form to the service; a new applicant goes as an unsaved instance."""
    data = intake.main.cleaned_data
    person = intake.person
    if isinstance(person, PersonForm):
        person = person.save(commit=False)
    return services.case_apply(
        market=data["market"],
        person=person,
        actor=actor,
        applied_on=data["applied_on"],
        facts=intake.main.facts(),
        sensitive=intake.main.sensitive(),
        retirement_group=data["retirement_group"],
    )
