import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework.core.audit import log_access
from casework.core.formfields import nfkc
from casework.core.roles import staff_roles
from casework.parties import cases
from casework.parties.access import may_reveal
from casework.parties.forms import OrganizationForm, PersonForm, RealNameCheckForm
from casework.parties.lookup import MatchedBy, search_people
from casework.parties.models import Organization, Person, RealNameCheck
from casework.parties.services import real_name_check_record


def _search(request, queryset, *fields: str):
    term = request.GET.get("q", "").strip()
    if term:
        query = Q()
        for field in fields:
            query |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(query)
    return Paginator(queryset, 50).get_page(request.GET.get("page")), term


@login_required
@permission_required("parties.view_person", raise_exception=True)
def people(request):
    term = request.GET.get("q", "").strip()
    found, matched_by = search_people(term) if term else (Person.objects.all(), None)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    if matched_by in (MatchedBy.ID_NUMBER, MatchedBy.MOBILE):
        _log_number_search(request, matched_by, list(page))
    context = {
        "page": page,
        "q": term,
        "part_of_a_number": matched_by == MatchedBy.PART_OF_A_NUMBER,
    }
    return render(request, "parties/people.html", context)


def _log_number_search(request, matched_by: MatchedBy, people: list[Person]) -> None:
    # A search by a full number shows whether that person is registered: logged like a
    # reveal, against each person found, or against the searcher when nobody was.
    what = (
        _("search by full ID number")
        if matched_by == MatchedBy.ID_NUMBER
        else _("search by full mobile number")
    )
    for person in people or [request.user]:
        log_access(request, person, what)


@login_required
@permission_required("parties.view_person", raise_exception=True)
def person_detail(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    return _person_page(request, person, RealNameCheckForm())


def _person_page(request, person: Person, check_form, *, full: bool = False, status: int = 200):
    context = {
        "person": person,
        "full": full,
        "check_form": check_form,
        "may_reveal": may_reveal(request.user, person),
        "cases": cases.cases_of(person, request.user),
    }
    return render(request, "parties/person_detail.html", context, status=status)


@require_POST
@login_required
@permission_required("parties.view_full_personal_data", raise_exception=True)
def person_reveal(request, pk: int):
    person = get_object_or_404(Person, pk=pk)
    if not may_reveal(request.user, person):
        messages.error(
            request,
            _("Full ID and mobile numbers are shown only for people with a case in your markets."),
        )
        return _person_page(request, person, RealNameCheckForm(), status=403)
    log_access(request, person, _("full ID number and mobile"))
    return _person_page(request, person, RealNameCheckForm(), full=True)


@login_required
@permission_required("parties.add_person", raise_exception=True)
def person_create(request):
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = form.save()
        messages.success(request, _("%(name)s has been registered.") % {"name": person.name})
        return redirect("parties:person", pk=person.pk)
    return render(request, "parties/form.html", {"form": form, "title": _("Register a person")})


@login_required
@permission_required("parties.view_organization", raise_exception=True)
def organizations(request):
    page, term = _search(request, Organization.objects.all(), "name", "credit_code")
    return render(request, "parties/organizations.html", {"page": page, "q": term})


@login_required
@permission_required("parties.view_organization", raise_exception=True)
def organization_detail(request, pk: int):
    org = get_object_or_404(Organization, pk=pk)
    return _organization_page(request, org, RealNameCheckForm())


def _organization_page(request, org: Organization, check_form, *, status: int = 200):
    context = {"org": org, "check_form": check_form, "cases": cases.cases_of(org, request.user)}
    return render(request, "parties/organization_detail.html", context, status=status)


@login_required
@permission_required("parties.add_organization", raise_exception=True)
def organization_create(request):
    form = OrganizationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        org = form.save()
        messages.success(request, _("%(name)s has been registered.") % {"name": org.name})
        return redirect("parties:organization", pk=org.pk)
    return render(
        request, "parties/form.html", {"form": form, "title": _("Register an organisation")}
    )


_CHECKED_IN_PERSON = {
    "person": (Person, RealNameCheck.Method.ID_CARD_SEEN, "parties:person", _person_page),
    "organization": (
        Organization,
        RealNameCheck.Method.LICENCE_SEEN,
        "parties:organization",
        _organization_page,
    ),
}


@require_POST
@login_required
@permission_required("parties.add_realnamecheck", raise_exception=True)
def real_name_check_create(request, party: str, pk: int):
    model, method, detail_url, page = _CHECKED_IN_PERSON[party]
    target = get_object_or_404(model, pk=pk)
    form = RealNameCheckForm(request.POST)
    if not form.is_valid():
        # Show the page again with what was typed and the reason, instead of losing it.
        return page(request, target, form, status=400)
    real_name_check_record(party=target, method=method, by=request.user, **form.cleaned_data)
    messages.success(request, _("The real-name check has been recorded."))
    return redirect(detail_url, pk=target.pk)


# -- the search box --------------------------------------------------------------------

CASE_CODE_RE = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}$")
SEARCH_PEOPLE_MAX = 20


@login_required
def search(request):
    """The staff header's search box: a case number goes straight to the case; a name, a
    full ID number or a full mobile number finds people and their cases. Only what the
    user may open is shown (docs/workflows.md, "Search")."""
    if not staff_roles(request.user):
        raise PermissionDenied(_("The search is for staff."))
    term = request.GET.get("q", "").strip()[:60]
    context = {"q": term, "results": [], "searched": bool(term)}
    code = re.sub(r"\s", "", nfkc(term)).upper()
    if CASE_CODE_RE.match(code):
        found = cases.case_by_code(code, request.user)
        if found is not None:
            return redirect(found.url)
        context["missing_code"] = code
        return render(request, "parties/search.html", context)
    if term:
        people, matched_by = search_people(term)
        if matched_by in (MatchedBy.ID_NUMBER, MatchedBy.MOBILE):
            _log_number_search(request, matched_by, list(people[:SEARCH_PEOPLE_MAX]))
        context["part_of_a_number"] = matched_by == MatchedBy.PART_OF_A_NUMBER
        candidates = list(people.order_by("name", "pk")[: SEARCH_PEOPLE_MAX * 5])
        found = cases.cases_of_people(candidates, request.user, limit=20)
        context["results"] = [(p, found[p.pk]) for p in candidates if found[p.pk]][
            :SEARCH_PEOPLE_MAX
        ]
    context["may_open_people"] = request.user.has_perm("parties.view_person")
    return render(request, "parties/search.html", context)
