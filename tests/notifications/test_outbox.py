"""The development outbox keeps each text's template and parameters, and the outbox page
shows them beside the text (issue 16, item 7)."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from casework.complaints import notifications as complaint_notices
from casework.core.models import SmsMessage
from casework.core.sms import OutboxBackend, Sms
from casework.disputes import notifications as notices
from casework.disputes import services
from casework.notifications.registry import get_template
from tests.disputes.fixtures import actor

pytestmark = pytest.mark.django_db


def test_the_outbox_backend_keeps_the_template_and_its_parameters():
    OutboxBackend().send(
        Sms(
            to="13800138000",
            text="【市场】您的投诉（IC-1）已办结。处理结果：已退费",
            purpose=complaint_notices.RESULT,
            template=complaint_notices.RESULT,
            params=(("code", "IC-1"), ("result", "已退费")),
        )
    )
    message = SmsMessage.objects.get()
    assert message.template == complaint_notices.RESULT
    assert message.params == [["code", "IC-1"], ["result", "已退费"]]


def test_the_outbox_page_shows_template_title_and_parameters(
    client, new_dispute, alice_mediator, carol_caseworker, django_capture_on_commit_callbacks
):
    dispute = new_dispute()
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_accept(dispute=dispute, actor=actor(alice_mediator))
    SmsMessage.objects.create(to="13900139000", text="旧的一条", purpose="legacy")
    client.force_login(carol_caseworker)
    page = client.get(reverse("agreements:outbox")).content.decode()
    with translation.override(settings.LANGUAGE_CODE):
        title = str(get_template(notices.ACCEPTED).title)
    assert notices.ACCEPTED in page and title in page
    assert '<dt class="mono">due</dt>' in page and dispute.code in page
    assert "旧的一条" in page  # an older row without a template still shows


def test_the_dispute_page_shows_the_texts_sent(
    client, new_dispute, alice_mediator, django_capture_on_commit_callbacks
):
    dispute = new_dispute()
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_accept(dispute=dispute, actor=actor(alice_mediator))
    client.force_login(alice_mediator)
    page = client.get(reverse("disputes:detail", args=[dispute.code])).content.decode()
    assert 'id="notifications"' in page and "138****8000" in page
