"""The public directory (no login): the page, its feeds, the map and each market's card;
and the monthly figures page of a market's supervisors."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from casework.core.audit import Actor
from casework.core.formtokens import one_time_form
from casework.core.models import Market
from casework.core.ratelimit import limit_key, over_limit
from casework.directory import figures as figure_service
from casework.directory.card import ready_card
from casework.directory.entries import CRS, FIELDS, directory, feature
from casework.directory.forms import FiguresForm
from casework.documents.services import document_file_name

CARD_SCOPE = "directory:card"


def card_limit_key(address: str | None) -> str:
    return limit_key(CARD_SCOPE, address)


def _public(response):
    # A feed is public and the same for everyone in one language (the nature's label):
    # caches may keep it a few minutes. The HTML pages carry the language form's CSRF
    # token, so they are left to Django's defaults.
    patch_cache_control(response, public=True, max_age=settings.MARKET_DIRECTORY_MAX_AGE)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_safe
def index(request):
    listed = directory()
    context = {
        "rows": [(market, figures) for market, figures, _entry in listed],
        # A supervisor finds the figures page of the markets they supervise from here.
        "supervised": _supervised_codes(request.user),
    }
    return render(request, "directory/index.html", context)


def _supervised_codes(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(user.supervised_markets.values_list("code", flat=True))


@require_safe
def feed_json(request):
    data = {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "crs": CRS,
        "fields": {key: str(text) for key, text in FIELDS.items()},
        "markets": [entry for _m, _f, entry in directory(_base_url(request))],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    return _public(response)


@require_safe
def feed_geojson(request):
    entries = [entry for _m, _f, entry in directory(_base_url(request))]
    data = {
        "type": "FeatureCollection",
        # RFC 7946 allows members of its own ("foreign members"); readers ignore them.
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "features": [feature(e) for e in entries if e["latitude"] is not None],
    }
    response = JsonResponse(
        data, content_type="application/geo+json", json_dumps_params={"ensure_ascii": False}
    )
    return _public(response)


@require_safe
def map_view(request):
    listed = directory()
    context = {
        "rows": [(market, figures) for market, figures, _entry in listed],
        "tile_url": settings.MARKET_MAP_TILE_URL,
        "tile_attribution": settings.MARKET_MAP_TILE_ATTRIBUTION,
        "tile_subdomains": settings.MARKET_MAP_TILE_SUBDOMAINS,
        "supervised": _supervised_codes(request.user),
    }
    return render(request, "directory/map.html", context)


@require_safe
def card(request, code: str):
    """The market's current sealed card, for anyone; verifiable at /verify/."""
    if over_limit(
        request,
        CARD_SCOPE,
        limit=settings.DOCUMENT_VERIFY_LIMIT,
        window=settings.DOCUMENT_VERIFY_WINDOW,
    ):
        return render(request, "directory/card_limited.html", status=429)
    market = get_object_or_404(Market, code=code)
    doc = ready_card(market)
    if not doc.is_ready or not doc.file:
        pending = render(request, "directory/card_pending.html", {"market": market}, status=503)
        pending["Retry-After"] = "10"
        return pending
    pdf = FileResponse(
        doc.file.open("rb"), filename=document_file_name(doc), content_type="application/pdf"
    )
    patch_cache_control(pdf, public=True, max_age=settings.MARKET_DIRECTORY_MAX_AGE)
    return pdf


@login_required
@require_http_methods(["GET", "POST"])
@one_time_form
def month_figures(request, code: str):
    """A market's monthly figures, entered by its supervisors only."""
    market = get_object_or_404(Market, code=code)
    if not market.supervisors.filter(pk=request.user.pk).exists():
        raise PermissionDenied
    form = FiguresForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row = figure_service.enter_figures(
            market=market,
            month=form.cleaned_data["month"],
            job_seekers=form.cleaned_data["job_seekers"],
            daily_placements=form.cleaned_data["daily_placements"],
            actor=Actor.from_request(request),
        )
        messages.success(
            request, _("The figures for %(month)s are saved.") % {"month": f"{row.month:%Y-%m}"}
        )
        return redirect("directory:figures", code=market.code)
    context = {"market": market, "form": form, "rows": market.month_figures.all()[:24]}
    return render(request, "directory/figures.html", context)
