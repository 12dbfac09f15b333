"""Who is asked about a complaint when it closes (casework.surveys; docs/surveys.md):
the complainant, on record or by the number given; never an anonymous complainant."""

from django.utils.translation import gettext_lazy as _

from casework.complaints.models import Complaint
from casework.surveys.registry import Party, SurveyKind, register


def complaint_parties(complaint: Complaint) -> list[Party]:
    if complaint.anonymous:
        return []
    return [Party(complaint.complainant, complaint.notice_mobile)]


register(
    SurveyKind(
        "complaints",
        Complaint,
        _("Complaint against a job intermediary"),
        _("Complaint officer"),
        parties=complaint_parties,
        detail_url="complaints:detail",
    )
)
