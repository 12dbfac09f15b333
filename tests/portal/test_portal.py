from django.urls import reverse

from tests.conftest import WANG_ID


def test_the_portal_needs_a_login(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302


def test_a_worker_sees_their_own_details_masked(client, wang_worker, li_worker):
    client.force_login(wang_worker)
    page = client.get(reverse("portal:home")).content.decode()
    assert "王小明" in page
    assert "110105********002X" in page
    assert WANG_ID not in page
    assert "李四" not in page


def test_a_hiring_party_sees_the_organisation_they_act_for(client, hui_hiring):
    client.force_login(hui_hiring)
    page = client.get(reverse("portal:home")).content.decode()
    assert "测试搬家服务有限公司" in page


def test_staff_opening_the_portal_go_to_their_home(client, alice_mediator):
    client.force_login(alice_mediator)
    response = client.get(reverse("portal:home"))
    assert response.url == reverse("home")


def test_the_portal_page_fits_a_phone(client, wang_worker):
    client.force_login(wang_worker)
    page = client.get(reverse("portal:home")).content.decode()
    assert 'name="viewport" content="width=device-width' in page
