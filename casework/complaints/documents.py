"""The documents of complaints against intermediaries (DOMAIN.md §3).

SKELETON: the kinds and the transitions that issue them are fixed here; the
contexts and templates are filled in by the documents work.
"""

from django.utils.translation import gettext_lazy as _

from casework.complaints.models import Complaint, Interview
from casework.documents.registry import DocumentKind, on_transition, register

RECEIPT_KIND = "complaint_receipt"
NOT_ACCEPTED_KIND = "complaint_not_accepted"
SUPPLEMENT_KIND = "complaint_supplement_notice"
INTERVIEW_KIND = "complaint_interview_record"
DECISION_KIND = "complaint_decision"
REFERRAL_KIND = "complaint_referral_letter"
RESULT_KIND = "complaint_result_notice"


def complaint_context(complaint: Complaint) -> dict:
    return {"case": {"code": complaint.code}}


def interview_context(interview: Interview) -> dict:
    return {"case": {"code": interview.complaint.code}}


KINDS = [
    DocumentKind(
        RECEIPT_KIND,
        _("Complaint acceptance receipt"),
        "pdf/complaints/receipt.html",
        complaint_context,
    ),
    DocumentKind(
        NOT_ACCEPTED_KIND,
        _("Notice of non-acceptance of a complaint"),
        "pdf/complaints/not_accepted.html",
        complaint_context,
    ),
    DocumentKind(
        SUPPLEMENT_KIND,
        _("Notice to supplement a complaint (one-time notice)"),
        "pdf/complaints/supplement_notice.html",
        complaint_context,
    ),
    DocumentKind(
        INTERVIEW_KIND,
        _("Investigation record"),
        "pdf/complaints/interview_record.html",
        interview_context,
        for_parties=False,
    ),
    DocumentKind(
        DECISION_KIND,
        _("Order to correct / decision"),
        "pdf/complaints/decision.html",
        complaint_context,
        for_parties=False,
    ),
    DocumentKind(
        REFERRAL_KIND,
        _("Referral letter to another authority"),
        "pdf/complaints/referral_letter.html",
        complaint_context,
        for_parties=False,
    ),
    DocumentKind(
        RESULT_KIND,
        _("Notice of the complaint's result"),
        "pdf/complaints/result_notice.html",
        complaint_context,
    ),
]

for _kind in KINDS:
    register(_kind)

on_transition(Complaint, "accept", RECEIPT_KIND)
on_transition(Complaint, "not_accept", NOT_ACCEPTED_KIND)
on_transition(Complaint, "request_supplement", SUPPLEMENT_KIND)
on_transition(Complaint, "decide", DECISION_KIND)
on_transition(Complaint, "refer", REFERRAL_KIND, RESULT_KIND)
on_transition(Complaint, "close", RESULT_KIND)
# complaint_interview_record is issued by services.interview_record() for each Interview.
