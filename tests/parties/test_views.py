import pytest
from django.urls import reverse

from casework.core.models import AccessLog
from casework.parties.models import Organization, Person
from tests.conftest import EMPLOYER_USCC, LI_ID, WANG_ID


@pytest.fixture
def wang(wang_worker) -> Person:
    return wang_worker.person


def test_the_people_list_masks_id_numbers_and_phones(client, alice_mediator, wang):
    client.force_login(alice_mediator)
    page = client.get(reverse("parties:people")).content.decode()
    assert "110105********002X" in page
    assert WANG_ID not in page
    assert "13800138000" not in page


def test_workers_cannot_open_the_people_register(client, wang_worker, wang):
    client.force_login(wang_worker)
    assert client.get(reverse("parties:people")).status_code == 403
    assert client.get(reverse("parties:person", args=[wang.pk])).status_code == 403


def test_revealing_the_full_id_number_writes_the_access_log(client, alice_mediator, wang):
    client.force_login(alice_mediator)
    page = client.post(reverse("parties:person_reveal", args=[wang.pk])).content.decode()
    assert WANG_ID in page
    log = AccessLog.objects.get()
    assert (log.user, log.subject, log.action) == (alice_mediator, wang, "view")


def test_a_complaint_officer_may_not_reveal_full_numbers(client, olga_officer, wang):
    client.force_login(olga_officer)
    response = client.post(reverse("parties:person_reveal", args=[wang.pk]))
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_registering_a_person_normalises_and_derives_from_the_id(client, alice_mediator):
    client.force_login(alice_mediator)
    response = client.post(
        reverse("parties:person_create"),
        {"name": "李四", "id_number": LI_ID.lower(), "mobile": "139 0013 9000", "address": ""},
    )
    person = Person.objects.get()
    assert response.url == reverse("parties:person", args=[person.pk])
    assert (person.id_number, person.mobile, person.sex) == (LI_ID, "13900139000", "M")
    assert str(person.birth_date) == "1990-03-07"


def test_a_bad_id_number_is_explained_and_nothing_is_saved(client, alice_mediator):
    client.force_login(alice_mediator)
    response = client.post(
        reverse("parties:person_create"),
        {"name": "李四", "id_number": "110105199003071238", "mobile": "13900139000"},
    )
    assert response.status_code == 200
    assert "check digit" in response.content.decode() or "校验" in response.content.decode()
    assert 'value="李四"' in response.content.decode()
    assert not Person.objects.exists()


def test_a_duplicate_id_number_is_refused(client, alice_mediator, wang):
    client.force_login(alice_mediator)
    response = client.post(
        reverse("parties:person_create"),
        {"name": "又一个", "id_number": WANG_ID, "mobile": "13900139000"},
    )
    assert response.status_code == 200
    assert Person.objects.count() == 1


def _org_data(**overrides):
    data = {"kind": "employer", "name": "某公司", "credit_code": EMPLOYER_USCC}
    data.update(overrides)
    return data


def test_an_organisation_with_a_valid_credit_code_is_registered(client, alice_mediator):
    client.force_login(alice_mediator)
    client.post(reverse("parties:organization_create"), _org_data())
    assert Organization.objects.get().credit_code == EMPLOYER_USCC


def test_a_failed_credit_code_check_needs_a_supervisor_and_a_reason(
    client, alice_mediator, sam_supervisor
):
    bad = _org_data(credit_code="91350100M000100Y44")
    client.force_login(alice_mediator)
    assert client.post(reverse("parties:organization_create"), bad).status_code == 200
    bad["credit_code_override_reason"] = "营业执照原件核对无误"
    assert client.post(reverse("parties:organization_create"), bad).status_code == 200
    assert not Organization.objects.exists()

    client.force_login(sam_supervisor)
    client.post(reverse("parties:organization_create"), bad)
    org = Organization.objects.get()
    assert org.credit_code_override_by == sam_supervisor


def test_an_intermediary_needs_a_licence_number(client, alice_mediator):
    client.force_login(alice_mediator)
    response = client.post(reverse("parties:organization_create"), _org_data(kind="intermediary"))
    assert response.status_code == 200
    assert not Organization.objects.exists()
