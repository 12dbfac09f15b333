"""Registration with real-name verification (docs/portal.md): a new person, linking an
existing record only with its mobile on record (no takeover), organisations."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric

from casework.core.models import CaseEvent
from casework.core.roles import Role, roles_of
from casework.parties.models import Organization, Person, RealNameCheck
from casework.parties.verification import IdentityResult, IdentityServiceUnavailable
from portal.middleware import SESSION_FLAG
from tests.conftest import EMPLOYER_USCC, make_person
from tests.formtoken_client import FormTokenClient
from tests.portal.test_signin import _fresh_limits, confirm_mobile  # noqa: F401

REGISTER = reverse("portal:register")
NEW_MOBILE = "13522223333"
OTHER_MOBILE = "13566667777"


def valid_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


NEW_ID = valid_id("11010219900101123")
KNOWN_ID = valid_id("11010219850505234")

# The people the test identity service knows: (name, ID number).
KNOWN_TO_SERVICE = {("赵新来", NEW_ID), ("钱在册", KNOWN_ID)}


class FakeIdentity:
    """Confirms the people above; "UNAVAILABLE" as a name makes it fail to answer."""

    def verify(self, person):
        if person.name == "UNAVAILABLE":
            raise IdentityServiceUnavailable("timeout", retry=True)
        if (person.name, person.id_number) in KNOWN_TO_SERVICE:
            return IdentityResult(True, reference=f"T-{person.id_number[-4:]}")
        return IdentityResult(False, note="不一致")


@pytest.fixture(autouse=True)
def _test_identity(settings):
    settings.IDENTITY_VERIFICATION_BACKEND = "tests.portal.test_register.FakeIdentity"


def confirmed_client(mobile: str) -> FormTokenClient:
    client = FormTokenClient()
    assert confirm_mobile(client, mobile).url == REGISTER
    return client


def register(client, name: str, id_number: str, role: str = Role.WORKER):
    return client.post(REGISTER, {"name": name, "id_number": id_number, "role": role})


def test_a_new_worker_registers_and_is_signed_in(db):
    client = confirmed_client(NEW_MOBILE)
    page = client.get(REGISTER).content.decode()
    assert "135****3333" in page
    response = register(client, "赵新来", NEW_ID)
    assert response.url == reverse("portal:home")
    person = Person.objects.get(id_number=NEW_ID)
    assert (person.name, person.mobile) == ("赵新来", NEW_MOBILE)
    user = person.user
    assert roles_of(user) == [Role.WORKER] and not user.has_usable_password()
    check = RealNameCheck.objects.get(person=person)
    assert check.method == RealNameCheck.Method.VERIFICATION_SERVICE
    assert check.result == RealNameCheck.Result.PASSED
    assert check.backend_reference == f"T-{NEW_ID[-4:]}"
    assert "短信验证码" in check.note
    assert CaseEvent.objects.filter(action="registered_online", subject_id=person.pk).exists()
    assert client.session[SESSION_FLAG] and int(client.session["_auth_user_id"]) == user.pk
    # Next time the number signs in with a code.
    other = FormTokenClient()
    assert confirm_mobile(other, NEW_MOBILE).url == reverse("portal:home")


def test_an_individual_employer_registers_as_a_hiring_party(db):
    client = confirmed_client(NEW_MOBILE)
    register(client, "赵新来", NEW_ID, role=Role.HIRING_PARTY)
    assert roles_of(Person.objects.get(id_number=NEW_ID).user) == [Role.HIRING_PARTY]


def test_registration_needs_a_confirmed_mobile(client, db):
    assert client.get(REGISTER).url == reverse("portal:signin")
    assert register(client, "赵新来", NEW_ID).url == reverse("portal:signin")
    assert not Person.objects.exists()


def test_a_confirmed_mobile_lasts_thirty_minutes(db):
    client = confirmed_client(NEW_MOBILE)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31), tick=False):
        assert register(client, "赵新来", NEW_ID).url == reverse("portal:signin")
    assert not Person.objects.exists()


def test_a_name_the_service_does_not_confirm_saves_nothing(db):
    client = confirmed_client(NEW_MOBILE)
    response = register(client, "赵新去", NEW_ID)
    assert response.status_code == 200
    assert not Person.objects.exists() and not User.objects.exists()


def test_an_unavailable_service_asks_to_try_again(db):
    client = confirmed_client(NEW_MOBILE)
    response = register(client, "UNAVAILABLE", NEW_ID)
    assert response.status_code == 200
    assert "minutes" in response.content.decode() or "分钟" in response.content.decode()
    assert not Person.objects.exists()


def test_a_bad_id_number_is_a_form_error(db):
    client = confirmed_client(NEW_MOBILE)
    response = register(client, "赵新来", NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1"))
    assert response.status_code == 200
    assert not Person.objects.exists()


def test_someone_with_another_mobile_cannot_take_over_a_record(db):
    person = make_person("钱在册", KNOWN_ID, OTHER_MOBILE)  # M1 on record, no login
    client = confirmed_client(NEW_MOBILE)  # M2 confirmed
    response = register(client, "钱在册", KNOWN_ID)  # the right name and ID number
    assert response.status_code == 200
    page = response.content.decode()
    assert OTHER_MOBILE not in page and "135****7777" not in page
    assert OTHER_MOBILE[-4:] not in page
    person = Person.objects.get(pk=person.pk)
    assert person.user is None and person.mobile == OTHER_MOBILE
    assert not User.objects.exists()
    assert not RealNameCheck.objects.exists()
    assert "_auth_user_id" not in client.session


def test_the_mobile_on_record_links_the_existing_record(db):
    person = make_person("钱在册", KNOWN_ID, OTHER_MOBILE)
    client = confirmed_client(OTHER_MOBILE)
    response = register(client, "钱在册", KNOWN_ID)
    assert response.url == reverse("portal:home")
    person = Person.objects.get(pk=person.pk)
    assert person.user is not None
    assert Person.objects.count() == 1
    assert RealNameCheck.objects.filter(person=person).count() == 1


def test_a_record_with_another_name_is_not_linked(db):
    make_person("钱另名", KNOWN_ID, OTHER_MOBILE)
    client = confirmed_client(OTHER_MOBILE)
    assert register(client, "钱在册", KNOWN_ID).status_code == 200
    assert not User.objects.exists()


def test_a_record_with_a_login_is_not_registered_again(wang_worker):
    # Wang's record has a login: a second login for his ID number is refused.
    client = confirmed_client(NEW_MOBILE)
    KNOWN_TO_SERVICE.add(("王小明", wang_worker.person.id_number))
    try:
        response = register(client, "王小明", wang_worker.person.id_number)
    finally:
        KNOWN_TO_SERVICE.discard(("王小明", wang_worker.person.id_number))
    assert response.status_code == 200
    assert User.objects.count() == 1


def test_one_mobile_backs_one_login(alice_mediator):
    # A staff login's person has the number: the code does not sign in, nor may it register.
    make_person("调解员本人", valid_id("11010519900307121"), NEW_MOBILE, user=alice_mediator)
    client = confirmed_client(NEW_MOBILE)
    response = register(client, "赵新来", NEW_ID)
    assert response.status_code == 200
    assert not Person.objects.filter(id_number=NEW_ID).exists()


def test_a_login_without_a_person_registers_itself(client, db):
    user = User.objects.create_user("legacy")
    user.groups.add(Group.objects.get(name=Role.WORKER))
    client.force_login(user)
    home = client.get(reverse("portal:home")).content.decode()
    assert REGISTER in home
    assert confirm_mobile(client, NEW_MOBILE).url == REGISTER
    assert register(client, "赵新来", NEW_ID).url == reverse("portal:home")
    assert Person.objects.get(id_number=NEW_ID).user == user
    assert User.objects.count() == 1


# -- organisations -----------------------------------------------------------------------------


def test_an_agent_registers_an_organisation_to_be_verified(db):
    client = confirmed_client(NEW_MOBILE)
    register(client, "赵新来", NEW_ID)
    url = reverse("portal:register_organisation")
    response = client.post(url, {"name": "赵记装修有限公司", "credit_code": EMPLOYER_USCC})
    assert response.url == reverse("portal:home")
    org = Organization.objects.get(credit_code=EMPLOYER_USCC)
    assert org.kind == Organization.Kind.EMPLOYER
    person = Person.objects.get(id_number=NEW_ID)
    assert list(org.representatives.all()) == [person]
    assert not org.real_name_checks.exists()
    assert Role.HIRING_PARTY in roles_of(person.user)
    home = client.get(reverse("portal:home")).content.decode()
    assert "赵记装修有限公司" in home


def test_an_existing_credit_code_is_not_taken(hui_hiring):
    client = confirmed_client(NEW_MOBILE)
    register(client, "赵新来", NEW_ID)
    url = reverse("portal:register_organisation")
    response = client.post(url, {"name": "冒名公司", "credit_code": EMPLOYER_USCC})
    assert response.status_code == 200
    org = Organization.objects.get(credit_code=EMPLOYER_USCC)
    assert org.name == "测试搬家服务有限公司"
    assert not org.representatives.filter(id_number=NEW_ID).exists()


def test_organisation_registration_needs_a_registered_person(client, alice_mediator):
    client.force_login(alice_mediator)
    url = reverse("portal:register_organisation")
    assert client.get(url).status_code == 403


def test_staff_see_how_a_person_registered(client, sam_supervisor):
    signup = confirmed_client(NEW_MOBILE)
    register(signup, "赵新来", NEW_ID)
    person = Person.objects.get(id_number=NEW_ID)
    client.force_login(sam_supervisor)
    page = client.get(reverse("parties:person", args=[person.pk])).content.decode()
    assert "短信验证码" in page  # the check's note: registered online
    assert "Portal login" in page or "门户" in page


def test_the_demo_identity_service_knows_the_demo_registrants(db):
    from casework.parties.seed import REGISTRANTS
    from casework.parties.verification import DemoIdentityBackend

    for name, id_number, mobile, _has_record in REGISTRANTS:
        assert ric.is_valid(id_number)
        candidate = Person(name=name, id_number=id_number, mobile=mobile)
        assert DemoIdentityBackend().verify(candidate).passed
    assert not DemoIdentityBackend().verify(Person(name="赵新来", id_number=NEW_ID)).passed
