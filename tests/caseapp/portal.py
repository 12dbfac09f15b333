"""The sample workflow's party page, plugged into the portal by registration alone.

CaseAppConfig.ready() imports this module; nothing in portal/ names the sample
workflow. A sample case's "party" is the user holding it (the sample has no
parties of its own).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import path

from casework.core import portal as registry
from tests.caseapp.models import SampleCase


def samples_of(user):
    return SampleCase.objects.filter(owner=user)


@login_required
def sample_detail(request, code: str):
    case = samples_of(request.user).filter(code=code).first()
    if case is None:
        raise Http404("No sample case of yours with this number.")
    return HttpResponse(f"{case.code}: {case.state}")


def home_context(user) -> dict | None:
    samples = list(samples_of(user))
    return {"samples": samples} if samples else None


registry.register(
    registry.PortalWorkflow(
        name="caseapp",
        urls=[path("samples/<str:code>/", sample_detail, name="sample")],
        home=registry.HomeSection("caseapp/portal_list.html", home_context),
        order=90,
    )
)
