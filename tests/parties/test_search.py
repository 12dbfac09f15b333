"""The staff search box (casework/parties/views.py search; docs/workflows.md "Search"):
a case number goes to the case, a name or a full number finds people and their cases,
only within the user's markets and permissions; part of a number finds nobody."""

from django.urls import reverse

from casework.core.models import AccessLog
from tests.conftest import WANG_ID

SEARCH = reverse("search")
MASKED = WANG_ID[:6] + "********" + WANG_ID[-4:]  # how a result shows the ID number


def find(client, user, term: str):
    client.force_login(user)
    return client.get(SEARCH, {"q": term})


def test_a_case_number_goes_straight_to_the_case(client, alice_mediator, new_dispute):
    dispute = new_dispute()
    response = find(client, alice_mediator, f" {dispute.code.lower()} ")
    assert response.url == reverse("disputes:detail", args=[dispute.code])


def test_a_case_of_another_market_is_not_found(client, oscar_outsider, new_dispute):
    dispute = new_dispute()
    response = find(client, oscar_outsider, dispute.code)
    assert response.status_code == 200 and dispute.code in response.content.decode()
    assert reverse("disputes:detail", args=[dispute.code]) not in response.content.decode()


def test_a_name_finds_the_person_and_their_cases_with_the_id_masked(
    client, alice_mediator, new_dispute
):
    dispute = new_dispute()
    page = find(client, alice_mediator, "王小").content.decode()
    assert "王小明" in page and dispute.code in page
    assert WANG_ID not in page and MASKED in page


def test_a_name_finds_nobody_whose_cases_are_all_elsewhere(client, oscar_outsider, new_dispute):
    dispute = new_dispute()
    page = find(client, oscar_outsider, "王小明").content.decode()
    assert MASKED not in page and dispute.code not in page


def test_a_full_id_number_finds_the_person_and_is_logged(client, alice_mediator, new_dispute):
    dispute = new_dispute()
    page = find(client, alice_mediator, WANG_ID).content.decode()
    assert dispute.code in page
    assert AccessLog.objects.filter(user=alice_mediator).exists()


def test_part_of_an_id_number_finds_nobody(client, alice_mediator, new_dispute):
    dispute = new_dispute()
    page = find(client, alice_mediator, WANG_ID[:10]).content.decode()
    assert dispute.code not in page and MASKED not in page


def test_a_person_page_lists_their_cases_that_the_user_may_open(
    client, alice_mediator, oscar_outsider, new_dispute, wang_worker
):
    dispute = new_dispute()
    person_page = reverse("parties:person", args=[wang_worker.person.pk])
    client.force_login(alice_mediator)
    assert dispute.code in client.get(person_page).content.decode()
    client.force_login(oscar_outsider)
    response = client.get(person_page)
    assert response.status_code in (200, 403) and dispute.code not in response.content.decode()


def test_an_organisation_page_lists_its_cases(client, alice_mediator, new_dispute, employer):
    dispute = new_dispute()
    client.force_login(alice_mediator)
    page = client.get(reverse("parties:organization", args=[employer.pk])).content.decode()
    assert dispute.code in page


def test_the_search_is_for_staff_only(client, wang_worker):
    assert find(client, wang_worker, "王小明").status_code == 403


def test_the_box_is_in_the_staff_header_and_not_the_portals(client, alice_mediator, wang_worker):
    client.force_login(alice_mediator)
    assert f'action="{SEARCH}"' in client.get(reverse("home")).content.decode()
    client.force_login(wang_worker)
    assert f'action="{SEARCH}"' not in client.get(reverse("portal:home")).content.decode()


def test_a_name_search_costs_the_same_queries_for_one_person_and_for_three(
    client, alice_mediator, new_dispute
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_person

    def queries(term: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            find(client, alice_mediator, term)
        return len(captured)

    new_dispute(applicants=[make_person("赵一", _id("11010119800101001"), "13900000001")])
    queries("赵")  # caches warmed (permissions, content types)
    one = queries("赵")
    for n, name in ((2, "赵二"), (3, "赵三")):
        new_dispute(applicants=[make_person(name, _id(f"1101011980010100{n}"), f"1390000000{n}")])
    page = find(client, alice_mediator, "赵").content.decode()
    assert page.count("WD-") >= 3 and queries("赵") == one


def _id(first17: str) -> str:
    from stdnum.cn import ric

    return first17 + ric.calc_check_digit(first17 + "0")
