import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from casework.core.models import AccessLog
from casework.parties.models import Organization, Person
from tests.conftest import EMPLOYER_USCC, LI_ID, WANG_ID, make_person


@pytest.fixture
def wang(wang_worker, new_dispute) -> Person:
    new_dispute()  # wang applies in the test market: its staff may see his full numbers
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
    assert not Person.objects.filter(name="又一个").exists()


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


# -- searching without oracles ----------------------------------------------------------


def search(client, term: str) -> str:
    return client.get(reverse("parties:people"), {"q": term}).content.decode()


def test_typing_an_id_number_digit_by_digit_never_narrows_the_list(client, alice_mediator, wang):
    client.force_login(alice_mediator)
    make_person("李四", LI_ID, "13900139000")

    for end in range(1, len(WANG_ID)):
        page = search(client, WANG_ID[:end])
        assert "王小明" not in page and "李四" not in page, WANG_ID[:end]
    for end in range(1, 11):
        assert "王小明" not in search(client, "13800138000"[:end])
    assert not AccessLog.objects.exists()


def test_a_full_id_or_mobile_number_finds_the_person_and_is_logged(client, alice_mediator, wang):
    client.force_login(alice_mediator)

    by_id = search(client, WANG_ID.lower())
    by_mobile = search(client, "１３８ ００１３ ８０００")  # full-width, with spaces

    assert "王小明" in by_id and "王小明" in by_mobile
    logs = AccessLog.objects.order_by("pk")
    assert [(log.user, log.subject) for log in logs] == [(alice_mediator, wang)] * 2
    assert [log.fields for log in logs] == [
        _("search by full ID number"),
        _("search by full mobile number"),
    ]


def test_a_full_number_nobody_has_is_logged_against_the_searcher(client, alice_mediator, db):
    client.force_login(alice_mediator)

    assert "王小明" not in search(client, WANG_ID)

    log = AccessLog.objects.get()
    assert (log.user, log.subject, log.fields) == (
        alice_mediator,
        alice_mediator,
        _("search by full ID number"),
    )


def test_names_are_searched_by_part(client, alice_mediator, wang):
    client.force_login(alice_mediator)

    assert "王小明" in search(client, "小明")
    assert not AccessLog.objects.exists()


def test_a_person_with_no_case_in_the_viewers_markets_is_not_revealed(client, oscar_outsider, wang):
    # oscar mediates in another market; wang's only case is in the test market.
    client.force_login(oscar_outsider)

    detail = client.get(reverse("parties:person", args=[wang.pk])).content.decode()
    response = client.post(reverse("parties:person_reveal", args=[wang.pk]))

    assert reverse("parties:person_reveal", args=[wang.pk]) not in detail
    assert response.status_code == 403
    assert WANG_ID not in response.content.decode()
    assert not AccessLog.objects.exists()
