"""Which complaints may be referred to legal aid (casework.legalaid; docs/domain.md,
"Legal aid"): an accepted complaint, from investigation to its end, made under a name
on record (an anonymous complainant cannot be referred). The conduct of an intermediary
(a deposit, an ID card withheld, fraud) is no wage claim: the centre checks hardship."""

from django.utils.translation import gettext_lazy as _

from casework.complaints.access import complaints_visible_to
from casework.complaints.documents import CONDUCT_ZH
from casework.complaints.models import Complaint
from casework.legalaid.registry import Source, register

S = Complaint.State
REFERABLE = tuple(
    state
    for state in (
        S.ACCEPTED,
        S.INVESTIGATING,
        S.DECIDED,
        S.RESPONDENT_HEARD,
        S.CLOSED,
        "awaiting_feedback",  # referred to labour inspection, waiting for its feedback
    )
    if state in S.values
)


def complaint_workers(complaint: Complaint) -> list:
    if complaint.anonymous or complaint.complainant_id is None:
        return []
    return [complaint.complainant]


def complaint_grounds(complaint: Complaint) -> tuple[str, ...]:
    return ()


def complaint_matter(complaint: Complaint) -> str:
    named = "、".join(CONDUCT_ZH.get(c, c) for c in complaint.categories)
    return f"投诉职业中介机构：{named}" if named else "投诉职业中介机构"


register(
    Source(
        "complaints",
        Complaint,
        _("Complaint against a job intermediary"),
        "职业中介投诉案件",
        states=REFERABLE,
        workers=complaint_workers,
        grounds=complaint_grounds,
        matter=complaint_matter,
        permissions=("complaints.work_complaint", "complaints.reassign_complaint"),
        visible_to=complaints_visible_to,
        detail_url="complaints:detail",
    )
)
