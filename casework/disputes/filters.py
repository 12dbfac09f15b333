"""The mediator queue's filters: claim type, amount claimed, date of receipt, market.

A GET form that only validates; ``apply()`` narrows a tab's queryset with what it
validated. The market choices are the user's own markets, read by the view once.
"""

import datetime
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core import dates
from casework.core.formfields import AmountField
from casework.core.models import markets_for
from casework.disputes.models import ClaimType, Dispute


def market_choices(user) -> list[tuple[int, str]]:
    """The user's markets as (id, name), in one query: the tab scope and the filter's choices."""
    return list(markets_for(user).order_by("name").values_list("pk", "name"))


def _amount_field(label) -> AmountField:
    return AmountField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        error_messages={"min_value": _("An amount cannot be negative.")},
    )


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        # Outside the window of casework.core.dates a date is a typing mistake
        # (and far dates overflow in UTC).
        validators=[dates.search_day],
    )


class QueueFilterForm(forms.Form):
    claim_type = forms.ChoiceField(
        label=_("Claim type"), required=False, choices=[("", _("any")), *ClaimType.choices]
    )
    amount_min = _amount_field(_("Claimed at least (yuan)"))
    amount_max = _amount_field(_("Claimed at most (yuan)"))
    received_from = _date_field(_("Received from"))
    received_to = _date_field(_("Received until"))
    market = forms.TypedChoiceField(label=_("Market"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, markets: list[tuple[int, str]]) -> None:
        super().__init__(data)
        self.market_ids = [pk for pk, _name in markets]
        if len(markets) > 1:
            self.fields["market"].choices = [("", _("all my markets")), *markets]
        else:
            del self.fields["market"]

    def clean(self) -> dict:
        data = super().clean()
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "amount_max", _("The highest amount must not be below the lowest amount.")
            )
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The last date must not be before the first date."))
        return data

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(
            value not in (None, "") for value in getattr(self, "cleaned_data", {}).values()
        )

    def markets(self) -> list[int]:
        """The market ids to scope the tabs to: the chosen one, or all of the user's."""
        chosen = self.cleaned_data.get("market")
        return [chosen] if chosen else self.market_ids

    def apply(self, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        data = self.cleaned_data
        if data.get("claim_type"):
            # claim_types is the sorted, comma-separated set of the claim items' types.
            queryset = queryset.filter(claim_types__contains=data["claim_type"])
        if data.get("amount_min") is not None:
            queryset = queryset.filter(total_claimed__gte=data["amount_min"])
        if data.get("amount_max") is not None:
            queryset = queryset.filter(total_claimed__lte=data["amount_max"])
        # Dates are days in China time; a range of aware datetimes keeps the column indexable.
        if data.get("received_from"):
            queryset = queryset.filter(received_at__gte=_start_of(data["received_from"]))
        if data.get("received_to"):
            next_day = data["received_to"] + datetime.timedelta(days=1)
            queryset = queryset.filter(received_at__lt=_start_of(next_day))
        return queryset


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
