"""The public complaint pages (no login): the complaint form, tracking by code, the sanctions.

Whoever sends the form gets a tracking code, shown once: only its hash is
stored. The code is always POSTed, never put in a URL (it would land in
server logs and browser history); a hit keeps the complaint's id in the
session and the status page shows that one complaint. The status page is built
from ``PublicStatus``, which holds nothing about who complained, so a leaked
code tells nothing about the complainant. Sending and tracking are
rate-limited per client address (casework.core.ratelimit).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casework.complaints import services
from casework.complaints.forms_intake import PublicComplaintForm, TrackForm
from casework.complaints.models import Channel, Complaint, ReferralTarget, Sanction
from casework.complaints.penalties import Conduct
from casework.core.audit import Actor, client_ip
from casework.core.formtokens import mark_done, one_time_form
from casework.core.ratelimit import limit_key, over_limit
from casework.documents.models import Document
from casework.documents.registry import staff_only_kinds
from casework.documents.services import document_file_name
from casework.documents.views import kind_title

SUBMIT_SCOPE = "complaints:submit"
TRACK_SCOPE = "complaints:track"
TRACKED_SESSION_KEY = "complaints_public:tracked"
SANCTIONS_PER_PAGE = 25

S = Complaint.State

# What the state means for the complainant, in plain words.
STATE_EXPLAINED = {
    S.RECEIVED: _(
        "The complaint office has your complaint and decides within 5 working days "
        "whether to accept it."
    ),
    S.SUPPLEMENT_REQUESTED: _(
        "The complaint office needs more material before it can decide whether to accept "
        "the complaint. Send every item listed below by the date given; until then the "
        "time limit for the decision stops."
    ),
    S.ACCEPTED: _("The complaint was accepted. The complaint office will investigate it."),
    S.NOT_ACCEPTED: _("The complaint was not accepted. The reason is below."),
    S.INVESTIGATING: _("The complaint office is investigating the complaint."),
    S.DECIDED: _(
        "The investigation is finished and a decision has been made. The intermediary is "
        "heard before the complaint is closed and you are told the result."
    ),
    S.RESPONDENT_HEARD: _(
        "The intermediary has been heard. The complaint will be closed and you will be "
        "told the result."
    ),
    S.CLOSED: _("The complaint is closed. The result is below."),
    S.REFERRED: _(
        "The complaint was passed on to another authority, which handles it from now on."
    ),
    S.AWAITING_FEEDBACK: _(
        "The complaint was passed on to labour inspection. When the inspection reports back "
        "on it, the complaint is closed and you are told the result."
    ),
}


def submit_limit_key(address: str | None) -> str:
    return limit_key(SUBMIT_SCOPE, address)


def track_limit_key(address: str | None) -> str:
    return limit_key(TRACK_SCOPE, address)


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


@dataclass(frozen=True)
class PublicStatus:
    """What a complainant may see of a complaint: never who complained.

    The tracking page and the portal render this, not the complaint itself, so no
    template can show the complainant's name or number by mistake.
    """

    code: str
    received_on: datetime.date
    market: str
    market_hotline: str
    categories: list[str]
    respondent_name: str
    state: str
    state_label: str
    explained: str
    acceptance_due: datetime.date | None
    acceptance_paused: bool
    supplement_requested_on: datetime.date | None
    supplement_items: list[str]
    supplement_due: datetime.date | None
    supplement_received_on: datetime.date | None
    accepted_on: datetime.date | None
    investigation_due: datetime.date | None
    not_accepted_on: datetime.date | None
    not_accepted_reason: str
    not_accepted_note: str
    competent_authority: str
    referred_on: datetime.date | None
    referred_to: str
    referral_body: str
    result: str
    closed_on: datetime.date | None

    @classmethod
    def of(cls, complaint: Complaint) -> "PublicStatus":
        state = complaint.state
        not_accepted = state == S.NOT_ACCEPTED
        # Referred elsewhere, or to labour inspection (then closed on its feedback).
        referred = complaint.referred_at is not None
        return cls(
            code=complaint.code,
            received_on=timezone.localdate(complaint.received_at),
            market=complaint.market.name,
            market_hotline=complaint.market.hotline,
            categories=[
                capfirst(str(Conduct(c).label)) for c in complaint.categories if c in Conduct.values
            ],
            respondent_name=complaint.respondent_name_given,
            state=state,
            state_label=str(S(state).label),
            explained=str(STATE_EXPLAINED[state]),
            acceptance_due=(
                complaint.acceptance_due if state in Complaint.ACCEPTANCE_STATES else None
            ),
            acceptance_paused=complaint.acceptance_paused_on is not None,
            supplement_requested_on=_local_day(complaint.supplement_requested_at),
            supplement_items=list(complaint.supplement_items or []),
            supplement_due=complaint.supplement_due,
            supplement_received_on=_local_day(complaint.supplement_received_at),
            accepted_on=_local_day(complaint.accepted_at),
            investigation_due=(
                complaint.investigation_due if state in Complaint.INVESTIGATION_STATES else None
            ),
            not_accepted_on=_local_day(complaint.closed_at) if not_accepted else None,
            not_accepted_reason=(
                complaint.get_not_accepted_reason_display() if not_accepted else ""
            ),
            not_accepted_note=complaint.not_accepted_note if not_accepted else "",
            competent_authority=complaint.competent_authority if not_accepted else "",
            referred_on=_local_day(complaint.referred_at) if referred else None,
            referred_to=(
                str(ReferralTarget(complaint.referral_target).label)
                if referred and complaint.referral_target
                else ""
            ),
            referral_body=complaint.referral_body if referred else "",
            result=complaint.result_summary if state in Complaint.FINAL_STATES else "",
            closed_on=_local_day(complaint.closed_at) if state == S.CLOSED else None,
        )


def complainant_documents(complaint: Complaint) -> QuerySet[Document]:
    """The complaint's ready documents meant for the complainant (no internal records)."""
    return (
        Document.objects.for_subject(complaint)
        .filter(status=Document.Status.READY)
        .exclude(kind__in=staff_only_kinds())
        .order_by("created_at", "pk")
    )


def tracking_documents(complaint: Complaint) -> QuerySet[Document]:
    """What a tracking code may download: the notices of an anonymous complaint only.

    A named complaint's notices are addressed to the complainant by name, and a
    code must never reveal who complained (a code can leak); named complainants
    get their notices in the portal or at the counter.
    """
    if not complaint.anonymous:
        return Document.objects.none()
    return complainant_documents(complaint)


def _limited(request, *, what: str):
    return render(request, "complaints/public/limited.html", {"what": what}, status=429)


# -- the complaint form --------------------------------------------------------------------


def _already_sent(request, earlier):
    # The browser sent the same form again (reload, double tap): nothing more is saved,
    # and the tracking code, shown only with the first answer, is not shown again.
    return render(request, "complaints/public/already_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
@one_time_form(on_repeat=_already_sent)
def report(request):
    """The public complaint form. Only a complete form counts against the limit, so a
    mistyped date does not lock anyone out; what the limit stops is a flood of complaints."""
    form = PublicComplaintForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if request.method == "POST" and form.is_valid():
        if over_limit(
            request,
            SUBMIT_SCOPE,
            limit=settings.COMPLAINT_SUBMIT_LIMIT,
            window=settings.COMPLAINT_PUBLIC_WINDOW,
        ):
            return _limited(request, what="submit")
        try:
            filed = services.complaint_file(
                channel=Channel.WEB,
                actor=Actor(user=None, role="public", client_ip=client_ip(request)),
                **form.filing_kwargs(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            # Rendered, not redirected: the code exists only in this response.
            context = {
                "code": filed.complaint.code,
                "tracking_code": filed.tracking_code,
                "market": filed.complaint.market,
                "anonymous": filed.complaint.anonymous,
                "has_mobile": bool(filed.complaint.contact_mobile),
            }
            response = render(request, "complaints/public/sent.html", context)
            return mark_done(response, reverse("complaints_public:track"))
    return render(request, "complaints/public/report.html", {"form": form})


# -- tracking ------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    """Look a complaint up by its tracking code; every attempt counts against the limit."""
    if request.method != "POST":
        return render(request, "complaints/public/track.html", {"form": TrackForm()})
    if over_limit(
        request,
        TRACK_SCOPE,
        limit=settings.COMPLAINT_TRACK_LIMIT,
        window=settings.COMPLAINT_PUBLIC_WINDOW,
    ):
        return _limited(request, what="track")
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "complaints/public/track.html", {"form": form}, status=400)
    complaint = services.complaint_by_tracking_code(form.cleaned_data["code"])
    if complaint is None:
        context = {"form": TrackForm(), "not_found": True}
        return render(request, "complaints/public/track.html", context, status=404)
    request.session.cycle_key()
    request.session[TRACKED_SESSION_KEY] = complaint.pk
    return redirect("complaints_public:status")


def tracked_complaint(request) -> Complaint | None:
    pk = request.session.get(TRACKED_SESSION_KEY)
    if pk is None:
        return None
    return Complaint.objects.select_related("market").filter(pk=pk).first()


@never_cache
def status(request):
    complaint = tracked_complaint(request)
    if complaint is None:
        return redirect("complaints_public:track")
    documents = [(doc, kind_title(doc)) for doc in tracking_documents(complaint)]
    context = {
        "status": PublicStatus.of(complaint),
        "documents": documents,
        "named": not complaint.anonymous,
    }
    return render(request, "complaints/public/status.html", context)


@never_cache
def tracked_document(request, pk: int):
    """A document of the tracked complaint meant for the complainant; 404 for any other."""
    complaint = tracked_complaint(request)
    if complaint is None:
        raise Http404("No complaint is being tracked.")
    doc = tracking_documents(complaint).filter(pk=pk).first()
    if doc is None or not doc.file:
        raise Http404("No such document.")
    return FileResponse(
        doc.file.open("rb"),
        as_attachment=True,
        filename=document_file_name(doc),
        content_type="application/pdf",
    )


@require_POST
def track_leave(request):
    """Forget the tracked complaint (a shared phone, a kiosk)."""
    request.session.pop(TRACKED_SESSION_KEY, None)
    return redirect("complaints_public:track")


# -- the public list of sanctions ---------------------------------------------------------


@dataclass(frozen=True)
class SanctionRow:
    """One published sanction: the intermediary and the decision, nobody else."""

    intermediary: str
    credit_code: str
    conduct: str
    outcome: str
    measures: str
    fine: str  # "¥5,000.00"; empty without a fine
    authority: str  # who decided a penalty, and its decision number
    document_number: str
    decided_on: datetime.date
    market: str


def fine_text(amount: Decimal | None) -> str:
    return f"¥{amount:,.2f}" if amount is not None else ""


def _conducts_found(sanction: Sanction) -> str:
    """Every conduct of the decision (a decision may find several), else the row's own."""
    items = sanction.complaint.decision_items.all() if sanction.complaint_id else []
    return "；".join(item.get_conduct_display() for item in items) or (
        sanction.get_conduct_display()
    )


def sanctioned(request):
    """Final decisions only: orders to correct, and the penalties the labour administration
    decided (with the fine decided). A proposed penalty has no Sanction row."""
    sanctions = (
        Sanction.objects.select_related("intermediary", "market")
        .prefetch_related("complaint__decision_items")
        .order_by("-decided_on", "-pk")
    )
    page = Paginator(sanctions, SANCTIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        SanctionRow(
            intermediary=s.intermediary.name,
            credit_code=s.intermediary.credit_code,
            conduct=_conducts_found(s),
            outcome=s.get_outcome_display(),
            measures=s.measures,
            fine=fine_text(s.amount),
            authority=s.authority,
            document_number=s.document_number,
            decided_on=s.decided_on,
            market=s.market.name,
        )
        for s in page.object_list
    ]
    return render(request, "complaints/public/sanctioned.html", {"page": page, "rows": rows})
