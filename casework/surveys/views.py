"""The survey page (public, no login) and the results for supervisors (docs/surveys.md).

The survey page is reached by the link in the text: its token names the invitation
(casework.surveys.tokens). A token that is not ours finds nothing (404), an answered
invitation thanks again, one older than 30 days says so (410); every request counts
against the per-address limit (casework.core.ratelimit)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from casework.core.formtokens import mark_done, one_time_form
from casework.core.ratelimit import limit_key, over_limit
from casework.reports.periods import KINDS, PeriodError, parse
from casework.surveys import access, services
from casework.surveys.forms import AnswerForm
from casework.surveys.models import REASON_LEVELS, Level, SurveyInvitation
from casework.surveys.registry import get_kind, kinds
from casework.surveys.tokens import read_token

ANSWER_SCOPE = "surveys:answer"
ANSWER_LIMIT = 60  # requests per address and window
ANSWER_WINDOW = 600  # seconds
CASES_PER_PAGE = 50


def answer_limit_key(address: str | None) -> str:
    return limit_key(ANSWER_SCOPE, address)


def _page(request, name: str, context: dict | None = None, status: int = 200):
    return render(request, f"surveys/{name}.html", context or {}, status=status)


def _rate_limited(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if over_limit(request, ANSWER_SCOPE, limit=ANSWER_LIMIT, window=ANSWER_WINDOW):
            return _page(request, "limited", status=429)
        return view(request, *args, **kwargs)

    return wrapper


def _already(request, earlier):
    # The same form sent again (reload, double tap): the first one was recorded.
    return _page(request, "thanks", {"already": True})


def _case(invitation: SurveyInvitation) -> dict:
    """What the page says about the case: its number, kind and market, nobody's name."""
    kind = get_kind(invitation.kind)
    return {
        "code": invitation.case_code,
        "kind": kind.title if kind else "",
        "market": invitation.market.name,
    }


@never_cache
@require_http_methods(["GET", "POST"])
@_rate_limited
@one_time_form(on_repeat=_already)
def answer(request, token: str):
    pk = read_token(token)
    invitation = (
        SurveyInvitation.objects.select_related("market").filter(pk=pk).first() if pk else None
    )
    if invitation is None:
        return _page(request, "not_found", status=404)
    case = _case(invitation)
    if invitation.answered:
        return _page(request, "thanks", {"already": True, "case": case})
    if invitation.expired():
        return _page(request, "expired", {"case": case}, status=410)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer(invitation.pk, **form.cleaned_data)
        except services.AlreadyAnswered:
            return _page(request, "thanks", {"already": True, "case": case})
        except services.Expired:
            return _page(request, "expired", {"case": case}, status=410)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            response = _page(request, "thanks", {"case": case})
            return mark_done(response, request.path)
    context = {"form": form, "case": case, "reason_levels": [int(v) for v in REASON_LEVELS]}
    return _page(request, "answer", context, status=400 if form.errors else 200)


# -- results ----------------------------------------------------------------------------------


@login_required
@require_GET
def results(request):
    markets = access.results_markets(request.user, request.GET.get("market"))
    error = ""
    try:
        period = parse(request.GET.get("period"))
    except PeriodError as problem:
        period, error = parse(""), str(problem)
    titles = {kind.slug: str(kind.title) for kind in kinds()}
    figures = services.results(markets, period, titles)
    context = {
        "figures": figures,
        "total_rows": [figures.total],
        "levels": Level.choices,
        "markets": access.statistics.statistics_markets(request.user).order_by("code"),
        "market": request.GET.get("market") or _default_market(markets),
        "period": period,
        "period_error": error,
        "kinds": KINDS,
        "may_see_cases": access.may_see_cases(request.user),
    }
    if context["may_see_cases"]:
        answered = (
            services.answered_in(markets, period)
            .select_related("handler", "market")
            .order_by("-used_at", "-pk")
        )
        page = Paginator(answered, CASES_PER_PAGE).get_page(request.GET.get("page"))
        readable = access.comment_markets(request.user)
        context["page"] = page
        context["answers"] = [_answer_row(row, readable) for row in page]
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
    return render(request, "surveys/results.html", context)


def _default_market(markets) -> str:
    codes = list(markets.values_list("code", flat=True)[:2])
    return codes[0] if len(codes) == 1 else access.statistics.ALL


def _answer_row(row: SurveyInvitation, readable: set[int]) -> dict:
    kind = get_kind(row.kind)
    return {
        "invitation": row,
        "kind": kind.title if kind else row.kind,
        "detail_url": kind.detail_url if kind else "",
        "comment": row.comment if row.market_id in readable else None,
    }
