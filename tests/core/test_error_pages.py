"""Error pages in the site's layout, in Chinese (and English), saying what to do next:
400, 403 (Django's and viewflow's), 404, 405, 429, 500 and a CSRF failure."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

BRAND = "零工市场案件办理系统"
NEXT = "您可以"  # the heading "What you can do"


def page(response) -> str:
    return response.content.decode()


def test_a_missing_page_is_the_sites_not_viewflows(client, alice_mediator):
    client.force_login(alice_mediator)
    response = client.get("/no/such/page/")
    body = page(response)
    assert response.status_code == 404
    assert BRAND in body and _("Page not found") in body and NEXT in body
    assert "Django Material" not in body and "viewflow" not in body


def test_a_case_of_another_market_is_not_found_in_the_same_words(client, oscar_outsider):
    client.force_login(oscar_outsider)
    response = client.get("/disputes/WD-2026-999999/")
    assert response.status_code == 404 and _("Page not found") in page(response)


def test_a_role_that_may_not_start_a_dispute_gets_the_sites_403(client, carol_caseworker):
    client.force_login(carol_caseworker)
    response = client.get("/disputes/new/oral/")
    body = page(response)
    assert response.status_code == 403 and BRAND in body and _("Not allowed") in body
    assert "LOG IN AS ANOTHER USER" not in body.upper()


def test_a_link_to_a_form_only_address_is_a_page_not_a_blank(client, alice_mediator):
    client.force_login(alice_mediator)
    response = client.get("/accounts/logout/")
    body = page(response)
    assert response.status_code == 405 and response["Allow"]
    assert _("This address cannot be opened this way") in body and BRAND in body


def test_an_expired_form_says_so(alice_mediator):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice_mediator)
    response = strict.post("/accounts/reminders/", {"notify_by": "none"})
    body = page(response)
    assert response.status_code == 403 and _("The page had expired") in body and NEXT in body


@pytest.mark.parametrize("status", [400, 500])
def test_a_bad_request_and_a_server_error_render_in_chinese(status, db):
    request = RequestFactory().get("/")
    with translation.override("zh-hans"):
        if status == 400:
            response = defaults.bad_request(request, Exception("bad"))
        else:
            response = defaults.server_error(request)
    body = page(response)
    assert response.status_code == status and BRAND in body and NEXT in body


def test_the_pages_read_in_english_too(client, alice_mediator):
    client.force_login(alice_mediator)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = page(client.get("/no/such/page/"))
    assert "Page not found" in body and "What you can do" in body


def test_a_bare_429_gets_the_page(rf, db):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from casework.core.middleware import ErrorPageMiddleware

    request = rf.get("/")
    request.user = AnonymousUser()
    bare = HttpResponse(status=429, headers={"Retry-After": "60"})
    response = ErrorPageMiddleware(lambda r: bare)(request)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert _("Too many requests") in page(response)
