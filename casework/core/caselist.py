"""The "all" tab of every workflow's queue: every case of the user's markets, filtered by
state, date received, holder and market, sorted, a page at a time (docs/workflows.md,
"No case out of sight").

A workflow builds a ``CaseListForm`` from its model and the user's markets, narrows its
visible cases with ``form.apply()`` and reads one page with ``capped_page()``. The page
costs the same few queries at any size: the count stops at ``COUNT_CAP`` ("10000+") and
the page's rows are cut from an index before anything is joined.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.forms.utils import ErrorList, flatatt
from django.urls import reverse
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from casework.core import dates
from casework.core.roles import access_of, cache_key, cached

COUNT_CAP = 10_000  # beyond this a tab says "10000+"
MAX_PAGE = 100_000  # deeper pages are typing mistakes, and huge offsets overflow SQLite
NOBODY = "none"  # the holder choice "not held by anyone"


class Sort:
    NEWEST = "newest"
    OLDEST = "oldest"
    UPDATED = "updated"
    CODE = "code"


SORT_LABELS = {
    Sort.NEWEST: _("newest first"),
    Sort.OLDEST: _("oldest first"),
    Sort.UPDATED: _("recently changed first"),
    Sort.CODE: _("by case number"),
}


def market_choices(user) -> list[tuple[int, str]]:
    """The user's markets as (id, name) by name: the scope and the filter's choices."""
    return list(access_of(user).markets)


def holder_choices(permission: str, market_ids: list[int]) -> list[tuple[int, str]]:
    """Active staff of these markets who may hold a case (``app_label.codename``), by name.

    Read from users, groups, permissions and staff profiles only, so kept in the cache
    with what each user holds (roles.cached): a market's few hundred mediators are
    otherwise a query and a tenth of the queue page's time on every request.
    """
    key = cache_key("holders", permission, sorted(market_ids))
    return cached(key, lambda: _read_holders(permission, market_ids))


def _read_holders(permission: str, market_ids: list[int]) -> list[tuple[int, str]]:
    # Each condition is an EXISTS, so no join multiplies the users (and needs no DISTINCT).
    from django.contrib.auth.models import Group, Permission

    from casework.core.models import StaffProfile

    app_label, codename = permission.split(".")
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    user = get_user_model()
    by_group = Group.permissions.through.objects.filter(
        permission__in=perm, group__user=OuterRef("pk")
    )
    by_user = user.user_permissions.through.objects.filter(permission__in=perm, user=OuterRef("pk"))
    in_markets = StaffProfile.markets.through.objects.filter(
        staffprofile__user=OuterRef("pk"), market_id__in=market_ids
    )
    users = (
        user.objects.filter(Exists(in_markets), Exists(by_group) | Exists(by_user), is_active=True)
        .order_by("username")
        .values_list("pk", "username", "first_name", "last_name")
    )
    return [(pk, f"{first} {last}".strip() or name) for pk, name, first, last in users]


class QuickSelect(forms.Select):
    """A select whose options are written in Python: Django renders each option through
    a template, and a holder list of a few hundred staff cost the queue page 100 ms.
    Each list's options are escaped once and kept; only "selected" is added per request."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        pairs = tuple((str(key), str(label)) for key, label in self.choices)
        # Every part is escaped by _option_tags: nothing unescaped is marked safe.
        options = "".join(
            f"{start} selected>{end}" if key in chosen else f"{start}>{end}"
            for key, start, end in _option_tags(pairs)
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe(options),  # noqa: S308
        )


@functools.lru_cache(maxsize=128)
def _option_tags(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """Each choice as (value, '<option value="…"', '…</option>'), value and label escaped."""
    return tuple(
        (key, f'<option value="{escape(key)}"', f"{escape(label)}</option>") for key, label in pairs
    )


class QuietErrorList(ErrorList):
    """An error list that renders nothing without a template when it is empty.

    A filter form shows a field's errors under each field; Django renders the empty
    list of every field through two templates.
    """

    def render(self, template_name=None, context=None, renderer=None) -> SafeString:
        if not self.data:
            return SafeString()
        return super().render(template_name, context, renderer)

    # Django binds these to its own render(), not to an override.
    __str__ = render
    __html__ = render


class FlatChoices(BaseChoiceIterator):
    """Choices that are already (value, label) pairs, set on a field as they are.

    Django normalises a list of choices item by item each time a field gets it: a few
    hundred holders cost the queue page more than its SQL.
    """

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.pairs = pairs

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


def day_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        # Outside the window of casework.core.dates a date is a typing mistake
        # (and far dates overflow in UTC).
        validators=[dates.search_day],
    )


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class CaseListForm(forms.Form):
    """A GET form that only validates; ``apply()`` narrows a queryset with what it validated.

    ``states`` are the model's state choices (None: no state field); ``holders`` the
    (user id, name) choices (None: no holder field); ``date_field`` the column the dates
    filter, a DateTimeField. A user with one market gets no market field.
    """

    state = forms.ChoiceField(label=_("State"), required=False, widget=QuickSelect)
    holder = forms.ChoiceField(label=_("Held by"), required=False, widget=QuickSelect)
    received_from = day_field(_("Received from"))
    received_to = day_field(_("Received until"))
    market = forms.TypedChoiceField(
        label=_("Market"), required=False, coerce=int, empty_value=None, widget=QuickSelect
    )
    sort = forms.ChoiceField(label=_("Order"), required=False, widget=QuickSelect)

    date_field = "created_at"
    error_class = QuietErrorList
    sorts = {
        Sort.NEWEST: ("-{date}", "-pk"),
        Sort.OLDEST: ("{date}", "pk"),
        Sort.UPDATED: ("-updated_at", "-pk"),
        Sort.CODE: ("code",),
    }

    def __init__(
        self,
        data,
        *,
        markets: list[tuple[int, str]],
        states=None,
        holders: list[tuple[int, str]] | None = None,
        default_sort: str = "",
    ) -> None:
        super().__init__(data)
        self._quick_selects()
        self.market_ids = [pk for pk, _name in markets]
        if len(markets) > 1:
            self._choose("market", [("", _("all my markets")), *markets])
        else:
            del self.fields["market"]
        if states is None:
            del self.fields["state"]
        else:
            self._choose("state", [("", _("any")), *states])
        if holders is None:
            del self.fields["holder"]
        else:
            people = [(str(pk), name) for pk, name in holders]
            self._choose(
                "holder", [("", _("anyone or nobody")), (NOBODY, _("nobody yet")), *people]
            )
        self.default_sort = default_sort
        sorts = [(key, label) for key, label in SORT_LABELS.items() if key in self.sorts]
        if default_sort:
            self._choose("sort", sorts)
            self.fields["sort"].initial = default_sort
        else:
            self._choose("sort", [("", _("as the queue orders")), *sorts])

    def _quick_selects(self) -> None:
        # A subclass's own choice fields (the claim type) render their options in Python too.
        for field in self.fields.values():
            if type(field.widget) is forms.Select:
                quick = QuickSelect(attrs=field.widget.attrs, choices=field.widget.choices)
                quick.is_required = field.widget.is_required
                field.widget = quick

    def _choose(self, name: str, choices: list) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = FlatChoices(choices)

    def clean(self) -> dict:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The last date must not be before the first date."))
        return data

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(
            value not in (None, "") and name != "sort"
            for name, value in getattr(self, "cleaned_data", {}).items()
        )

    def markets(self) -> list[int]:
        """The market ids to scope to: the chosen one, or all of the user's."""
        chosen = self.cleaned_data.get("market")
        return [chosen] if chosen else self.market_ids

    def apply(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` within the chosen market, state, holder and dates (unordered)."""
        return self.narrow(queryset.filter(market_id__in=self.markets()))

    def narrow(self, queryset: QuerySet) -> QuerySet:
        """``queryset`` (already within the markets) with the chosen state, holder and dates."""
        data = self.cleaned_data
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        holder = data.get("holder")
        if holder == NOBODY:
            queryset = queryset.filter(owner__isnull=True)
        elif holder:
            queryset = queryset.filter(owner_id=int(holder))
        # Dates are days in China time; a range of aware datetimes keeps the column indexable.
        if data.get("received_from"):
            queryset = queryset.filter(
                **{f"{self.date_field}__gte": start_of(data["received_from"])}
            )
        if data.get("received_to"):
            next_day = data["received_to"] + datetime.timedelta(days=1)
            queryset = queryset.filter(**{f"{self.date_field}__lt": start_of(next_day)})
        return queryset

    def ordering(self) -> tuple[str, ...] | None:
        """The chosen order as order_by() arguments; None: the caller's own order."""
        key = self.cleaned_data.get("sort") or self.default_sort
        if key not in self.sorts:
            return None
        return tuple(part.format(date=self.date_field) for part in self.sorts[key])


@dataclass(frozen=True)
class CappedPage:
    """One page read as ``per_page + 1`` rows: the extra row says a next page exists."""

    items: list
    number: int
    has_next: bool
    count: int  # at most COUNT_CAP + 1
    num_pages: int | None  # None when the count is capped
    previous_url: str = ""
    next_url: str = ""

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def count_text(self) -> str:
        return count_text(self.count)


def count_text(count: int) -> str:
    """A capped count as shown: "10000+" past COUNT_CAP."""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


def page_number(requested, num_pages: int | None) -> int:
    try:
        number = int(requested)
    except (TypeError, ValueError):
        number = 1
    return max(1, min(number, num_pages or MAX_PAGE))


def capped_count(queryset: QuerySet) -> int:
    """How many rows, counted up to COUNT_CAP + 1 (an unbounded COUNT(*) at a million is slow)."""
    return queryset.order_by().values("pk")[: COUNT_CAP + 1].count()


def capped_page(
    queryset: QuerySet,
    requested,
    per_page: int,
    count: int,
    fetch: Callable[[QuerySet], Iterable] | None = None,
) -> CappedPage:
    """Page ``requested`` of the ordered ``queryset``, in one query.

    The page's keys are cut from the ordered queryset in a subquery and only those rows
    are read in full (joined before the LIMIT, the database would join and sort every
    row of the tab). ``fetch(rows)`` may narrow or extend that queryset of the page's
    rows (``values()``, ``select_related()``); it keeps the order.
    """
    num_pages = None if count > COUNT_CAP else max(1, -(-count // per_page))
    number = page_number(requested, num_pages)
    if count == 0:
        return CappedPage([], number, False, count, num_pages)
    offset = (number - 1) * per_page
    keys = queryset.values("pk")[offset : offset + per_page + 1]
    rows = queryset.model._default_manager.filter(pk__in=keys).order_by(*queryset.query.order_by)
    items = list(fetch(rows) if fetch else rows)
    return CappedPage(items[:per_page], number, len(items) > per_page, count, num_pages)


# -- the "all" tab of a workflow's queue ---------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    code: str
    url: str
    state: str
    state_label: str
    party: str
    holder: str  # empty when nobody holds the case
    market: str
    received_on: datetime.date
    changed_on: datetime.date


@dataclass(frozen=True)
class AllTab:
    """What templates/core/_all_cases.html shows: the filters, a page of rows, its pager."""

    form: CaseListForm
    page: CappedPage
    rows: list[CaseRow]
    param: str  # the queue's tab parameter, kept by the filter form
    value: str
    show_market: bool


def all_tab(
    request,
    queryset: QuerySet,
    *,
    param: tuple[str, str],
    holder_permission: str,
    url_name: str,
    party: Callable[[Any], str],
    related: tuple[str, ...] = (),
    date_field: str = "created_at",
    per_page: int = 25,
) -> AllTab:
    """The "all" tab of a queue: ``queryset`` (the cases the user may see) filtered by
    the request's choices, newest first unless another order is chosen, one page.

    ``param`` is the queue's (parameter, value) choosing the tab; ``party(case)`` the
    name a row shows; ``related`` what ``party`` reads, joined on the page's rows.
    """
    markets = market_choices(request.user)
    form = CaseListForm(
        request.GET,
        markets=markets,
        states=queryset.model._meta.get_field("state").choices,
        holders=holder_choices(holder_permission, [pk for pk, _name in markets]),
        default_sort=Sort.NEWEST,
    )
    form.date_field = date_field
    if form.is_valid():
        cases = form.apply(queryset).order_by(*(form.ordering() or ()))
        page = capped_page(
            cases,
            request.GET.get("page"),
            per_page,
            capped_count(cases),
            fetch=lambda rows: rows.select_related("owner", "market", *related),
        )
    else:
        # No cases rather than an unfiltered list the user would take for the filtered one.
        page = CappedPage([], 1, False, 0, 1)
    return AllTab(
        form=form,
        page=with_links(page, request),
        rows=[_case_row(case, url_name, party, date_field) for case in page.items],
        param=param[0],
        value=param[1],
        show_market=len(markets) > 1,
    )


def _case_row(case, url_name: str, party: Callable[[Any], str], date_field: str) -> CaseRow:
    owner = case.owner
    return CaseRow(
        code=case.code,
        url=reverse(url_name, args=[case.code]),
        state=case.state,
        state_label=case.get_state_display(),
        party=party(case),
        holder=(owner.get_full_name() or owner.get_username()) if owner else "",
        market=case.market.name,
        received_on=timezone.localdate(getattr(case, date_field)),
        changed_on=timezone.localdate(case.updated_at),
    )


def query_with(request, **changes) -> str:
    """The current query string with ``changes`` applied (None removes a parameter)."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return "?" + query.urlencode()


def with_links(page, request):
    """``page`` (a CappedPage or a workflow's own) with its previous and next page URLs."""
    return replace(
        page,
        previous_url=query_with(request, page=page.number - 1) if page.has_previous else "",
        next_url=query_with(request, page=page.number + 1) if page.has_next else "",
    )
