"""The statistics' sealed documents (autodiscovered by casework.documents, like every
app's documents.py): the monthly statistics table (casework/reports/monthly.py, which
builds its snapshot and issues it).

For staff only: a table's copy is served by the statistics pages to whoever sees the
statistics of every market it covers (the regional role too: it holds figures only).
"""

from django.utils.translation import gettext_lazy as _

from casework.documents.registry import DocumentKind, register
from casework.reports import monthly

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
