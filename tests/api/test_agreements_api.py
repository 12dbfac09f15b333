"""Gig agreements in the party API: read, ask for a code, sign, the sealed PDF, the pay."""

import hashlib

import pytest
from django_fsm import ConcurrentTransition

from agreements import services
from agreements.models import Agreement, Party, PaymentStatus, Signature, SigningCode
from casework.core.models import AccessLog, CaseEvent, SmsMessage
from casework.documents import sealing
from tests.agreements.fixtures import last_code
from tests.api.conftest import API, ApiClient, new_key, party, sign_in

S = Agreement.State
WANG, HUI = "13800138000", "13700137000"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0"


@pytest.fixture
def sent(new_agreement, verified_parties) -> Agreement:
    return new_agreement(S.SENT)


def path(agreement: Agreement, action: str = "") -> str:
    return f"/me/agreements/{agreement.code}" + (f"/{action}" if action else "")


def ask_code(client: ApiClient, agreement: Agreement, key: str | None = None):
    return client.post(path(agreement, "signing-code"), idempotency_key=key or new_key())


def enter_code(client: ApiClient, agreement: Agreement, code: str, key: str | None = None):
    return client.post(
        path(agreement, "signature"), {"code": code}, idempotency_key=key or new_key()
    )


def sign_by_api(client: ApiClient, agreement: Agreement, mobile: str):
    assert ask_code(client, agreement).status_code == 202
    return enter_code(client, agreement, last_code(mobile))


def refusals(agreement: Agreement) -> int:
    return CaseEvent.objects.for_subject(agreement).filter(action="signing_code_refused").count()


def test_both_parties_sign_in_the_app_and_download_the_sealed_agreement(sent):
    """The issue's acceptance test, through the API only."""
    worker = ApiClient(token=sign_in(WANG)["access_token"])
    cases = worker.get("/me/cases").json()["cases"]
    assert [(c["workflow"], c["code"], c["state"]) for c in cases] == [
        ("agreements", sent.code, S.SENT)
    ]

    asked = ask_code(worker, sent)
    assert asked.status_code == 202, asked.content
    assert asked.json()["mobile"] == "138****8000"
    worker.headers["User-Agent"] = IPHONE
    signed = enter_code(worker, sent, last_code(WANG))
    assert signed.status_code == 201, signed.content
    assert signed.json()["state"] == S.PARTLY_SIGNED

    hiring = ApiClient(token=sign_in(HUI)["access_token"])
    signed = sign_by_api(hiring, sent, HUI)
    assert signed.status_code == 201, signed.content
    assert signed.json()["state"] == S.SIGNED
    assert all(side["signed"] for side in signed.json()["sides"])

    detail = worker.get(f"/me/cases/agreements/{sent.code}").json()
    [pdf] = [d for d in detail["documents"] if d["kind"] == "agreement_signed"]
    assert pdf["ready"], pdf
    download = worker.client.get(pdf["download_url"], headers=worker.headers)
    assert pdf["download_url"].startswith(API)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF") and b"/ByteRange" in data
    assert sealing.validate_seal(data).valid
    assert AccessLog.objects.filter(
        user__person__mobile=WANG, action=AccessLog.Action.EXPORT, subject_id=pdf["id"]
    ).exists()
    evidence = Signature.objects.get(agreement=sent, party=Party.WORKER)
    assert evidence.channel == Signature.Channel.PORTAL and evidence.user_agent == IPHONE


def test_the_agreement_reads_as_on_the_page(sent, wang_worker):
    response = party(wang_worker).get(path(sent))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["my_party"] == Party.WORKER and body["other_party"] == sent.hiring_party.name
    assert body["final_text"] == sent.final_text
    assert body["text_hash"] == hashlib.sha256(sent.final_text.encode()).hexdigest()
    assert body["terms"]["pay_rate"] == "300.00" and body["terms"]["pay_total"] == "600.00"
    assert body["terms"]["start_date"] == sent.start_date.isoformat()
    assert [s["party"] for s in body["sides"]] == [Party.HIRING, Party.WORKER]
    assert body["sides"][0]["signer"] == "惠老板"
    assert not any(side["signed"] for side in body["sides"])
    assert body["may_sign"] and body["sign_problems"] == []
    assert [a["action"] for a in body["next_actions"]] == ["sign"]
    assert body["documents"] and all(d["kind"] for d in body["documents"])


def test_a_wrong_code_is_422_on_the_code_field_and_counted(sent, wang_worker):
    me = party(wang_worker)
    ask_code(me, sent)
    right = last_code(WANG)
    wrong = "000000" if right != "000000" else "111111"

    response = enter_code(me, sent, wrong)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "code_refused" and error["fields"]["code"]
    assert SigningCode.objects.get(agreement=sent).attempts == 1
    assert refusals(sent) == 1
    assert enter_code(me, sent, right).status_code == 201


def test_a_malformed_code_is_422_and_not_counted(sent, wang_worker):
    me = party(wang_worker)
    ask_code(me, sent)

    response = enter_code(me, sent, "12ab")

    assert response.status_code == 422
    assert response.json()["error"]["fields"]["code"]
    assert SigningCode.objects.get(agreement=sent).attempts == 0


def test_a_second_signature_call_answers_200_with_the_agreement(sent, wang_worker):
    me = party(wang_worker)
    assert sign_by_api(me, sent, WANG).status_code == 201

    again = enter_code(me, sent, "123456")

    assert again.status_code == 200
    assert again.json()["state"] == S.PARTLY_SIGNED
    assert [a["action"] for a in again.json()["next_actions"]] == ["wait"]
    assert Signature.objects.filter(agreement=sent).count() == 1


def test_someone_not_a_party_gets_404_everywhere(sent, li_worker):
    outsider = party(li_worker)
    answers = [outsider.get(path(sent)).status_code]
    answers += [
        outsider.post(path(sent, action), body, idempotency_key=new_key()).status_code
        for action, body in [
            ("signing-code", None),
            ("signature", {"code": "123456"}),
            ("complete", None),
            ("payment", {"paid": True}),
        ]
    ]

    assert set(answers) == {404}
    assert not SigningCode.objects.exists()


def test_the_same_idempotency_key_sends_one_code(sent, wang_worker):
    me = party(wang_worker)
    key = new_key()

    first = ask_code(me, sent, key)
    second = ask_code(me, sent, key)

    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert SigningCode.objects.filter(agreement=sent).count() == 1
    assert SmsMessage.objects.filter(to=WANG).count() == 1


def test_without_an_idempotency_key_nothing_is_sent(sent, wang_worker):
    response = party(wang_worker).post(path(sent, "signing-code"))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_missing"
    assert not SigningCode.objects.exists()


def test_asking_again_too_soon_is_refused_with_the_service_s_words(sent, wang_worker):
    me = party(wang_worker)
    me.headers["Accept-Language"] = "en"
    ask_code(me, sent)

    again = ask_code(me, sent)

    assert again.status_code == 422
    assert again.json()["error"]["message"].startswith("A code was sent less than")
    assert SigningCode.objects.filter(agreement=sent).count() == 1


def test_the_worker_waits_when_the_hiring_party_signs_first(
    new_agreement, verified_parties, wang_worker, hui_hiring
):
    agreement = new_agreement(S.SENT, hiring_party_first=True)
    worker = party(wang_worker)

    body = worker.get(path(agreement)).json()
    refused = ask_code(worker, agreement)
    assert sign_by_api(party(hui_hiring), agreement, HUI).status_code == 201
    after = worker.get(path(agreement)).json()

    assert not body["may_sign"]
    [waiting] = body["next_actions"]
    assert waiting["action"] == "wait_first" and "\u4e00" <= waiting["label"][0] <= "\u9fff"
    assert refused.status_code == 422
    assert after["may_sign"] and [a["action"] for a in after["next_actions"]] == ["sign"]


def test_an_unverified_party_is_told_what_is_missing(new_agreement, wang_worker, hui_hiring):
    agreement = new_agreement(S.SENT)
    me = party(wang_worker)

    body = me.get(path(agreement)).json()
    response = ask_code(me, agreement)

    assert body["sign_problems"]
    assert response.status_code == 422
    assert response.json()["error"]["message"] in body["sign_problems"]


def test_a_concurrent_change_while_signing_is_409(sent, wang_worker, monkeypatch):
    me = party(wang_worker)
    ask_code(me, sent)

    def raced(**_kwargs):
        raise ConcurrentTransition("changed meanwhile")

    monkeypatch.setattr(services, "agreement_sign", raced)
    response = enter_code(me, sent, last_code(WANG))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_the_hiring_party_completes_and_the_worker_confirms_the_pay(
    new_agreement, verified_parties, wang_worker, hui_hiring
):
    agreement = new_agreement(S.SIGNED)
    worker, hiring = party(wang_worker), party(hui_hiring)

    not_mine = worker.post(path(agreement, "complete"), idempotency_key=new_key())
    done = hiring.post(path(agreement, "complete"), idempotency_key=new_key())
    again = hiring.post(path(agreement, "complete"), idempotency_key=new_key())
    asked = worker.get(path(agreement)).json()
    paid = worker.post(path(agreement, "payment"), {"paid": True}, idempotency_key=new_key())

    assert not_mine.status_code == 403
    assert not_mine.json()["error"]["code"] == "not_your_side"
    assert done.status_code == 200 and done.json()["state"] == S.COMPLETED
    assert again.status_code == 409
    assert asked["can_report_payment"]
    assert [a["action"] for a in asked["next_actions"]] == ["confirm_payment"]
    assert paid.status_code == 200, paid.content
    assert paid.json()["payment_status"] == PaymentStatus.PAID
    assert not paid.json()["can_report_payment"]


def test_completing_before_signing_is_409(sent, hui_hiring):
    response = party(hui_hiring).post(path(sent, "complete"), idempotency_key=new_key())

    assert response.status_code == 409
