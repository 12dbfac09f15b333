"""The shapes the API answers with, shared by every workflow (docs/api.md)."""

import datetime
from typing import Any

from ninja import Field, Schema


class MarketOut(Schema):
    code: str
    name: str


class StepOut(Schema):
    label: str
    done: bool
    when: datetime.datetime | datetime.date | None = None
    due: datetime.date | None = None
    note: str = ""


class CaseOut(Schema):
    workflow: str
    workflow_label: str
    code: str
    title: str
    state: str
    state_label: str
    market: MarketOut
    created_at: datetime.datetime
    updated_at: datetime.datetime
    next_step: StepOut | None = None
    progress: list[StepOut] = []


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    ready: bool
    verification_code: str
    download_url: str | None = None


class CaseDetailOut(CaseOut):
    documents: list[DocumentOut] = []


class CasesOut(Schema):
    cases: list[CaseOut]
    has_more: bool = False


class PartyOut(Schema):
    role: str
    kind: str  # "person" or "organisation"
    name: str | None = None
    id_number: str | None = None  # resident ID (person) or unified social credit code
    mobile: str | None = None


class RecordOut(Schema):
    workflow: str
    code: str
    market: str
    state: str
    state_label: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    data: dict[str, Any] = {}
    parties: list[PartyOut] = []


class SyncOut(Schema):
    results: list[RecordOut]
    next_cursor: str | None = None
    has_more: bool


class IndicatorOut(Schema):
    slug: str
    title: str
    unit: str
    value: float | int | None = None
    target: float | None = None
    met: bool | None = None


class StatisticsOut(Schema):
    workflow: str
    title: str
    period: str
    period_first: datetime.date
    period_last: datetime.date
    markets: list[str]
    as_of: datetime.datetime
    indicators: list[IndicatorOut]


class StatisticsListOut(Schema):
    statistics: list[StatisticsOut]


class Accepted(Schema):
    detail: str


def form_value(description: str, **schema: Any) -> Any:
    """A field of a Django form, optional to the parser: the form decides what is missing
    or wrong, so the API answers with the page's messages. ``schema`` is what the
    documentation shows (type, format, choices; a string unless it says otherwise)."""

    def describe(field: dict) -> None:
        field.pop("anyOf", None)
        field.update({"type": "string", **schema})

    return Field(None, description=description, json_schema_extra=describe)
