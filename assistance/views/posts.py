"""Public-welfare posts: places, places held, free places and the waiting list.

A post's page lists who is referred to it by name and status only: never the
categories they were certified under (the post's employer needs no more).
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from assistance.models import Post, Referral
from assistance.views.common import VIEW, VIEW_POST, post_for, require_staff
from casework.core.models import markets_for

HOLDING = Q(referrals__status__in=Referral.HOLDING)
WAITING = Q(referrals__status=Referral.Status.WAITLISTED)


def with_places(posts):
    return posts.annotate(
        held=Count("referrals", filter=HOLDING), waiting=Count("referrals", filter=WAITING)
    )


@login_required
@require_GET
def post_list(request):
    require_staff(request.user, VIEW_POST)
    posts = with_places(
        Post.objects.filter(market__in=markets_for(request.user)).select_related(
            "employer", "market"
        )
    ).order_by("-is_open", "title", "pk")
    rows = [(post, max(post.places - post.held, 0)) for post in posts]
    return render(request, "assistance/posts.html", {"rows": rows})


@login_required
@require_GET
def post_detail(request, pk: int):
    post = post_for(request, pk)
    counted = with_places(Post.objects.filter(pk=post.pk)).get()
    referrals = post.referrals.select_related("case", "case__person").order_by("referred_at", "pk")
    context = {
        "post": post,
        "held": counted.held,
        "free": max(post.places - counted.held, 0),
        "waiting": counted.waiting,
        "referrals": referrals,
        "can_open_cases": request.user.has_perm(VIEW),
    }
    return render(request, "assistance/post.html", context)
