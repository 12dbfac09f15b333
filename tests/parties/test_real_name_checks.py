import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework.parties.models import Organization, RealNameCheck
from casework.parties.services import real_name_check_record


def test_counter_staff_record_that_they_saw_the_id_card(client, alice_mediator, wang_worker):
    person = wang_worker.person
    client.force_login(alice_mediator)
    response = client.post(reverse("parties:person_check", args=[person.pk]), {"result": "passed"})
    assert response.url == reverse("parties:person", args=[person.pk])
    check = person.real_name_checks.get()
    assert (check.method, check.result, check.checked_by) == (
        RealNameCheck.Method.ID_CARD_SEEN,
        RealNameCheck.Result.PASSED,
        alice_mediator,
    )


def test_a_failed_check_needs_a_reason(client, alice_mediator, wang_worker):
    client.force_login(alice_mediator)
    url = reverse("parties:person_check", args=[wang_worker.person.pk])
    response = client.post(url, {"result": "failed", "note": ""})
    assert response.status_code == 400
    assert '<option value="failed" selected>' in response.content.decode()
    assert not RealNameCheck.objects.exists()


def test_an_organisation_is_checked_by_its_licence(client, alice_mediator, hui_hiring):
    org = Organization.objects.get()
    client.force_login(alice_mediator)
    client.post(reverse("parties:organization_check", args=[org.pk]), {"result": "passed"})
    assert org.real_name_checks.get().method == RealNameCheck.Method.LICENCE_SEEN


def test_a_person_cannot_be_checked_by_a_business_licence(wang_worker, alice_mediator):
    with pytest.raises(ValidationError):
        real_name_check_record(
            party=wang_worker.person, method="licence_seen", result="passed", by=alice_mediator
        )


def test_workers_and_auditors_cannot_record_checks(client, wang_worker, audrey_auditor):
    for user in (wang_worker, audrey_auditor):
        client.force_login(user)
        url = reverse("parties:person_check", args=[wang_worker.person.pk])
        assert client.post(url, {"result": "passed"}).status_code == 403
    assert not RealNameCheck.objects.exists()


def test_the_person_page_shows_the_check_form_to_staff(client, alice_mediator, wang_worker):
    client.force_login(alice_mediator)
    page = client.get(reverse("parties:person", args=[wang_worker.person.pk])).content.decode()
    assert reverse("parties:person_check", args=[wang_worker.person.pk]) in page
