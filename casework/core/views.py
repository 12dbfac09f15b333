from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect, render

from casework.core.models import Market, markets_for
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
    markets = markets_for(request.user)
    return render(
        request,
        "core/home.html",
        {
            "sections": sections,
            "markets": markets,
            "market_documents": _market_documents(request.user, markets),
            "no_role": not roles,
        },
    )


def _market_documents(user, markets):
    from casework.documents.access import documents_visible_to

    market_type = ContentType.objects.get_for_model(Market)
    return documents_visible_to(user).filter(
        subject_type=market_type, subject_id__in=markets.values("pk")
    )
