from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from casework.core.models import markets_for
from casework.core.queues import queues_for
from casework.core.roles import PORTAL_ROLES, Role, roles_of


@login_required
def home(request):
    roles = roles_of(request.user)
    if roles and set(roles) <= PORTAL_ROLES:
        return redirect("portal:home")
    sections = [
        {
            "role": Role(role).label,
            "queues": [(q, q.count(request.user)) for q in queues_for(role)],
        }
        for role in roles
        if role not in PORTAL_ROLES
    ]
    return render(
        request,
        "core/home.html",
        {"sections": sections, "markets": markets_for(request.user), "no_role": not roles},
    )
