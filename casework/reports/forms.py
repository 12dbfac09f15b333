"""A market's targets and formula choices for one workflow's indicators."""

from decimal import Decimal

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from casework.core.formfields import AmountField
from casework.reports.models import Target, VariantChoice
from casework.reports.registry import Unit
from casework.reports.services import chosen_variants, targets

MAX_PERCENT = Decimal(100)


class TargetForm(forms.Form):
    """One optional target per indicator that has a direction, and the formula of each
    indicator that has variants; an empty target means none."""

    def __init__(self, *args, report, market, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.report, self.market, self.user = report, market, user
        current = targets(report, market)
        for indicator in report.indicators:
            self.fields[f"target_{indicator.slug}"] = AmountField(
                label=indicator.title,
                required=False,
                min_value=Decimal(0),
                max_value=MAX_PERCENT if indicator.unit == Unit.PERCENT else Decimal(10**12),
                max_digits=14,
                decimal_places=2,
                initial=current.get(indicator.slug),
                help_text=indicator.formula,
            )
        chosen = chosen_variants(report, market)
        for slug, options in report.variants.items():
            self.fields[f"variant_{slug}"] = forms.ChoiceField(
                label=_("Formula of “%(indicator)s”") % {"indicator": report.indicator(slug).title},
                choices=[(v.slug, f"{v.title}: {v.formula}") for v in options],
                initial=chosen.get(slug),
                widget=forms.RadioSelect,
            )

    @transaction.atomic
    def save(self) -> None:
        for indicator in self.report.indicators:
            value = self.cleaned_data.get(f"target_{indicator.slug}")
            key = {"market": self.market, "workflow": self.report.slug, "indicator": indicator.slug}
            if value is None:
                Target.objects.filter(**key).delete()
            else:
                Target.objects.update_or_create(
                    **key, defaults={"value": value, "updated_by": self.user}
                )
        for slug in self.report.variants:
            VariantChoice.objects.update_or_create(
                market=self.market,
                workflow=self.report.slug,
                indicator=slug,
                defaults={"variant": self.cleaned_data[f"variant_{slug}"]},
            )
