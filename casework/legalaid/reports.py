"""The legal-aid referrals' figures (docs/reports.md, "Legal-aid referrals"): the
referrals made in a period, and what has become of them by now."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.legalaid.documents import GROUND_ZH
from casework.legalaid.models import GREEN_GROUNDS, LegalAidReferral
from casework.parties.identifiers import mask_name
from casework.reports.registry import (
    Breakdown,
    Indicator,
    LedgerColumn,
    Unit,
    WorkflowReport,
    rate,
    register,
)

S = LegalAidReferral.State


class LegalAidReport(WorkflowReport):
    slug = "legalaid"
    title = _("Legal-aid referrals")
    model = LegalAidReferral
    indicators = [
        Indicator(
            "referred", pgettext_lazy("legal aid", "referred"), _("referrals made in the period")
        ),
        Indicator(
            "accepted",
            pgettext_lazy("legal aid", "accepted"),
            _("referrals made in the period that the centre has accepted (outcome or not)"),
        ),
        Indicator(
            "declined",
            pgettext_lazy("legal aid", "declined"),
            _("referrals made in the period that the centre has declined"),
            better="lower",
        ),
        Indicator(
            "concluded",
            pgettext_lazy("legal aid", "concluded"),
            _("referrals made in the period whose outcome has been recorded"),
        ),
        Indicator(
            "green_share",
            _("green-channel share"),
            _("referrals of the period on a green-channel ground ÷ referrals made in the period"),
            unit=Unit.PERCENT,
        ),
    ]
    ledger_columns = [
        LedgerColumn(_("Case number")),
        LedgerColumn(_("Referred")),
        LedgerColumn(_("Worker"), personal=True),
        LedgerColumn(_("Legal-aid centre"), width=24),
        LedgerColumn(_("Ground"), width=20),
        LedgerColumn(_("State")),
        LedgerColumn(_("Result"), width=20),
    ]

    def _referrals(self, markets, period):
        start, end = period.bounds()
        return LegalAidReferral.objects.filter(
            market__in=markets, referred_at__gte=start, referred_at__lt=end
        )

    def figures(self, markets, period, *, variants):
        counts = self._referrals(markets, period).aggregate(
            referred=Count("pk"),
            accepted=Count("pk", filter=Q(state__in=[S.ACCEPTED, S.CONCLUDED])),
            declined=Count("pk", filter=Q(state=S.DECLINED)),
            concluded=Count("pk", filter=Q(state=S.CONCLUDED)),
            green=Count("pk", filter=Q(ground__in=GREEN_GROUNDS)),
        )
        return {
            "referred": counts["referred"],
            "accepted": counts["accepted"],
            "declined": counts["declined"],
            "concluded": counts["concluded"],
            "green_share": rate(counts["green"], counts["referred"]),
        }

    def breakdowns(self, markets, period):
        labels = dict(S.choices)
        rows = self._referrals(markets, period).values_list("state").annotate(n=Count("pk"))
        return [
            Breakdown(
                "states",
                _("by state"),
                sorted((str(labels.get(state, state)), n) for state, n in rows),
                chart="pie",
            )
        ]

    def ledger_rows(self, markets, period, *, full_data):
        referrals = (
            self._referrals(markets, period)
            .select_related("worker", "centre")
            .prefetch_related("subject")
            .order_by("referred_at", "pk")
        )
        for r in referrals.iterator(chunk_size=2000):
            yield [
                r.subject.code if r.subject else "",
                timezone.localdate(r.referred_at),
                r.worker.name if full_data else mask_name(r.worker.name),
                r.centre.name,
                GROUND_ZH.get(r.ground, r.ground),
                r.get_state_display(),
                r.get_result_display() if r.result else "",
            ]


register(LegalAidReport())
