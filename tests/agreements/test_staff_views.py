"""The staff pages of gig agreements: who may see and do what, counter signing, the outbox."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.forms import particulars_of
from agreements.models import Agreement, Party, Signature, SigningCode
from agreements.views import listing
from casework.core.models import AccessLog, CaseEvent, SmsMessage
from casework.core.queues import queues_for
from casework.core.roles import Role
from casework.parties.models import RealNameCheck
from casework.parties.verification import IdentityResult, IdentityServiceUnavailable
from tests.agreements.fixtures import last_code
from tests.conftest import HUI_ID, WANG_ID

S = Agreement.State

# Every step page of an agreement with a POST body that would be valid for it.
STEPS = {
    "edit": {},
    "send": {},
    "cancel": {"reason": "用工方取消"},
    "complete": {},
    "terminate": {"reason": "双方协商一致解除"},
    "change": {},
    "reveal": {},
}
PARTY_STEPS = {
    "code_send": ("worker", {}),
    "sign": ("worker", {"code": "123456"}),
    "check": ("worker", {"result": "passed"}),
    "verify": ("worker", {}),
}
GET_PAGES = ("detail", "edit", "cancel", "terminate", "change")


def url(name: str, agreement: Agreement, *extra) -> str:
    return reverse(f"agreements:{name}", args=[agreement.code, *extra])


def every_step(agreement: Agreement):
    """(url, POST data) of every step of the agreement page."""
    for name, data in STEPS.items():
        yield url(name, agreement), data
    for name, (arg, data) in PARTY_STEPS.items():
        yield url(name, agreement, arg), data


def logged_in(client, user):
    client.force_login(user)
    return client


def page_of(client, agreement: Agreement) -> str:
    return client.get(url("detail", agreement)).content.decode()


class AcceptEveryone:
    """An identity service that confirms everybody (the demo one knows only demo people)."""

    def verify(self, person):
        return IdentityResult(True, reference="TEST-OK")


class Unavailable:
    """An identity service that cannot answer (its register is being upgraded)."""

    def verify(self, person):
        raise IdentityServiceUnavailable("-6", "权威比对系统升级中", retry=True)


# -- who may open what ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, new_agreement):
    agreement = new_agreement()
    pages = [reverse("agreements:list"), reverse("agreements:outbox"), reverse("agreements:new")]
    pages += [url(name, agreement) for name in GET_PAGES]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), page
    for step, data in every_step(agreement):
        response = client.post(step, data)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), step


def test_a_worker_gets_403_on_the_staff_pages(client, wang_worker, new_agreement):
    agreement = new_agreement()  # wang is its worker: the portal is his place, not these pages
    logged_in(client, wang_worker)
    for page in [reverse("agreements:list"), reverse("agreements:outbox")] + [
        url(name, agreement) for name in GET_PAGES
    ]:
        assert client.get(page).status_code == 403, page
    for step, data in every_step(agreement):
        assert client.post(step, data).status_code == 403, step


def test_staff_of_another_market_get_404_everywhere_on_the_agreement(
    client, oscar_outsider, new_agreement, verified_parties
):
    agreement = new_agreement(S.SENT)
    logged_in(client, oscar_outsider)
    for name in GET_PAGES:
        assert client.get(url(name, agreement)).status_code == 404, name
    for step, data in every_step(agreement):
        assert client.post(step, data).status_code == 404, step
    assert agreement.code not in client.get(reverse("agreements:list")).content.decode()
    agreement.refresh_from_db()
    assert agreement.state == S.SENT and not agreement.codes.exists()


def test_an_auditor_can_read_but_not_act(client, audrey_auditor, new_agreement, verified_parties):
    agreement = new_agreement(S.SENT)
    logged_in(client, audrey_auditor)
    page = page_of(client, agreement)
    assert agreement.code in page and "待签署" in page
    assert url("cancel", agreement) not in page
    assert url("code_send", agreement, "worker") not in page
    assert agreement.code in client.get(reverse("agreements:list")).content.decode()
    for step, data in every_step(agreement):
        assert client.post(step, data).status_code == 403, step
    assert client.get(reverse("agreements:outbox")).status_code == 403
    agreement.refresh_from_db()
    assert agreement.state == S.SENT and not agreement.codes.exists()


def test_a_mediator_may_read_an_agreement_of_the_market(client, alice_mediator, new_agreement):
    agreement = new_agreement()
    response = logged_in(client, alice_mediator).get(url("detail", agreement))
    assert response.status_code == 200
    assert client.post(url("send", agreement)).status_code == 403


# -- the list ----------------------------------------------------------------------------


def test_the_list_filters_by_state_searches_and_counts(
    client, carol_caseworker, new_agreement, verified_parties
):
    draft, sent = new_agreement(), new_agreement(S.SENT)
    logged_in(client, carol_caseworker)
    page = client.get(reverse("agreements:list")).content.decode()
    assert draft.code in page and sent.code in page
    assert "测试搬家服务有限公司" in page and "王小明" in page
    page = client.get(reverse("agreements:list"), {"state": "signing"}).content.decode()
    assert sent.code in page and draft.code not in page
    page = client.get(reverse("agreements:list"), {"state": "draft"}).content.decode()
    assert draft.code in page and sent.code not in page
    page = client.get(reverse("agreements:list"), {"q": sent.code}).content.decode()
    assert sent.code in page and draft.code not in page
    page = client.get(reverse("agreements:list"), {"q": "没有这个人"}).content.decode()
    assert "没有找到协议" in page
    assert 'class="count">2<' in client.get(reverse("agreements:list")).content.decode()


def test_the_list_is_paginated(client, carol_caseworker, new_agreement, settings):
    first = new_agreement()
    for _ in range(listing.PAGE_SIZE):
        new_agreement()
    logged_in(client, carol_caseworker)
    page = client.get(reverse("agreements:list")).content.decode()
    assert first.code not in page and "page=2" in page
    assert first.code in client.get(reverse("agreements:list"), {"page": 2}).content.decode()


def test_the_navigation_links_to_agreements_for_staff_who_see_them(
    client, carol_caseworker, olga_officer
):
    link = f'href="{reverse("agreements:list")}"'
    assert link in logged_in(client, carol_caseworker).get(reverse("home")).content.decode()
    assert link not in logged_in(client, olga_officer).get(reverse("home")).content.decode()


def test_the_home_page_counts_drafts_and_agreements_waiting_for_signatures(
    client, carol_caseworker, new_agreement, verified_parties
):
    import agreements.queues  # noqa: F401  (registered from AgreementsConfig.ready())

    new_agreement(), new_agreement(S.SENT), new_agreement(S.PARTLY_SIGNED)
    mine = [q for q in queues_for(Role.CASEWORKER) if q.url_name == "agreements:list"]
    counts = {q.url_query: q.count(carol_caseworker) for q in mine}
    assert counts == {"state=signing": 2, "state=draft": 1}
    assert len(mine) == 2  # registered once
    page = logged_in(client, carol_caseworker).get(reverse("home")).content.decode()
    assert "待签署的协议" in page and "state=signing" in page


# -- the agreement page ----------------------------------------------------------------------


def test_the_page_shows_parties_masked_particulars_status_hash_and_history(
    client, carol_caseworker, new_agreement
):
    agreement = new_agreement(S.SENT)
    page = page_of(logged_in(client, carol_caseworker), agreement)
    assert "110105********002X" in page and WANG_ID not in page
    assert "440305********0021" in page and HUI_ID not in page
    assert "138****8000" in page
    assert agreement.text_hash in page
    assert "仓库货物装卸搬运" in page
    assert "尚未通过实名核验" in page  # nobody has been checked yet
    assert 'aria-current="step"' in page  # the state overview
    assert "<strong>协议已创建</strong>" in page  # the timeline
    assert url("cancel", agreement) in page
    assert url("code_send", agreement, "worker") not in page  # unverified: no code button


def test_showing_full_personal_data_is_logged(client, carol_caseworker, new_agreement):
    agreement = new_agreement()
    response = logged_in(client, carol_caseworker).post(url("reveal", agreement))
    page = response.content.decode()
    assert WANG_ID in page and HUI_ID in page
    logged = AccessLog.objects.filter(user=carol_caseworker)
    assert {entry.subject_label for entry in logged} == {"王小明", "惠老板"}
    assert all(agreement.code in entry.fields for entry in logged)


# -- drafting and sending ---------------------------------------------------------------------


def test_a_caseworker_edits_a_draft_and_sends_it(client, carol_caseworker, new_agreement):
    agreement = new_agreement()
    logged_in(client, carol_caseworker)
    assert client.get(url("edit", agreement)).status_code == 200
    data = {k: v for k, v in particulars_of(agreement).items() if v is not None}
    data.update(pay_rate="350", hiring_party_first="")
    data.pop("hiring_party_first")
    response = client.post(url("edit", agreement), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.pay_rate == 350
    bad = client.post(url("edit", agreement), {**data, "pay_rate": "0"})
    assert "请填写大于0元的报酬标准" in bad.content.decode()
    response = client.post(url("send", agreement))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == S.SENT and agreement.text_hash == agreement.compute_hash()
    # A sent agreement's text is fixed: editing is no longer possible.
    response = client.get(url("edit", agreement), follow=True)
    assert "当前无法进行此操作" in response.content.decode()


def test_cancelling_needs_a_reason(client, carol_caseworker, new_agreement):
    agreement = new_agreement(S.SENT)
    logged_in(client, carol_caseworker)
    response = client.post(url("cancel", agreement), {"reason": ""})
    assert response.status_code == 200 and "请填写理由" in response.content.decode()
    response = client.post(url("cancel", agreement), {"reason": "用工方取消招工"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == S.CANCELLED and agreement.end_reason == "用工方取消招工"
    assert "协议已作废" in client.get(response.url).content.decode()


# -- real-name checks from the agreement page -----------------------------------------------


def test_recording_checks_in_person_lets_both_sides_sign(client, carol_caseworker, new_agreement):
    agreement = new_agreement(S.SENT)
    logged_in(client, carol_caseworker)
    for who in ("worker", "organization", "signer"):
        response = client.post(url("check", agreement, who), {"result": "passed"})
        assert response.status_code == 302
    methods = set(RealNameCheck.objects.values_list("method", flat=True))
    assert methods == {RealNameCheck.Method.ID_CARD_SEEN, RealNameCheck.Method.LICENCE_SEEN}
    page = page_of(client, agreement)
    assert url("code_send", agreement, "worker") in page
    assert url("code_send", agreement, "hiring") in page
    response = client.post(url("check", agreement, "worker"), {"result": "failed"}, follow=True)
    assert "请说明核验未通过的原因" in response.content.decode()
    assert client.post(url("check", agreement, "hirer"), {"result": "passed"}).status_code == 404


def test_the_identity_service_is_asked_from_the_page(
    client, carol_caseworker, new_agreement, settings
):
    agreement = new_agreement(S.SENT)
    logged_in(client, carol_caseworker)
    # The demo service knows only the demo people: the test worker is refused, and recorded.
    response = client.post(url("verify", agreement, "worker"), follow=True)
    assert "演示身份核验服务只认可演示人员" in response.content.decode()
    check = RealNameCheck.objects.get()
    assert check.result == RealNameCheck.Result.FAILED
    settings.IDENTITY_VERIFICATION_BACKEND = f"{__name__}.AcceptEveryone"
    client.post(url("verify", agreement, "worker"))
    check = RealNameCheck.objects.latest("pk")
    assert check.result == RealNameCheck.Result.PASSED and check.backend_reference == "TEST-OK"
    assert check.method == RealNameCheck.Method.VERIFICATION_SERVICE
    assert client.post(url("verify", agreement, "organization")).status_code == 404


def test_an_identity_service_that_cannot_answer_records_nothing_and_says_so(
    client, carol_caseworker, new_agreement, settings
):
    agreement = new_agreement(S.SENT)
    logged_in(client, carol_caseworker)
    settings.IDENTITY_VERIFICATION_BACKEND = f"{__name__}.Unavailable"

    response = client.post(url("verify", agreement, "worker"), follow=True)

    assert response.status_code == 200
    assert "身份核验服务暂时无法使用" in response.content.decode()
    assert not RealNameCheck.objects.exists()


# -- counter signing -----------------------------------------------------------------------


def send_code(client, agreement, party, capture):
    with capture(execute=True):
        return client.post(url("code_send", agreement, party), follow=True)


def test_counter_signing_with_the_code_from_the_outbox_puts_the_agreement_in_force(
    client, carol_caseworker, new_agreement, verified_parties, django_capture_on_commit_callbacks
):
    agreement = new_agreement(S.SENT)
    logged_in(client, carol_caseworker)
    response = send_code(client, agreement, "worker", django_capture_on_commit_callbacks)
    assert "验证码已发送至王小明的手机138****8000" in response.content.decode()
    outbox = client.get(reverse("agreements:outbox")).content.decode()
    code = last_code("13800138000")
    assert code in outbox and agreement.code in outbox
    response = client.post(
        url("sign", agreement, "worker"), {"code": code}, HTTP_USER_AGENT="CounterPC/1.0"
    )
    assert response.status_code == 302
    signature = Signature.objects.get(party=Party.WORKER)
    assert signature.channel == Signature.Channel.COUNTER
    assert signature.user_agent == "CounterPC/1.0" and signature.user == carol_caseworker
    assert signature.text_hash == agreement.text_hash
    send_code(client, agreement, "hiring", django_capture_on_commit_callbacks)
    client.post(url("sign", agreement, "hiring"), {"code": last_code("13700137000")})
    agreement.refresh_from_db()
    assert agreement.state == S.SIGNED
    page = page_of(client, agreement)
    assert "窗口" in page and "CounterPC/1.0" in page  # the evidence of each signature
    assert url("complete", agreement) in page and url("terminate", agreement) in page


def test_an_unverified_party_cannot_be_sent_a_code(
    client, carol_caseworker, new_agreement, django_capture_on_commit_callbacks
):
    agreement = new_agreement(S.SENT)
    logged_in(client, carol_caseworker)
    response = send_code(client, agreement, "worker", django_capture_on_commit_callbacks)
    assert "尚未通过实名核验" in response.content.decode()
    assert not agreement.codes.exists() and not SmsMessage.objects.exists()
    response = client.post(url("sign", agreement, "worker"), {"code": "123456"}, follow=True)
    assert "尚未通过实名核验" in response.content.decode()
    assert not Signature.objects.exists()


def refused_events(agreement: Agreement) -> int:
    return agreement.events.filter(action="signing_code_refused").count()


def test_a_wrong_code_is_refused_and_the_attempt_counted(
    client, carol_caseworker, new_agreement, verified_parties, django_capture_on_commit_callbacks
):
    agreement = new_agreement(S.SENT)
    logged_in(client, carol_caseworker)
    send_code(client, agreement, "worker", django_capture_on_commit_callbacks)
    wrong = f"{(int(last_code('13800138000')) + 1) % 1000000:06d}"
    response = client.post(url("sign", agreement, "worker"), {"code": wrong}, follow=True)
    assert "验证码不正确" in response.content.decode()
    assert SigningCode.objects.get().attempts == 1
    assert refused_events(agreement) == 1
    assert not Signature.objects.exists()


def test_an_expired_code_is_refused_and_the_attempt_counted(
    client, carol_caseworker, new_agreement, verified_parties, django_capture_on_commit_callbacks
):
    agreement = new_agreement(S.SENT)
    logged_in(client, carol_caseworker)
    send_code(client, agreement, "worker", django_capture_on_commit_callbacks)
    SigningCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    code = last_code("13800138000")
    response = client.post(url("sign", agreement, "worker"), {"code": code}, follow=True)
    assert "验证码已过期" in response.content.decode()
    assert SigningCode.objects.get().attempts == 1 and refused_events(agreement) == 1


def test_an_old_code_or_a_used_one_does_not_sign_again(
    client,
    carol_caseworker,
    new_agreement,
    verified_parties,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.AGREEMENT_CODE_RESEND_SECONDS = 0
    agreement = new_agreement(S.SENT)
    logged_in(client, carol_caseworker)
    send_code(client, agreement, "worker", django_capture_on_commit_callbacks)
    old = last_code("13800138000")
    send_code(client, agreement, "worker", django_capture_on_commit_callbacks)
    new = last_code("13800138000")
    if old != new:  # one in a million the two codes are equal
        response = client.post(url("sign", agreement, "worker"), {"code": old}, follow=True)
        assert "已发送新的验证码" in response.content.decode()
        assert refused_events(agreement) == 1
        assert agreement.codes.first().attempts == 1  # counted on the latest code
    client.post(url("sign", agreement, "worker"), {"code": new})
    assert Signature.objects.count() == 1
    response = client.post(url("sign", agreement, "worker"), {"code": new}, follow=True)
    assert "该方已签署" in response.content.decode()
    assert Signature.objects.count() == 1


def test_an_empty_code_is_asked_for_again(client, carol_caseworker, new_agreement):
    agreement = new_agreement(S.SENT)
    response = logged_in(client, carol_caseworker).post(
        url("sign", agreement, "worker"), {"code": ""}, follow=True
    )
    assert "请输入当事人手机收到的验证码" in response.content.decode()
    assert client.post(url("sign", agreement, "nobody"), {"code": "1"}).status_code == 404


# -- after signing ---------------------------------------------------------------------------


def test_marking_the_work_completed(client, carol_caseworker, new_agreement, verified_parties):
    agreement = new_agreement(S.SIGNED)
    response = logged_in(client, carol_caseworker).post(url("complete", agreement))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == S.COMPLETED
    # Done once: a second press says it is no longer possible.
    response = client.post(url("complete", agreement), follow=True)
    assert "当前无法进行此操作" in response.content.decode()


def test_the_counter_cannot_mark_the_work_completed_before_its_first_day(
    client, carol_caseworker, new_agreement, verified_parties
):
    start = timezone.localdate() + datetime.timedelta(days=2)
    agreement = new_agreement(S.SIGNED, start_date=start, end_date=start, payment_date=start)
    response = logged_in(client, carol_caseworker).post(url("complete", agreement), follow=True)
    agreement.refresh_from_db()

    assert agreement.state == S.SIGNED
    [message] = [str(m) for m in response.context["messages"]]
    assert str(start) in message
    assert message in response.content.decode()


def test_terminating_needs_the_permission_and_a_reason(
    client, carol_caseworker, alice_mediator, new_agreement, verified_parties
):
    agreement = new_agreement(S.SIGNED)
    assert (
        logged_in(client, alice_mediator).post(url("terminate", agreement), STEPS["terminate"])
    ).status_code == 403
    logged_in(client, carol_caseworker)
    assert client.post(url("terminate", agreement), {"reason": " "}).status_code == 200
    response = client.post(url("terminate", agreement), STEPS["terminate"])
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == S.TERMINATED and agreement.end_reason == "双方协商一致解除"


def test_a_draft_cannot_be_terminated(client, carol_caseworker, new_agreement):
    agreement = new_agreement()
    response = logged_in(client, carol_caseworker).post(
        url("terminate", agreement), STEPS["terminate"], follow=True
    )
    assert "当前无法进行此操作" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.state == S.DRAFT


def test_a_change_after_signing_drafts_a_new_agreement_that_replaces_it_once_signed(
    client,
    carol_caseworker,
    wang_worker,
    hui_hiring,
    new_agreement,
    verified_parties,
    django_capture_on_commit_callbacks,
):
    signed = new_agreement(S.SIGNED)
    logged_in(client, carol_caseworker)
    page = client.get(url("change", signed)).content.decode()
    assert "仓库货物装卸搬运" in page  # prefilled
    data = {k: v for k, v in particulars_of(signed).items() if v not in (None, False)}
    data["pay_rate"] = "320"
    response = client.post(url("change", signed), data)
    changed = Agreement.objects.get(supersedes=signed)
    assert response.status_code == 302 and response.url == url("detail", changed)
    assert changed.state == S.DRAFT and changed.pay_rate == 320
    # A second change while the first is pending is not offered.
    assert url("change", signed) not in page_of(client, signed)
    client.post(url("send", changed))
    changed.refresh_from_db()
    for party, phone in ((Party.WORKER, "13800138000"), (Party.HIRING, "13700137000")):
        send_code(client, changed, party, django_capture_on_commit_callbacks)
        client.post(url("sign", changed, party), {"code": last_code(phone)})
    signed.refresh_from_db()
    changed.refresh_from_db()
    assert changed.state == S.SIGNED and signed.state == S.SUPERSEDED
    assert changed.code in page_of(client, signed)


# -- the outbox ------------------------------------------------------------------------------


def test_the_outbox_shows_newest_first_and_hides_other_markets_codes(
    client, carol_caseworker, new_agreement
):
    SmsMessage.objects.create(to="13800138000", text="第一条", purpose="x", subject_label="")
    SmsMessage.objects.create(to="13800138000", text="第二条", purpose="x", subject_label="")
    SmsMessage.objects.create(
        to="13900139000", text="别的市场的验证码", purpose="x", subject_label="GA-2099-999999"
    )
    page = logged_in(client, carol_caseworker).get(reverse("agreements:outbox")).content.decode()
    assert page.index("第二条") < page.index("第一条")
    assert "别的市场的验证码" not in page


def test_the_outbox_does_not_exist_with_a_real_gateway(client, carol_caseworker, settings):
    settings.SMS_BACKEND = f"{__name__}.Gateway"
    response = logged_in(client, carol_caseworker).get(reverse("agreements:outbox"))
    assert response.status_code == 404
    assert (
        reverse("agreements:outbox") not in client.get(reverse("agreements:list")).content.decode()
    )


class Gateway:
    """A real gateway keeps no text (no keeps_outbox)."""

    def send(self, message):
        pass


@pytest.mark.parametrize("state", [S.DRAFT, S.SENT])
def test_events_are_written_for_every_step_taken_from_the_page(
    client, carol_caseworker, new_agreement, state
):
    agreement = new_agreement(state)
    before = CaseEvent.objects.count()
    logged_in(client, carol_caseworker).post(url("cancel", agreement), {"reason": "不再需要"})
    assert CaseEvent.objects.count() == before + 1
