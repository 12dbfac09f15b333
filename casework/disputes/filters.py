"""The mediator queue's filters: the shared ones of casework.core.caselist (state, holder,
date of receipt, market, order) and the claim's (claim type, amount claimed).

A GET form that only validates; ``apply()`` narrows a tab's queryset with what it
validated. The market choices are the user's own markets, read by the view once.
"""

from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from casework.core.caselist import CaseListForm
from casework.core.formfields import AmountField
from casework.disputes.models import ClaimType, Dispute


def _amount_field(label) -> AmountField:
    return AmountField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        error_messages={"min_value": _("An amount cannot be negative.")},
    )


class QueueFilterForm(CaseListForm):
    """The shared filters (state, holder, dates received, market, order) and the claim's."""

    claim_type = forms.ChoiceField(
        label=_("Claim type"), required=False, choices=[("", _("any")), *ClaimType.choices]
    )
    amount_min = _amount_field(_("Claimed at least (yuan)"))
    amount_max = _amount_field(_("Claimed at most (yuan)"))

    date_field = "received_at"
    field_order = ["state", "holder", "claim_type", "amount_min", "amount_max"]

    def __init__(self, data, *, markets, holders=None, default_sort: str = "") -> None:
        super().__init__(
            data,
            markets=markets,
            states=Dispute.State.choices,
            holders=holders,
            default_sort=default_sort,
        )

    def clean(self) -> dict:
        data = super().clean()
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error(
                "amount_max", _("The highest amount must not be below the lowest amount.")
            )
        return data

    def apply(self, queryset: QuerySet[Dispute]) -> QuerySet[Dispute]:
        data = self.cleaned_data
        if data.get("claim_type"):
            # claim_types is the sorted, comma-separated set of the claim items' types.
            queryset = queryset.filter(claim_types__contains=data["claim_type"])
        if data.get("amount_min") is not None:
            queryset = queryset.filter(total_claimed__gte=data["amount_min"])
        if data.get("amount_max") is not None:
            queryset = queryset.filter(total_claimed__lte=data["amount_max"])
        return self.narrow(queryset)  # the view scopes each tab to form.markets()
