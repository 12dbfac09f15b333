"""The system API (docs/api.md, "Systems"): read-only case records and statistics for
provincial pooling (省级归集) and other government systems, by key. A key reads only its
markets (a case elsewhere is 404), personal data only with the ``personal`` scope, and
every call is logged (``SystemCall``)."""

import base64
import binascii
import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema

from casework.api import registry
from casework.api.auth import SystemAuth, require_scope
from casework.api.errors import ApiError, responses
from casework.api.models import SystemKey
from casework.api.schemas import RecordOut, StatisticsListOut, SyncOut
from casework.core.models import Market
from casework.parties.models import Person
from casework.reports import periods
from casework.reports import registry as reports
from casework.reports.services import statistics

router = Router(auth=SystemAuth(), tags=["system"])
Scope = SystemKey.Scope

MAX_PAGE = 500
BAD_CURSOR = _("The cursor is not one this API gave: start again from updated_since.")


class SyncQuery(Schema):
    updated_since: datetime.datetime | None = None
    cursor: str | None = None
    market: str | None = None
    limit: int = 100


def encode_cursor(case) -> str:
    raw = f"{case.updated_at.isoformat()}|{case.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, pk = raw.split("|")
        moment = datetime.datetime.fromisoformat(when)
        if timezone.is_naive(moment):
            raise ValueError
        return moment, int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ApiError(
            422, BAD_CURSOR, code="bad_cursor", fields={"cursor": [BAD_CURSOR]}
        ) from None


def _markets(key, code: str | None) -> list[int]:
    """The key's markets, or the one it names (404 when the key does not cover it)."""
    if not code:
        return sorted(key.market_ids)
    market = Market.objects.filter(code=code, pk__in=key.market_ids).first()
    if market is None:
        raise ApiError(404)
    return [market.pk]


def _party(role: str, party, personal: bool) -> dict:
    if isinstance(party, Person):
        if not personal:
            return {"role": role, "kind": "person"}
        return {
            "role": role,
            "kind": "person",
            "name": party.name,
            "id_number": party.id_number or None,
            "mobile": party.mobile or None,
        }
    # An organisation's name and credit code are public (国家企业信用信息公示系统).
    return {
        "role": role,
        "kind": "organisation",
        "name": party.name,
        "id_number": getattr(party, "credit_code", "") or None,
    }


def state_labels(model) -> dict[str, str]:
    """The state labels, translated once per page (get_state_display() translates every
    choice at each call: the largest cost of a sync page)."""
    return {value: str(label) for value, label in model._meta.get_field("state").flatchoices}


def record(
    workflow: registry.ApiWorkflow, case, personal: bool, market_codes: dict, labels: dict
) -> dict:
    return {
        "workflow": workflow.name,
        "code": case.code,
        "market": market_codes[case.market_id],
        "state": case.state,
        "state_label": labels.get(case.state, case.state),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "data": workflow.record(case),
        "parties": [_party(role, p, personal) for role, p in workflow.parties(case) if p],
    }


def _workflow(name: str) -> registry.ApiWorkflow:
    workflow = registry.get_workflow(name)
    if workflow is None:
        raise ApiError(404)
    return workflow


def _market_codes(ids) -> dict[int, str]:
    return dict(Market.objects.filter(pk__in=ids).values_list("pk", "code"))


@router.get(
    "/cases/{workflow}",
    response=responses({200: SyncOut}, 403, 404),
    url_name="system_cases",
    summary="Case records changed since a moment (incremental sync)",
)
def sync(request, workflow: str, query: Query[SyncQuery]):
    """Records in the order of their last change. Start with ``updated_since`` (or
    nothing, for all), then pass each page's ``next_cursor`` until ``has_more`` is false;
    keep the last cursor for the next run."""
    key = require_scope(request, Scope.CASES)
    found = _workflow(workflow)
    markets = _markets(key, query.market)
    if not 1 <= query.limit <= MAX_PAGE:
        message = gettext("Ask for 1 to %(most)s records a page.") % {"most": MAX_PAGE}
        raise ApiError(422, message, fields={"limit": [message]})
    rows = found.model._default_manager.filter(market_id__in=markets)
    if query.cursor:
        moment, pk = decode_cursor(query.cursor)
        # The >= lets the index start at the cursor; the OR alone was checked row by row
        # from the market's first record (0.65 s half-way through a million).
        rows = rows.filter(updated_at__gte=moment).filter(
            Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk)
        )
    elif query.updated_since:
        rows = rows.filter(updated_at__gte=query.updated_since)
    rows = rows.select_related(*found.related).prefetch_related(*found.prefetch)
    page = list(rows.order_by("updated_at", "pk")[: query.limit + 1])
    more = len(page) > query.limit
    page = page[: query.limit]
    personal = key.allows(Scope.PERSONAL)
    codes, labels = _market_codes(markets), state_labels(found.model)
    request.api_rows, request.api_personal = len(page), personal and bool(page)
    return {
        "results": [record(found, case, personal, codes, labels) for case in page],
        "next_cursor": encode_cursor(page[-1]) if page else query.cursor,
        "has_more": more,
    }


@router.get(
    "/cases/{workflow}/{code}",
    response=responses({200: RecordOut}, 403, 404),
    url_name="system_case",
    summary="One case record",
)
def case_record(request, workflow: str, code: str):
    key = require_scope(request, Scope.CASES)
    found = _workflow(workflow)
    rows = found.model._default_manager.filter(market_id__in=key.market_ids, code=code)
    case: Any = rows.select_related(*found.related).prefetch_related(*found.prefetch).first()
    if case is None:
        raise ApiError(404)
    personal = key.allows(Scope.PERSONAL)
    request.api_rows, request.api_personal = 1, personal
    codes = _market_codes([case.market_id])
    return record(found, case, personal, codes, state_labels(found.model))


class StatisticsQuery(Schema):
    period: str | None = None
    market: str | None = None


@router.get(
    "/statistics",
    response=responses({200: StatisticsListOut}, 403, 404),
    url_name="system_statistics",
    summary="Every workflow's indicators for a period",
)
def statistics_of(request, query: Query[StatisticsQuery]):
    """The figures of the statistics pages (docs/reports.md) over the key's markets,
    or the one ``market``; ``period`` is 2026-11, 2026-Q4, 2026 or a range
    2026-01-01..2026-03-31 (the current month when left out)."""
    key = require_scope(request, Scope.STATISTICS)
    markets = Market.objects.filter(pk__in=_markets(key, query.market)).order_by("code")
    try:
        period = periods.parse(query.period)
    except periods.PeriodError as exc:
        raise ApiError(422, str(exc), fields={"period": [str(exc)]}) from None
    codes = list(markets.values_list("code", flat=True))
    out = []
    for report in reports.reports():
        stats = statistics(report, markets, period)
        out.append(
            {
                "workflow": report.slug,
                "title": str(report.title),
                "period": str(period.label),
                "period_first": period.first,
                "period_last": period.last,
                "markets": codes,
                "as_of": stats.as_of,
                "indicators": [_indicator(figure) for figure in stats.figures],
            }
        )
    request.api_rows = len(out)
    return {"statistics": out}


def _indicator(figure) -> dict:
    def number(value):
        return None if value is None else (value if isinstance(value, int) else float(value))

    return {
        "slug": figure.indicator.slug,
        "title": str(figure.indicator.title),
        "unit": figure.indicator.unit,
        "value": number(figure.value),
        "target": number(figure.target),
        "met": figure.met,
    }
