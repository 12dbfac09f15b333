"""Issue 16's journey through the test client, as a worker meets it: register with the
identity service, sign in by text code, apply for hardship certification online, receive
the acceptance text, and rate the service once the case is closed. And the takeover it
must not allow: knowing a registered person's name and ID number is not enough."""

import datetime
import re

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from assistance import notifications as assistance_notices
from assistance import services
from assistance.models import AssistanceCase, Outcome
from casework.core.models import SmsMessage
from casework.notifications.services import notifications_of
from casework.parties.models import Person, RealNameCheck
from casework.surveys.models import Level, SurveyInvitation
from portal.middleware import SESSION_FLAG
from tests.assistance.fixtures import actor
from tests.conftest import make_person
from tests.formtoken_client import FormTokenClient
from tests.portal.test_register import (  # noqa: F401  (the fixture sets the identity service)
    KNOWN_ID,
    NEW_ID,
    _test_identity,
)
from tests.portal.test_signin import _fresh_limits  # noqa: F401

MOBILE = "13522223333"
SIGNIN = reverse("portal:signin")
CODE = reverse("portal:signin_code")
REGISTER = reverse("portal:register")
HOME = reverse("portal:home")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
PDF = b"%PDF-1.4\n" + b"0" * 64


def post_and_send(client, path, data):
    """A POST whose texts go out after its commit (Celery runs in-process in the tests)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, data)


def texts_to(mobile: str, template: str) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(to=mobile, template=template).order_by("pk"))


def code_for(client, mobile: str):
    """Ask for a code on the sign-in page and enter the one the text brought."""
    assert post_and_send(client, SIGNIN, {"mobile": mobile}).url == CODE
    text = SmsMessage.objects.filter(to=mobile).order_by("-pk").first()
    return client.post(CODE, {"code": re.search(r"\d{6}", text.text).group()})


def test_a_new_worker_registers_signs_in_applies_hears_and_rates(
    market, carol_caseworker, sam_supervisor
):
    client = FormTokenClient()
    # 1. A number without an account: its code leads to registration, the number confirmed.
    assert code_for(client, MOBILE).url == REGISTER
    response = client.post(REGISTER, {"name": "赵新来", "id_number": NEW_ID, "role": "worker"})
    assert response.url == HOME
    person = Person.objects.get(id_number=NEW_ID)
    assert (person.mobile, person.user.username) == (MOBILE, f"m{MOBILE}")
    check = RealNameCheck.objects.get(person=person)
    assert (check.method, check.result) == ("verification_service", "passed")

    # 2. Signed out, the worker comes back by text code alone: a portal session.
    client.post(reverse("logout"))
    assert code_for(client, MOBILE).url == HOME
    assert client.session[SESSION_FLAG] and int(client.session["_auth_user_id"]) == person.user.pk
    assert client.get(reverse("disputes:queue")).status_code == 403  # never a staff page

    # 3. The online application, with two supporting documents.
    response = post_and_send(
        client,
        reverse("portal:assistance_new"),
        {
            "market": market.pk,
            "unemployment_registered_on": "2025-01-10",
            "doc_id_card": SimpleUploadedFile("id.png", PNG, content_type="image/png"),
            "doc_unemployment": SimpleUploadedFile("u.pdf", PDF, content_type="application/pdf"),
        },
    )
    case = AssistanceCase.objects.get(person=person)
    assert response.url == reverse("portal:assistance", args=[case.code])
    assert case.state == AssistanceCase.State.APPLIED and case.supporting_documents.count() == 2

    # 4. The acceptance text, once, to the number the worker confirmed.
    (accepted,) = texts_to(MOBILE, assistance_notices.ACCEPTED)
    assert case.code in accepted.text and accepted.text.startswith(f"【{market.name}】")
    page = client.get(reverse("portal:assistance", args=[case.code])).content.decode()
    assert case.code in page

    # 5. Staff certify and, later, close the case: the worker is asked to rate it.
    carol, sam = actor(carol_caseworker), actor(sam_supervisor)
    services.review_start(case=case, actor=carol)
    services.certification_propose(case=case, actor=carol)
    case.refresh_from_db()
    after_notice = datetime.datetime.combine(
        case.notice_ends + datetime.timedelta(days=1), datetime.time(10)
    )
    with time_machine.travel(timezone.make_aware(after_notice), tick=False):
        services.certification_approve(case=case, actor=sam)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.case_close(case=case, outcome=Outcome.EMPLOYED, actor=carol)
    (invitation_text,) = texts_to(MOBILE, "survey_invitation")
    link = re.search(r"/survey/[^/\s]+/", invitation_text.text).group()

    # 6. The worker rates the service from the link, in the same portal session.
    form = client.get(link)
    assert form.status_code == 200 and case.code in form.content.decode()
    answer = {"level": Level.BASICALLY_SATISFIED, "reasons": ["too_long"], "comment": "材料多"}
    assert client.post(link, answer).status_code in (200, 302)
    invitation = SurveyInvitation.objects.get(subject_id=case.pk)
    assert invitation.used_at is not None
    assert (invitation.level, invitation.reasons) == (Level.BASICALLY_SATISFIED, ["too_long"])
    # The link works once: a second answer changes nothing.
    client.post(link, {"level": Level.VERY_DISSATISFIED, "reasons": ["other"]})
    invitation.refresh_from_db()
    assert invitation.level == Level.BASICALLY_SATISFIED

    # Each event of the case sent one text to the worker: nothing sent twice.
    sent = notifications_of(case).filter(recipient=MOBILE)
    templates = sorted(sent.values_list("template", flat=True))
    assert templates == ["assistance_accepted", "assistance_certified", "survey_invitation"]


def test_knowing_a_registered_person_s_id_does_not_take_over_the_record(db):
    """钱在册 is on record with the mobile 13812340000; someone with another phone who knows
    the name and ID number confirms their own number and tries to register as them."""
    on_record = make_person("钱在册", KNOWN_ID, "13812340000")
    client = FormTokenClient()
    assert code_for(client, "13566667777").url == REGISTER
    response = client.post(REGISTER, {"name": "钱在册", "id_number": KNOWN_ID, "role": "worker"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "13812340000" not in page and "138****0000" not in page
    on_record.refresh_from_db()
    assert on_record.user is None and on_record.mobile == "13812340000"
    assert not RealNameCheck.objects.filter(person=on_record).exists()
    # A sign-in with the other number still finds no account: it goes back to registration.
    assert code_for(FormTokenClient(), "13566667777").url == REGISTER
    # The number on record, confirmed by its own code, registers and links the record.
    owner = FormTokenClient()
    assert code_for(owner, "13812340000").url == REGISTER
    owner.post(REGISTER, {"name": "钱在册", "id_number": KNOWN_ID, "role": "worker"})
    on_record.refresh_from_db()
    assert on_record.user is not None and on_record.user.username == "m13812340000"
