from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from casework.core.roles import PORTAL_ROLES, roles_of


@login_required
def home(request):
    roles = roles_of(request.user)
    if not set(roles) & PORTAL_ROLES:
        return redirect("home")
    person = getattr(request.user, "person", None)
    organizations = person.organizations.all() if person else []
    return render(request, "portal/home.html", {"person": person, "organizations": organizations})
