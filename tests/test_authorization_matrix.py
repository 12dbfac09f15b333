"""Authorisation matrix: every URL pattern in the URL conf × every persona, GET only.

TABLE declares, per URL pattern name, how each persona's GET must be answered. A pattern
without a row fails test_every_pattern_has_a_row, so a new URL cannot ship without someone
deciding who may open it. Only GETs are sent: a POST-only view must refuse a GET (405, or
403 when its permission check runs before the method check), never act on it.

The objects the URLs name all live in the test market: a dispute of wang's held by alice
(in mediation), a complaint of wang's held by olga (investigating), an agreement between wang
and hui's employer (sent), an assistance case with a plan item, referral and placement (in
post), and the documents those produce. oscar_outsider is a mediator of another market.
"""

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from casework.complaints import services as complaint_services
from casework.complaints.views.public import submit_limit_key, track_limit_key
from casework.core.models import Market
from casework.disputes import services as dispute_services
from casework.disputes.models import Dispute
from casework.documents import services as document_services
from casework.documents.models import Document
from casework.documents.views import rate_limit_key
from casework.legalaid import services as legalaid_services
from casework.legalaid.models import LegalAidCentre
from casework.parties.models import Organization
from casework.reports import monthly
from casework.reports.periods import current_month
from casework.reports.registry import get_report
from casework.surveys.models import SurveyInvitation
from casework.surveys.tokens import make_token
from tests.caseapp.models import SampleCase
from tests.conftest import EMPLOYER_USCC
from tests.disputes.fixtures import actor

STAFF = ("alice_mediator", "sam_supervisor", "carol_caseworker", "olga_officer", "audrey_auditor")
PORTAL = ("wang_worker", "li_worker", "hui_hiring")
PERSONAS = (*STAFF, "oscar_outsider", *PORTAL, "anonymous")

# Response classes and the status each one means.
OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = (
    "ok",
    "redirect",
    "forbidden",
    "not_found",
    "not_allowed",
)
STATUS = {OK: 200, REDIRECT: 302, FORBIDDEN: 403, NOT_FOUND: 404, NOT_ALLOWED: 405}
# /readyz answers everyone, 200 or 503 by the health of the services around it (make
# test-services has no beat): either is an answer, not a refusal.
PROBE = "probe"


@dataclass(frozen=True)
class Redirect:
    """A documented redirect: 302 to exactly this page (with the row's URL arguments if
    ``same_args``, e.g. a case step that is not open in this state, back to the case)."""

    url_name: str
    same_args: bool = False
    query: str = ""

    def location(self, kwargs: dict) -> str:
        return reverse(self.url_name, kwargs=kwargs if self.same_args else None) + self.query

    def __str__(self) -> str:
        return f"redirect to {self.url_name}"


def redirect_to(url_name: str) -> Redirect:
    return Redirect(url_name)


def back_to(url_name: str) -> Redirect:
    return Redirect(url_name, same_args=True)


# The admin has its own permission model (is_staff, ModelAdmin permissions) and tests in
# tests/core/test_admin.py; its ~130 generated URLs would swamp the table. Static and
# media files are not in the URL conf at all (the web server serves them, deploy/), so
# there is nothing else to exclude.
EXCLUDED_NAMESPACES = {
    "admin": "django admin: its own permission model, tests/core/test_admin.py",
    # Tokens and keys, not sessions: every operation of the schema has its own row there.
    "api": "the HTTP API: tests/api/test_api_authorization.py, per operation and caller",
}

# Patterns whose secure answer is declared in TABLE but not yet given by the application:
# name -> the bug. Each is skipped with that reason until the lead engineer fixes it.
KNOWN_GAPS: dict[str, str] = {}


def url_patterns(resolver=None, prefix: str = "", namespace: str = ""):
    """(name, route) of every URL pattern, namespaces joined the way reverse() takes them."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            if ns.split(":")[0] in EXCLUDED_NAMESPACES:
                continue
            yield from url_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            # An unnamed pattern can't be reversed, so it is keyed by its route.
            name = entry.name or f"<unnamed {prefix}{entry.pattern}>"
            yield (f"{namespace}:{name}" if namespace else name), prefix + str(entry.pattern)


def coverage_problems(table: dict, patterns: list[tuple[str, str]]) -> list[str]:
    """What keeps ``table`` from covering exactly the URL conf's ``patterns``."""
    problems = []
    names = [name for name, _route in patterns]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"two patterns are named {name}: one row can't tell them apart")
    for name, route in patterns:
        if name not in table:
            problems.append(f"no row for {name} (/{route}): add it to TABLE")
    for name in sorted(set(table) - set(names)):
        problems.append(f"row {name} names no URL pattern: remove it from TABLE")
    return problems


# -- the objects the URLs name -----------------------------------------------------------

PDF = b"%PDF-1.4\n%%EOF\n"


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("收据.pdf", PDF, content_type="application/pdf")


class Objects:
    """Builds, on first use, only the objects the pattern under test names."""

    def __init__(self, request):
        self._request = request
        self._built: dict = {}

    def _once(self, key: str, build: Callable):
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]

    def fixture(self, name: str):
        return self._request.getfixturevalue(name)

    @property
    def dispute(self):
        return self._once("dispute", lambda: self.fixture("new_dispute")("in_mediation"))

    @property
    def dispute_evidence(self):
        return self._once(
            "dispute_evidence",
            lambda: dispute_services.evidence_add(
                dispute=self.dispute, upload=pdf(), actor=actor(self.dispute.owner)
            ),
        )

    @property
    def complaint(self):
        # wang's own complaint, so the portal shows it to him and to no one else.
        return self._once(
            "complaint",
            lambda: self.fixture("make_complaint")(
                "investigating",
                complainant=self.fixture("wang_worker").person,
                anonymous=False,
                channel="portal",
            ),
        )

    @property
    def complaint_evidence(self):
        return self._once(
            "complaint_evidence",
            lambda: complaint_services.evidence_add(
                complaint=self.complaint, upload=pdf(), actor=actor(self.complaint.owner)
            ),
        )

    @property
    def agreement(self):
        return self._once("agreement", lambda: self.fixture("new_agreement")("sent"))

    @property
    def case(self):
        return self._once("case", lambda: self.fixture("new_case")("in_post"))

    @property
    def online_case(self):
        # wang's own online hardship application, with his ID card as its one document.
        def build():
            from assistance import online

            wang = self.fixture("wang_worker")
            self.fixture("market")
            return online.case_apply_online(
                market=self.fixture("market"),
                person=wang.person,
                actor=actor(wang),
                facts={},
                sensitive={},
                documents=[("id_card", pdf())],
            )

        return self._once("online_case", build)

    @property
    def dispute_document(self) -> Document:
        # Rendered, so a refused download is refused for its reader, not for a missing file.
        def build():
            doc = Document.objects.for_subject(self.dispute).get(kind="dispute_acceptance_notice")
            return document_services.document_render(doc.pk)

        return self._once("dispute_document", build)

    @property
    def complaint_document(self) -> Document:
        return self._once(
            "complaint_document", lambda: Document.objects.for_subject(self.complaint).get()
        )

    def _legal_aid_referral(self):
        # wang, the dispute's worker, referred by alice to the test market's centre.
        centre = LegalAidCentre.objects.create(
            market=self.dispute.market,
            name="测试区法律援助中心",
            address="测试区人民路88号",
            phone="12348",
            opening_hours="工作日 9:00–17:00",
        )
        return legalaid_services.referral_make(
            case=self.dispute,
            worker=self.fixture("wang_worker").person,
            centre=centre,
            ground="wages",
            summary="追索劳动报酬",
            actor=actor(self.dispute.owner),
        )

    @property
    def legal_aid_referral(self):
        return self._once("legal_aid_referral", self._legal_aid_referral)

    @property
    def legal_aid_accepted(self):
        def build():
            return legalaid_services.referral_answer(
                referral=self.legal_aid_referral,
                accepted=True,
                answered_on=timezone.localdate(),
                actor=actor(self.dispute.owner),
            )

        return self._once("legal_aid_accepted", build)

    @property
    def employer(self) -> Organization:
        self.fixture("hui_hiring")
        return Organization.objects.get(credit_code=EMPLOYER_USCC)

    @property
    def sample(self) -> SampleCase:
        # A sample case's party is the user holding it (tests/caseapp/portal.py).
        return self._once(
            "sample",
            lambda: SampleCase.objects.create(
                market=self.fixture("market"), owner=self.fixture("wang_worker")
            ),
        )

    @property
    def table_copy(self):
        # A sealed copy of the test market's monthly table, rendered, so that a refused
        # download is refused for its reader, not for a missing file.
        def build():
            copy = monthly.issue_table_copy(
                get_report("disputes"),
                Market.objects.filter(pk=self.fixture("market").pk),
                current_month(),
                by=None,
            )
            doc = Document.objects.for_subject(copy).get()
            document_services.document_render(doc.pk)
            return copy

        return self._once("table_copy", build)


def no_args(o: Objects) -> dict:
    return {}


def market_code(o: Objects) -> dict:
    return {"code": o.fixture("market").code}


def dispute(o: Objects) -> dict:
    return {"code": o.dispute.code}


def complaint(o: Objects) -> dict:
    return {"code": o.complaint.code}


def agreement(o: Objects) -> dict:
    return {"code": o.agreement.code}


def case(o: Objects) -> dict:
    return {"code": o.case.code}


def online_case(o: Objects) -> dict:
    return {"code": o.online_case.code}


def supporting_document(o: Objects) -> dict:
    return {"code": o.online_case.code, "pk": o.online_case.supporting_documents.get().pk}


def plan_item(o: Objects) -> dict:
    return {"code": o.case.code, "pk": o.case.plan_items.get().pk}


def referral(o: Objects) -> dict:
    return {"code": o.case.code, "pk": o.case.referrals.get().pk}


def placement(o: Objects) -> dict:
    return {"code": o.case.code, "pk": o.case.placements.get().pk}


def post(o: Objects) -> dict:
    return {"pk": o.case.referrals.get().post.pk}


def document(o: Objects) -> dict:
    return {"pk": o.dispute_document.pk}


def verification_code(o: Objects) -> dict:
    return {"code": o.dispute_document.verification_code}


def person(o: Objects) -> dict:
    return {"pk": o.fixture("wang_worker").person.pk}


def employer(o: Objects) -> dict:
    return {"pk": o.employer.pk}


def intermediary(o: Objects) -> dict:
    return {"pk": o.fixture("intermediary").pk}


def legal_aid_dispute(o: Objects) -> dict:
    return {"workflow": "disputes", "code": o.dispute.code}


def legal_aid_referral(o: Objects) -> dict:
    return {"pk": o.legal_aid_referral.pk}


def legal_aid_accepted(o: Objects) -> dict:
    return {"pk": o.legal_aid_accepted.pk}


def survey_token(o: Objects) -> dict:
    # An invitation about the dispute, not answered yet.
    now = timezone.now()
    invitation = SurveyInvitation.objects.create(
        subject_type=ContentType.objects.get_for_model(Dispute),
        subject_id=o.dispute.pk,
        party_key="p0",
        kind="disputes",
        market=o.dispute.market,
        case_code=o.dispute.code,
        mobile="13800138000",
        expires_at=now + datetime.timedelta(days=30),
    )
    return {"token": make_token(invitation.pk)}


def dispute_evidence(o: Objects) -> dict:
    return {"code": o.dispute.code, "pk": o.dispute_evidence.pk}


def complaint_evidence(o: Objects) -> dict:
    return {"code": o.complaint.code, "pk": o.complaint_evidence.pk}


def complaint_document(o: Objects) -> dict:
    return {"pk": o.complaint_document.pk}


def agreement_worker(o: Objects) -> dict:
    return {"code": o.agreement.code, "who": "worker"}


def agreement_party(o: Objects) -> dict:
    return {"code": o.agreement.code, "party": "worker"}


def sample(o: Objects) -> dict:
    return {"code": o.sample.code}


# -- the table ---------------------------------------------------------------------------


def statistics(o: Objects) -> dict:
    return {"slug": "disputes"}


def table_copy(o: Objects) -> dict:
    return {"pk": o.table_copy.pk}


def row(args, *, staff, outsider, portal, anonymous=REDIRECT, **persona) -> dict:
    """One pattern's expectations: group defaults, then per-persona overrides."""
    unknown = set(persona) - set(PERSONAS)
    assert not unknown, f"not personas: {unknown}"
    expect = {name: staff for name in STAFF}
    expect |= {"oscar_outsider": outsider, "anonymous": anonymous}
    expect |= {name: portal for name in PORTAL}
    expect |= persona
    # A typo such as "Forbidden" would otherwise only show as a puzzling mismatch.
    invalid = [
        v for v in expect.values() if not (v in STATUS or v == PROBE or isinstance(v, Redirect))
    ]
    assert not invalid, f"not response classes: {invalid}"
    return {"args": args, "expect": expect}


def everyone(args, expected) -> dict:
    return row(args, staff=expected, outsider=expected, portal=expected, anonymous=expected)


def post_only(args) -> dict:
    """A POST-only view that checks the method first: 405 to every GET, signed in or not."""
    return everyone(args, NOT_ALLOWED)


def post_only_signed_in(args) -> dict:
    """A POST-only view behind login_required: the anonymous are sent to log in first."""
    return row(args, staff=NOT_ALLOWED, outsider=NOT_ALLOWED, portal=NOT_ALLOWED)


# The statistics' index sends its readers on to the first workflow's page.
STATISTICS_READERS_SENT_ON = {"sam_supervisor": REDIRECT, "audrey_auditor": REDIRECT}
TO_CODE_FIRST = Redirect("two_factor", query="?next=/accounts/two-factor/settings/")
# A case step not open in the case's state sends its reader back to the case.
TO_DISPUTE = back_to("disputes:detail")
TO_COMPLAINT = back_to("complaints:detail")
TO_AGREEMENT = back_to("agreements:detail")

# alice holds the dispute, olga the complaint; sam supervises the market.
HOLDER_ONLY_DISPUTE = {"staff": FORBIDDEN, "outsider": NOT_FOUND, "portal": FORBIDDEN}
HOLDER_ONLY_COMPLAINT = {"staff": FORBIDDEN, "outsider": NOT_FOUND, "portal": NOT_FOUND}
COUNTER_FORM = {"staff": FORBIDDEN, "outsider": NOT_FOUND, "portal": FORBIDDEN}
ASSISTANCE_READERS = {"sam_supervisor": OK, "carol_caseworker": OK, "audrey_auditor": OK}
COMPLAINT_READERS = {"sam_supervisor": OK, "olga_officer": OK, "audrey_auditor": OK}
DISPUTE_READERS = {"alice_mediator": OK, "sam_supervisor": OK, "audrey_auditor": OK}

TABLE: dict[str, dict] = {
    # -- shell ---------------------------------------------------------------------------
    # Probes for the load balancer and the service manager: nothing private in them.
    "healthz": everyone(no_args, OK),
    "readyz": everyone(no_args, PROBE),
    # The API's documentation page is public, like the schema it draws (docs/api.md).
    "api_docs": everyone(no_args, OK),
    # Portal users are sent on to their own home page, /portal/.
    "home": row(no_args, staff=OK, outsider=OK, portal=redirect_to("portal:home")),
    # Who read whose full numbers: for the market's supervisor and auditors.
    "access_log": row(
        no_args,
        staff=FORBIDDEN,
        outsider=FORBIDDEN,
        portal=FORBIDDEN,
        sam_supervisor=OK,
        audrey_auditor=OK,
    ),
    "login": everyone(no_args, OK),
    # The admin's login is the same page (the same throttling and second factor).
    "admin_login": everyone(no_args, OK),
    # Two-step verification: open to every signed-in user (required of some roles by
    # TWO_FACTOR_ROLES, which the tests leave empty; tests/shell/test_two_factor.py).
    # Without an authenticator yet, the code page sends the user to set one up.
    "two_factor": row(
        no_args,
        staff=redirect_to("two_factor_enrol"),
        outsider=redirect_to("two_factor_enrol"),
        portal=redirect_to("two_factor_enrol"),
    ),
    "two_factor_enrol": row(no_args, staff=OK, outsider=OK, portal=OK),
    # Settings need a session that passed the second factor: to the code page first.
    "two_factor_settings": row(
        no_args, staff=TO_CODE_FIRST, outsider=TO_CODE_FIRST, portal=TO_CODE_FIRST
    ),
    "two_factor_backup_codes": post_only_signed_in(no_args),
    # How a staff member gets reminders: any user with a staff profile (their own; the
    # outsider is staff of another market).
    "reminder_settings": row(no_args, staff=OK, outsider=OK, portal=NOT_FOUND),
    # The search box: staff only; what it finds is scoped (tests/parties/test_search.py).
    "search": row(no_args, staff=OK, outsider=OK, portal=FORBIDDEN),
    # Django's LogoutView logs out on POST only.
    "logout": everyone(no_args, NOT_ALLOWED),
    # A GET changes nothing and goes back to the site (Django's set_language).
    "set_language": everyone(no_args, redirect_to("home")),
    # -- documents -----------------------------------------------------------------------
    # Anyone holding a paper copy may check its verification code.
    "documents:verify_lookup": everyone(no_args, OK),
    "documents:verify": everyone(verification_code, OK),
    # The dispute's acceptance notice: its market's dispute staff and its parties (wang
    # applies, hui represents the respondent employer).
    "documents:detail": row(
        document,
        staff=NOT_FOUND,
        outsider=NOT_FOUND,
        portal=OK,
        li_worker=NOT_FOUND,
        **DISPUTE_READERS,
    ),
    "documents:download": row(
        document,
        staff=NOT_FOUND,
        outsider=NOT_FOUND,
        portal=OK,
        li_worker=NOT_FOUND,
        **DISPUTE_READERS,
    ),
    "documents:status": row(
        document,
        staff=NOT_FOUND,
        outsider=NOT_FOUND,
        portal=OK,
        li_worker=NOT_FOUND,
        **DISPUTE_READERS,
    ),
    "documents:retry": post_only_signed_in(document),
    # The sealed daily audit digests: for those who read the audit trail.
    "documents:audit_digests": row(
        no_args,
        staff=FORBIDDEN,
        outsider=FORBIDDEN,
        portal=FORBIDDEN,
        sam_supervisor=OK,
        audrey_auditor=OK,
    ),
    # -- people and organisations (one register shared by all markets; numbers masked
    # unless the viewer's market has a case of that person, see person_reveal) -----------
    "parties:people": row(no_args, staff=OK, outsider=OK, portal=FORBIDDEN),
    "parties:person_create": row(
        no_args, staff=OK, outsider=OK, portal=FORBIDDEN, audrey_auditor=FORBIDDEN
    ),
    "parties:person": row(person, staff=OK, outsider=OK, portal=FORBIDDEN),
    "parties:person_reveal": post_only(person),
    "parties:person_check": post_only(person),
    "parties:organizations": row(no_args, staff=OK, outsider=OK, portal=FORBIDDEN),
    "parties:organization_create": row(
        no_args, staff=OK, outsider=OK, portal=FORBIDDEN, audrey_auditor=FORBIDDEN
    ),
    "parties:organization": row(employer, staff=OK, outsider=OK, portal=FORBIDDEN),
    "parties:organization_check": post_only(employer),
    # -- disputes ------------------------------------------------------------------------
    # Lists and intake forms are per market: oscar sees and files in his own.
    "disputes:queue": row(
        no_args, staff=FORBIDDEN, outsider=OK, portal=FORBIDDEN, **DISPUTE_READERS
    ),
    "disputes:take_next": post_only(no_args),
    "disputes:file": row(
        no_args,
        staff=FORBIDDEN,
        outsider=OK,
        portal=FORBIDDEN,
        alice_mediator=OK,
        sam_supervisor=OK,
    ),
    "disputes:file_oral": row(
        no_args,
        staff=FORBIDDEN,
        outsider=OK,
        portal=FORBIDDEN,
        alice_mediator=OK,
        sam_supervisor=OK,
    ),
    "disputes:detail": row(
        dispute, staff=FORBIDDEN, outsider=NOT_FOUND, portal=FORBIDDEN, **DISPUTE_READERS
    ),
    "disputes:take": post_only(dispute),
    "disputes:reassign": row(dispute, **HOLDER_ONLY_DISPUTE, sam_supervisor=OK),
    # Acceptance steps of a case already in mediation send the reader back to the case.
    "disputes:accept": row(
        dispute,
        **HOLDER_ONLY_DISPUTE,
        alice_mediator=TO_DISPUTE,
        sam_supervisor=TO_DISPUTE,
    ),
    "disputes:refuse": row(
        dispute,
        **HOLDER_ONLY_DISPUTE,
        alice_mediator=TO_DISPUTE,
        sam_supervisor=TO_DISPUTE,
    ),
    "disputes:evidence_new": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=OK),
    "disputes:evidence_file": row(
        dispute_evidence,
        staff=FORBIDDEN,
        outsider=NOT_FOUND,
        portal=FORBIDDEN,
        **DISPUTE_READERS,
    ),
    "disputes:session_new": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=OK),
    "disputes:session_schedule": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=OK),
    "disputes:extend": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=OK),
    "disputes:settle": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=OK),
    "disputes:terminate": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=OK),
    "disputes:withdraw": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=OK),
    # Steps that need a settlement (or a later state) send the holder back to the case.
    "disputes:revise": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=TO_DISPUTE),
    "disputes:mark": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=TO_DISPUTE),
    "disputes:payment_new": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=TO_DISPUTE),
    "disputes:default": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=TO_DISPUTE),
    "disputes:refer": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=TO_DISPUTE),
    "disputes:close": row(dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=TO_DISPUTE),
    # The arbitration hand-off: the holder or a supervisor of the market; the dispute is
    # still in mediation (no hand-off yet), so both are sent back to the case.
    "disputes:arbitration_handoff": row(
        dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=TO_DISPUTE, sam_supervisor=TO_DISPUTE
    ),
    "disputes:arbitration_filing": row(
        dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=TO_DISPUTE, sam_supervisor=TO_DISPUTE
    ),
    "disputes:arbitration_result": row(
        dispute, **HOLDER_ONLY_DISPUTE, alice_mediator=TO_DISPUTE, sam_supervisor=TO_DISPUTE
    ),
    "disputes:arbitration_awaiting": row(
        no_args, staff=FORBIDDEN, outsider=OK, portal=FORBIDDEN, **DISPUTE_READERS
    ),
    # -- complaints ----------------------------------------------------------------------
    "complaints:queue": row(
        no_args, staff=FORBIDDEN, outsider=FORBIDDEN, portal=FORBIDDEN, **COMPLAINT_READERS
    ),
    "complaints:new": row(
        no_args, staff=FORBIDDEN, outsider=FORBIDDEN, portal=FORBIDDEN, olga_officer=OK
    ),
    "complaints:intermediaries": row(
        no_args, staff=FORBIDDEN, outsider=FORBIDDEN, portal=FORBIDDEN, **COMPLAINT_READERS
    ),
    "complaints:intermediary": row(
        intermediary, staff=FORBIDDEN, outsider=FORBIDDEN, portal=FORBIDDEN, **COMPLAINT_READERS
    ),
    "complaints:detail": row(complaint, **HOLDER_ONLY_COMPLAINT, **COMPLAINT_READERS),
    "complaints:take": post_only_signed_in(complaint),
    "complaints:reassign": row(complaint, **HOLDER_ONLY_COMPLAINT, sam_supervisor=OK),
    "complaints:contact": post_only_signed_in(complaint),
    "complaints:evidence_add": row(complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=OK),
    "complaints:evidence_file": row(
        complaint_evidence, **HOLDER_ONLY_COMPLAINT, **COMPLAINT_READERS
    ),
    # Steps not open to an investigating complaint send olga back to the case.
    "complaints:respondent": row(complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=TO_COMPLAINT),
    "complaints:respondent_new": row(
        complaint,
        **HOLDER_ONLY_COMPLAINT | {"portal": FORBIDDEN},
        olga_officer=TO_COMPLAINT,
    ),
    "complaints:supplement_request": row(
        complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=TO_COMPLAINT
    ),
    "complaints:supplement_receive": row(
        complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=TO_COMPLAINT
    ),
    "complaints:accept": post_only_signed_in(complaint),
    "complaints:not_accept": row(complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=TO_COMPLAINT),
    "complaints:start_investigation": post_only_signed_in(complaint),
    "complaints:interview": row(complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=OK),
    "complaints:extension_request": row(complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=OK),
    "complaints:extension_decide": row(complaint, **HOLDER_ONLY_COMPLAINT, sam_supervisor=OK),
    "complaints:decide": row(complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=OK),
    "complaints:hear": row(complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=TO_COMPLAINT),
    "complaints:close": row(complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=TO_COMPLAINT),
    "complaints:refer": row(complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=OK),
    # Labour inspection's feedback: only on a complaint referred to it and awaiting it; the
    # complaint here is still being investigated, so its holder is sent back to it.
    "complaints:feedback": row(complaint, **HOLDER_ONLY_COMPLAINT, olga_officer=TO_COMPLAINT),
    # The labour administration's decision, after a complaint closed with a proposed penalty:
    # the holder or a supervisor of the market; the complaint here is still being
    # investigated, so both are sent back to it.
    "complaints:penalty_decision": row(
        complaint,
        **HOLDER_ONLY_COMPLAINT,
        olga_officer=TO_COMPLAINT,
        sam_supervisor=TO_COMPLAINT,
    ),
    # -- complaints, public pages (no account needed to complain or to track) ------------
    "complaints_public:report": everyone(no_args, OK),
    "complaints_public:track": everyone(no_args, OK),
    # Without a tracking code entered in this session: back to the tracking form.
    "complaints_public:status": everyone(no_args, redirect_to("complaints_public:track")),
    # Only within a tracking session of that complaint, whoever is signed in.
    "complaints_public:document": everyone(complaint_document, NOT_FOUND),
    # Leaving a tracking session is a POST (a link must not end it).
    "complaints_public:track_leave": everyone(no_args, NOT_ALLOWED),
    "complaints_public:sanctioned": everyone(no_args, OK),
    # -- the public market directory (no login): the page, its feeds, the map and each
    # market's sealed card; the monthly figures are entered by the market's supervisors.
    "directory:index": everyone(no_args, OK),
    "directory:feed_json": everyone(no_args, OK),
    "directory:feed_geojson": everyone(no_args, OK),
    "directory:map": everyone(no_args, OK),
    "directory:card": everyone(market_code, OK),
    "directory:figures": row(
        market_code, staff=FORBIDDEN, outsider=FORBIDDEN, portal=FORBIDDEN, sam_supervisor=OK
    ),
    # -- satisfaction survey: the link in the text opens without login; the results are
    # for those who see the market's statistics (tests/surveys).
    "surveys:answer": everyone(survey_token, OK),
    "surveys:results": row(
        no_args,
        staff=FORBIDDEN,
        outsider=FORBIDDEN,
        portal=FORBIDDEN,
        sam_supervisor=OK,
        audrey_auditor=OK,
    ),
    # -- legal-aid referrals (tests/legalaid): the list for those who see a referable
    # workflow's cases (olga: complaints; oscar: his own market's, none here); a referral
    # of a dispute for whoever may open the dispute, recorded by those who work it.
    "legalaid:list": row(
        no_args, staff=OK, outsider=OK, portal=FORBIDDEN, carol_caseworker=FORBIDDEN
    ),
    "legalaid:refer": row(
        legal_aid_dispute,
        staff=NOT_FOUND,
        outsider=NOT_FOUND,
        portal=NOT_FOUND,
        alice_mediator=OK,
        sam_supervisor=OK,
        audrey_auditor=FORBIDDEN,
    ),
    "legalaid:answer": row(
        legal_aid_referral,
        staff=NOT_FOUND,
        outsider=NOT_FOUND,
        portal=NOT_FOUND,
        alice_mediator=OK,
        sam_supervisor=OK,
        audrey_auditor=FORBIDDEN,
    ),
    "legalaid:outcome": row(
        legal_aid_accepted,
        staff=NOT_FOUND,
        outsider=NOT_FOUND,
        portal=NOT_FOUND,
        alice_mediator=OK,
        sam_supervisor=OK,
        audrey_auditor=FORBIDDEN,
    ),
    # -- agreements (counter work: carol; sam supervises; mediators and auditors read) ----
    "agreements:list": row(
        no_args, staff=OK, outsider=OK, portal=FORBIDDEN, olga_officer=FORBIDDEN
    ),
    "agreements:new": row(
        no_args,
        staff=FORBIDDEN,
        outsider=FORBIDDEN,
        portal=FORBIDDEN,
        sam_supervisor=OK,
        carol_caseworker=OK,
    ),
    # Development text messages hold signing codes: counter staff only.
    "agreements:outbox": row(
        no_args,
        staff=FORBIDDEN,
        outsider=FORBIDDEN,
        portal=FORBIDDEN,
        sam_supervisor=OK,
        carol_caseworker=OK,
    ),
    "agreements:detail": row(
        agreement, staff=OK, outsider=NOT_FOUND, portal=FORBIDDEN, olga_officer=FORBIDDEN
    ),
    "agreements:reveal": post_only(agreement),
    # A sent agreement can't be edited, terminated or changed: back to the agreement.
    "agreements:edit": row(
        agreement,
        **COUNTER_FORM,
        sam_supervisor=TO_AGREEMENT,
        carol_caseworker=TO_AGREEMENT,
    ),
    "agreements:cancel": row(agreement, **COUNTER_FORM, sam_supervisor=OK, carol_caseworker=OK),
    "agreements:terminate": row(
        agreement,
        **COUNTER_FORM,
        sam_supervisor=TO_AGREEMENT,
        carol_caseworker=TO_AGREEMENT,
    ),
    "agreements:change": row(
        agreement,
        **COUNTER_FORM,
        sam_supervisor=TO_AGREEMENT,
        carol_caseworker=TO_AGREEMENT,
    ),
    # POST-only behind view_agreement: those without it are refused before the method.
    **{
        name: row(
            args,
            staff=NOT_ALLOWED,
            outsider=NOT_ALLOWED,
            portal=FORBIDDEN,
            olga_officer=FORBIDDEN,
        )
        for name, args in {
            "agreements:send": agreement,
            "agreements:check": agreement_worker,
            "agreements:verify": agreement_worker,
            "agreements:code_send": agreement_party,
            "agreements:sign": agreement_party,
            "agreements:complete": agreement,
        }.items()
    },
    # -- assistance ----------------------------------------------------------------------
    "assistance:queue": row(
        no_args, staff=FORBIDDEN, outsider=FORBIDDEN, portal=FORBIDDEN, **ASSISTANCE_READERS
    ),
    "assistance:apply": row(
        no_args,
        staff=FORBIDDEN,
        outsider=FORBIDDEN,
        portal=FORBIDDEN,
        sam_supervisor=OK,
        carol_caseworker=OK,
    ),
    "assistance:posts": row(
        no_args, staff=FORBIDDEN, outsider=FORBIDDEN, portal=FORBIDDEN, **ASSISTANCE_READERS
    ),
    "assistance:post": row(
        post, staff=FORBIDDEN, outsider=NOT_FOUND, portal=FORBIDDEN, **ASSISTANCE_READERS
    ),
    "assistance:detail": row(
        case, staff=FORBIDDEN, outsider=NOT_FOUND, portal=FORBIDDEN, **ASSISTANCE_READERS
    ),
    # A document the applicant uploaded (an ID card: not sensitive, so the auditor reads it).
    "assistance:document_file": row(
        supporting_document,
        staff=FORBIDDEN,
        outsider=NOT_FOUND,
        portal=FORBIDDEN,
        **ASSISTANCE_READERS,
    ),
    # Every step on a case is a POST from its page.
    **{
        f"assistance:{step}": post_only_signed_in(args)
        for step, args in {
            "take": case,
            "propose": case,
            "decline": case,
            "certify": case,
            "tier": case,
            "plan_item_add": case,
            "plan_item_done": plan_item,
            "plan_start": case,
            "refer_employer": case,
            "refer_post": case,
            "referral_outcome": referral,
            "referral_release": referral,
            "placement_propose": referral,
            "placement_approve": case,
            "placement_refuse": case,
            "placement_start": placement,
            "placement_end": placement,
            "follow_up": case,
            "withdraw": case,
            "close": case,
        }.items()
    },
    # -- statistics (the market's supervisors and auditors; the regional role, which no
    # persona here has, is tested in tests/reports/) ----------------------------------
    "reports:index": row(
        no_args,
        staff=FORBIDDEN,
        outsider=FORBIDDEN,
        portal=FORBIDDEN,
        **STATISTICS_READERS_SENT_ON,
    ),
    **{
        name: row(
            statistics,
            staff=FORBIDDEN,
            outsider=FORBIDDEN,
            portal=FORBIDDEN,
            sam_supervisor=OK,
            audrey_auditor=OK,
        )
        for name in (
            "reports:workflow",
            "reports:data",
            "reports:ledger_xlsx",
            "reports:ledger_csv",
        )
    },
    # Comparing markets is the regional role's.
    "reports:compare": row(statistics, staff=FORBIDDEN, outsider=FORBIDDEN, portal=FORBIDDEN),
    "reports:targets": row(
        statistics, staff=FORBIDDEN, outsider=FORBIDDEN, portal=FORBIDDEN, sam_supervisor=OK
    ),
    # The monthly statistics table (figures only): the statistics' readers (the regional
    # role too, tested in tests/reports/test_seed_monthly.py and test_monthly.py); its
    # sealed copy is asked for by POST and shown to those who see all the markets it covers.
    **{
        name: row(
            args,
            staff=FORBIDDEN,
            outsider=FORBIDDEN,
            portal=FORBIDDEN,
            sam_supervisor=OK,
            audrey_auditor=OK,
        )
        for name, args in {
            "reports:monthly_xlsx": statistics,
            "reports:monthly_copy": table_copy,
            "reports:monthly_copy_pdf": table_copy,
        }.items()
    },
    "reports:monthly_pdf": post_only_signed_in(statistics),
    # The sealed monthly work reports of the market: its supervisors and auditors (not
    # the regional role, tested in tests/reports/test_monthly.py: they name cases).
    "reports:monthly_reports": row(
        no_args,
        staff=FORBIDDEN,
        outsider=FORBIDDEN,
        portal=FORBIDDEN,
        sam_supervisor=OK,
        audrey_auditor=OK,
    ),
    # -- portal (parties' own cases only; others' cases are not found, not forbidden) ----
    # Staff are sent on to their own home page.
    "portal:home": row(no_args, staff=redirect_to("home"), outsider=redirect_to("home"), portal=OK),
    "portal:agreement": row(
        agreement, staff=NOT_FOUND, outsider=NOT_FOUND, portal=OK, li_worker=NOT_FOUND
    ),
    "portal:agreement_code": post_only_signed_in(agreement),
    "portal:agreement_sign": post_only_signed_in(agreement),
    "portal:agreement_complete": post_only_signed_in(agreement),
    "portal:agreement_payment": post_only_signed_in(agreement),
    # Workers bring disputes; an employer can't file one against itself here.
    "portal:dispute_new": row(
        no_args, staff=FORBIDDEN, outsider=FORBIDDEN, portal=OK, hui_hiring=FORBIDDEN
    ),
    "portal:dispute": row(
        dispute, staff=NOT_FOUND, outsider=NOT_FOUND, portal=OK, li_worker=NOT_FOUND
    ),
    "portal:dispute_withdraw": post_only_signed_in(dispute),
    # Workers complain from the portal; everyone else is sent to the portal home (and on).
    "portal:complaint_new": row(
        no_args,
        staff=redirect_to("portal:home"),
        outsider=redirect_to("portal:home"),
        portal=OK,
        hui_hiring=redirect_to("portal:home"),
    ),
    "portal:complaint": row(
        complaint, staff=NOT_FOUND, outsider=NOT_FOUND, portal=NOT_FOUND, wang_worker=OK
    ),
    # Workers apply for hardship certification; everyone else is sent to the portal home.
    "portal:assistance_new": row(
        no_args,
        staff=redirect_to("portal:home"),
        outsider=redirect_to("portal:home"),
        portal=OK,
        hui_hiring=redirect_to("portal:home"),
    ),
    "portal:assistance": row(
        online_case, staff=NOT_FOUND, outsider=NOT_FOUND, portal=NOT_FOUND, wang_worker=OK
    ),
    "portal:assistance_document": row(
        supporting_document, staff=NOT_FOUND, outsider=NOT_FOUND, portal=NOT_FOUND, wang_worker=OK
    ),
    # Sign-in by text code and registration (docs/portal.md): open to everyone without a
    # registered person; the code and registration pages need a number in the session.
    "portal:signin": row(
        no_args, staff=OK, outsider=OK, portal=redirect_to("portal:home"), anonymous=OK
    ),
    "portal:signin_code": everyone(no_args, redirect_to("portal:signin")),
    "portal:register": row(
        no_args,
        staff=redirect_to("home"),
        outsider=redirect_to("home"),
        portal=redirect_to("portal:home"),
        anonymous=redirect_to("portal:signin"),
    ),
    "portal:register_organisation": row(no_args, staff=FORBIDDEN, outsider=FORBIDDEN, portal=OK),
    # tests.caseapp's sample workflow, plugged into the portal: wang holds the sample.
    "portal:sample": row(
        sample, staff=NOT_FOUND, outsider=NOT_FOUND, portal=NOT_FOUND, wang_worker=OK
    ),
}


# -- the tests ---------------------------------------------------------------------------


@pytest.fixture
def personas(request, db) -> dict:
    users = {name: request.getfixturevalue(name) for name in PERSONAS if name != "anonymous"}
    return users | {"anonymous": AnonymousUser()}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Ten GETs in a row would trip the public pages' per-address limits (429).
    keys = [key("127.0.0.1") for key in (rate_limit_key, submit_limit_key, track_limit_key)]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def answer_class(response, expected, kwargs: dict, *, anonymous: bool):
    """The response class of ``response``, or a description of what makes it none."""
    if expected == PROBE and response.status_code in (200, 503):
        return PROBE
    name = {status: name for name, status in STATUS.items()}.get(response.status_code)
    if name is None:
        return f"status {response.status_code}"
    if name != REDIRECT:
        return name
    location = response["Location"]
    if isinstance(expected, Redirect):
        return expected if location == expected.location(kwargs) else f"redirect to {location}"
    # Otherwise the anonymous must be asked to log in; a signed-in user sent to log in
    # would be a permission check disguised as a redirect.
    to_login = location.startswith(resolve_url(settings.LOGIN_URL))
    return name if to_login == anonymous else f"redirect to {location}"


@pytest.mark.parametrize("name", sorted(TABLE))
def test_pattern(name, client, personas, request):
    if name in KNOWN_GAPS:
        pytest.skip(f"KNOWN_GAP: {KNOWN_GAPS[name]}")
    entry = TABLE[name]
    kwargs = entry["args"](Objects(request))
    url = reverse(name, kwargs=kwargs)
    # A 500 must show as a mismatch for its persona, not end the loop over personas.
    client.raise_request_exception = False
    wrong = []
    for persona in PERSONAS:
        client.logout()
        user = personas[persona]
        if user.is_authenticated:
            client.force_login(user)
        expected = entry["expect"][persona]
        got = answer_class(client.get(url), expected, kwargs, anonymous=not user.is_authenticated)
        if got != expected:
            wrong.append(f"{persona}: expected {expected}, got {got}")
    assert not wrong, f"GET {url}\n" + "\n".join(wrong)


def test_every_pattern_has_a_row():
    problems = coverage_problems(TABLE, list(url_patterns()))
    assert not problems, "\n".join(problems)


def test_a_missing_row_is_reported():
    patterns = list(url_patterns())
    table = copy.copy(TABLE)
    del table["disputes:detail"]
    table["disputes:gone"] = TABLE["disputes:detail"]
    assert coverage_problems(table, patterns) == [
        "no row for disputes:detail (/disputes/<str:code>/): add it to TABLE",
        "row disputes:gone names no URL pattern: remove it from TABLE",
    ]


def test_known_gaps_name_rows():
    # A gap whose row was renamed or removed would skip nothing and hide nothing.
    assert set(KNOWN_GAPS) <= set(TABLE)


def test_only_the_admin_is_left_out():
    # The URL conf does include the admin, so leaving it out is a decision, not a no-op.
    assert "admin" in get_resolver().namespace_dict
    names = [name for name, _route in url_patterns()]
    assert not [name for name in names if name.startswith("admin:")]
    assert "disputes:detail" in names and "portal:sample" in names


@pytest.mark.parametrize(
    ("response", "anonymous", "got"),
    [
        (HttpResponseServerError(), False, "status 500"),
        (HttpResponse(status=429), True, "status 429"),
        # Staff sent to log in: a refusal dressed as a redirect.
        (
            HttpResponseRedirect("/accounts/login/?next=/disputes/"),
            False,
            "redirect to /accounts/login/?next=/disputes/",
        ),
        # The anonymous sent anywhere but the login page.
        (HttpResponseRedirect("/portal/"), True, "redirect to /portal/"),
        (HttpResponseRedirect("/accounts/login/?next=/"), True, REDIRECT),
        (HttpResponseRedirect("/portal/"), False, REDIRECT),
    ],
)
def test_answer_classes(response, anonymous, got):
    assert answer_class(response, REDIRECT, {}, anonymous=anonymous) == got


def test_a_documented_redirect_must_reach_its_page(db):
    expected = redirect_to("complaints_public:track")
    right = HttpResponseRedirect(reverse("complaints_public:track"))
    assert answer_class(right, expected, {}, anonymous=True) == expected
    wrong = HttpResponseRedirect(reverse("home"))
    assert answer_class(wrong, expected, {}, anonymous=True) == "redirect to /"
