"""The same form sent twice records once (issue "Integrity under races and faults", item 2).

A double click, or a phone resending on a bad network, once gave two mediation sessions
with two PDFs, the same evidence file stored twice, and a 4,500 yuan instalment recorded
as paid 9,000. Each form now carries a one-time token (casework.core.formtokens): the
second request with it never reaches the service and is sent where the first one went.

Back to back (one client, twice) runs everywhere; at the same moment (two clients
released together by a barrier, each on its own database connection) needs PostgreSQL,
where the second INSERT of the token waits for the first to commit and then fails.
"""

import datetime
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.core.models import FormToken
from casework.disputes.models import Dispute, Evidence, Instalment, Payment, Session

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
S = Dispute.State
PDF = b"%PDF-1.4\n%double submit\n%%EOF\n"


def session_form() -> dict:
    held_at = timezone.localtime() - datetime.timedelta(hours=1)
    return {
        "held_at": held_at.strftime("%Y-%m-%dT%H:%M"),
        "mode": "in_person",
        "place": "调解室",
        "attendees": "王小明；惠老板",
        "notes": "双方陈述。",
    }


def evidence_form() -> dict:
    upload = SimpleUploadedFile("工资条.pdf", PDF, content_type="application/pdf")
    return {"files": [upload], "description": "工资条"}


def payment_form(instalment: Instalment) -> dict:
    return {
        "instalment": instalment.pk,
        "amount": str(instalment.amount),
        "paid_on": timezone.localdate().isoformat(),
        "note": "银行转账",
    }


def url(name: str, dispute: Dispute) -> str:
    return reverse(f"disputes:{name}", args=[dispute.code])


def stored_evidence_files() -> list[Path]:
    return [p for p in (Path(settings.MEDIA_ROOT) / "evidence").rglob("*") if p.is_file()]


def check_one_of_each(mediating: Dispute, effective: Dispute, instalment: Instalment) -> None:
    assert Session.objects.filter(dispute=mediating).count() == 1
    assert Evidence.objects.filter(dispute=mediating).count() == 1
    assert len(stored_evidence_files()) == 1
    assert Payment.objects.filter(instalment=instalment).count() == 1
    instalment.refresh_from_db()
    assert instalment.paid == instalment.amount


@pytest.fixture
def cases(new_dispute):
    mediating = new_dispute(S.IN_MEDIATION)
    effective = new_dispute(S.EFFECTIVE)
    instalment = effective.settlement.instalments.order_by("seq").first()
    assert instalment.amount == Decimal("1500.00") and instalment.paid == 0
    return mediating, effective, instalment


def forms_for(mediating, effective, instalment) -> list[tuple[str, object]]:
    """(url, a maker of the POST body) for the session, evidence and payment forms."""
    return [
        (url("session_new", mediating), session_form),
        (url("evidence_new", mediating), evidence_form),
        (url("payment_new", effective), lambda: payment_form(instalment)),
    ]


def test_the_same_forms_sent_back_to_back_record_once(client, alice_mediator, cases):
    mediating, effective, instalment = cases
    client.force_login(alice_mediator)
    for n, (target, body) in enumerate(forms_for(*cases)):
        token = f"back-to-back-{n}"
        first = client.post(target, {**body(), "submission": token})
        again = client.post(target, {**body(), "submission": token})
        assert first.status_code == again.status_code == 302
        assert first.url == again.url
    check_one_of_each(mediating, effective, instalment)


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite serialises writers; runs in make test-services")
def test_the_same_forms_sent_twice_at_once_record_once(alice_mediator, cases, settings):
    # In tests the PDFs render in-process after the first request's commit, which can
    # take longer than the 5 s the second request waits by default.
    settings.FORM_TOKEN_WAIT_SECONDS = 60
    mediating, effective, instalment = cases
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(alice_mediator)
    for n, (target, body) in enumerate(forms_for(*cases)):
        responses = send_together(clients, target, [body(), body()], token=f"at-once-{n}")
        assert [r.status_code for r in responses] == [302, 302], target
        assert responses[0].url == responses[1].url == url("detail", target_case(target, cases))
    check_one_of_each(mediating, effective, instalment)
    assert FormToken.objects.filter(state=FormToken.State.DONE).count() == 3


def target_case(target: str, cases) -> Dispute:
    mediating, effective, _instalment = cases
    return effective if "payments" in target else mediating


def send_together(clients, target: str, bodies: list[dict], *, token: str) -> list:
    start = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def send(i: int) -> None:
        try:
            start.wait()
            responses[i] = clients[i].post(target, {**bodies[i], "submission": token})
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses
