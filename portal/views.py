"""The portal shell: the home page of workers and hiring parties
(docs/architecture.md, "What each layer holds").

The party pages themselves belong to the workflows (``views/portal.py`` in each
workflow app), which register them and their home sections in casework.core.portal.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from casework.core import portal as registry
from casework.core.roles import PORTAL_ROLES, roles_of
from casework.parties.verification import passed_check


@login_required
def home(request):
    roles = roles_of(request.user)
    if not set(roles) & PORTAL_ROLES:
        return redirect("home")
    person = getattr(request.user, "person", None)
    # An organisation registered online waits for staff to check its licence (docs/portal.md).
    organizations = (
        [(org, passed_check(org) is not None) for org in person.organizations.all()]
        if person
        else []
    )
    return render(
        request,
        "portal/home.html",
        {
            "person": person,
            "organizations": organizations,
            "sections": registry.home_sections(request),
        },
    )
