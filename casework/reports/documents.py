"""The statistics' sealed documents (autodiscovered by casework.documents, like every
app's documents.py): the monthly statistics table and the monthly work report
(casework/reports/monthly.py, which builds their snapshots and issues them).

Both are for staff only. A monthly work report is about one market: the market's
supervisors and auditors open it, as they see its statistics. A table's copy is served
by the statistics pages to whoever sees the statistics of every market it covers
(the regional role too: it holds figures only).
"""

from django.utils.translation import gettext_lazy as _

from casework.documents.access import register_scope
from casework.documents.registry import DocumentKind, register
from casework.reports import access, monthly
from casework.reports.models import MonthlyReport

register(
    DocumentKind(
        slug=monthly.TABLE_KIND,
        title=_("Monthly statistics table"),
        template="pdf/reports/monthly_table.html",
        context=monthly.table_context,
        seal=True,
        for_parties=False,
    )
)

register(
    DocumentKind(
        slug=monthly.REPORT_KIND,
        title=_("Monthly work report"),
        template="pdf/reports/monthly_report.html",
        context=monthly.report_context,
        seal=True,
        for_parties=False,
    )
)

register_scope(
    MonthlyReport,
    staff=lambda markets: MonthlyReport.objects.filter(market__in=markets),
    permission=access.VIEW,
)
