"""Gig agreements in the portal: reading, signing with a code, the signed PDF, the pay."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from agreements import services
from agreements.models import Agreement, Party, PaymentStatus, Signature, SigningCode
from casework.core.models import CaseEvent
from casework.disputes.models import Channel, Dispute
from casework.documents.models import Document
from casework.documents.registry import get_kind
from tests.agreements.fixtures import last_code, particulars, past_work, staff_actor
from tests.documents.conftest import render_now

S = Agreement.State
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
POST_PAGES = ("agreement_code", "agreement_sign", "agreement_complete", "agreement_payment")


def url(name: str, agreement: Agreement) -> str:
    return reverse(f"portal:{name}", args=[agreement.code])


def dispute_from(agreement: Agreement) -> str:
    return f"{reverse('portal:dispute_new')}?agreement={agreement.code}"


def page_of(client, user, address: str) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(address)
    return response.status_code, response.content.decode()


def shown(message: str) -> str:
    """A message as the page shows it: translated and HTML-escaped."""
    return escape(_(message))


@pytest.fixture
def ask_code(client, django_capture_on_commit_callbacks):
    """ask_code(user, agreement): press "send me a code"; the text message goes out on commit."""

    def ask(user, agreement):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url("agreement_code", agreement), follow=True)

    return ask


@pytest.fixture
def enter_code(client, django_capture_on_commit_callbacks):
    """enter_code(user, agreement, code): submit the code form as the user's phone would."""

    def enter(user, agreement, code, *, render=False):
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=render):
            return client.post(
                url("agreement_sign", agreement),
                {"code": code},
                headers={"user-agent": IPHONE},
                follow=True,
            )

    return enter


@pytest.fixture
def sign_on_portal(ask_code, enter_code):
    """The whole signing by ``user``: ask for a code, read it from the phone, enter it."""

    def sign(user, agreement, *, render=False):
        ask_code(user, agreement)
        return enter_code(user, agreement, last_code(user.person.mobile), render=render)

    return sign


@pytest.fixture
def sent(new_agreement, verified_parties) -> Agreement:
    return new_agreement(S.SENT)


@pytest.fixture
def lis_agreement(market, li_worker, hiring_org, hui_hiring, carol_caseworker) -> Agreement:
    by = staff_actor(carol_caseworker)
    agreement = services.agreement_create(
        market=market,
        worker=li_worker.person,
        hiring_party=hiring_org,
        hiring_signer=hui_hiring.person,
        actor=by,
        particulars=particulars(work_place="测试区城东小区5栋"),
    )
    return services.agreement_send(agreement=agreement, actor=by)


def refusals(agreement: Agreement) -> int:
    return CaseEvent.objects.for_subject(agreement).filter(action="signing_code_refused").count()


def agreement_docs(agreement: Agreement, kind: str | None = None):
    docs = Document.objects.filter(
        subject_type=ContentType.objects.get_for_model(Agreement), subject_id=agreement.pk
    )
    return docs.filter(kind=kind) if kind else docs


# Who sees which agreement


def test_a_worker_sees_only_their_own_agreements(
    client, sent, lis_agreement, wang_worker, li_worker, hui_hiring
):
    _status, wangs = page_of(client, wang_worker, reverse("portal:home"))
    _status, lis = page_of(client, li_worker, reverse("portal:home"))
    _status, huis = page_of(client, hui_hiring, reverse("portal:home"))

    assert url("agreement", sent) in wangs and lis_agreement.code not in wangs
    assert url("agreement", lis_agreement) in lis and sent.code not in lis
    assert sent.code in huis and lis_agreement.code in huis


def test_the_home_page_shows_state_other_party_dates_and_what_to_do(client, sent, wang_worker):
    _status, page = page_of(client, wang_worker, reverse("portal:home"))

    assert escape(sent.get_state_display()) in page
    assert "测试搬家服务有限公司" in page
    assert f'datetime="{sent.start_date:%Y-%m-%d}"' in page
    assert shown("Sign now") in page
    assert f"{url('agreement', sent)}#sign" in page


def test_the_hiring_party_sees_the_worker_and_a_draft_is_not_listed(
    client, new_agreement, verified_parties, hui_hiring
):
    sent = new_agreement(S.SENT)
    draft = new_agreement(S.DRAFT)

    _status, page = page_of(client, hui_hiring, reverse("portal:home"))

    assert "王小明" in page
    assert sent.code in page
    assert draft.code not in page


def test_another_worker_gets_404_before_and_after_signing(
    client, sent, li_worker, wang_worker, hui_hiring, sign_on_portal
):
    def refused() -> list[int]:
        client.force_login(li_worker)
        codes = [client.get(url("agreement", sent)).status_code]
        codes += [
            client.post(url(name, sent), {"code": "123456"}).status_code for name in POST_PAGES
        ]
        codes += [
            client.get(reverse(name, args=[doc.pk])).status_code
            for doc in agreement_docs(sent)
            for name in ("documents:detail", "documents:download")
        ]
        return codes

    before = refused()
    sign_on_portal(wang_worker, sent)
    sign_on_portal(hui_hiring, sent, render=True)

    assert set(before) == {404}
    assert agreement_docs(sent, "agreement_signed").exists()
    assert set(refused()) == {404}
    assert not SigningCode.objects.filter(person=li_worker.person).exists()


@pytest.mark.parametrize("name", ["agreement", *POST_PAGES])
def test_anonymous_users_are_sent_to_log_in(client, sent, name):
    response = client.post(url(name, sent)) if name != "agreement" else client.get(url(name, sent))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# The page


def test_the_page_shows_the_particulars_the_full_text_and_its_hash(client, sent, wang_worker):
    status, page = page_of(client, wang_worker, url("agreement", sent))

    assert status == 200
    assert sent.final_text and escape(sent.final_text) in page
    assert sent.text_hash in page
    for fact in ("测试区物流园3号仓库", "300.00", "600.00", f"{sent.payment_date:%Y-%m-%d}"):
        assert fact in page
    assert url("agreement_code", sent) in page
    assert 'name="viewport" content="width=device-width' in page


def test_the_page_shows_no_full_id_number_or_the_other_sides_phone(client, sent, hui_hiring):
    _status, page = page_of(client, hui_hiring, url("agreement", sent))

    for secret in ("11010519491231002X", "13800138000"):
        assert secret not in page


def test_an_unverified_worker_is_sent_to_the_counter_and_gets_no_code(
    client, new_agreement, wang_worker, ask_code, enter_code
):
    agreement = new_agreement(S.SENT)  # nobody's identity was checked

    _status, page = page_of(client, wang_worker, url("agreement", agreement))
    asked = ask_code(wang_worker, agreement).content.decode()
    entered = enter_code(wang_worker, agreement, "123456")

    assert (
        shown(
            "Before you can sign, go to the market's counter with your ID card to have your "
            "identity checked."
        )
        in page
    )
    assert "测试区人民路1号" in page  # where the counter is
    assert url("agreement_code", agreement) not in page
    assert escape(services.party_status(agreement, Party.WORKER).problems[0]) in asked
    assert not SigningCode.objects.exists()
    assert entered.status_code == 200
    assert entered.context["sign_form"].errors
    assert not Signature.objects.exists()


# Signing


def test_both_parties_sign_on_the_portal(
    client, sent, wang_worker, hui_hiring, ask_code, enter_code, sign_on_portal
):
    asked = ask_code(wang_worker, sent).content.decode()
    code = last_code("13800138000")
    page = enter_code(wang_worker, sent, code).content.decode()
    sent.refresh_from_db()
    after_one = sent.state
    sign_on_portal(hui_hiring, sent)
    sent.refresh_from_db()

    assert "138****8000" in asked
    assert 'autocomplete="one-time-code"' in asked
    assert after_one == S.PARTLY_SIGNED
    assert (
        shown("You have signed. The agreement comes into force when the other party signs.") in page
    )
    assert sent.state == S.SIGNED
    worker_sig = sent.signatures.get(party=Party.WORKER)
    assert (worker_sig.channel, worker_sig.user, worker_sig.user_agent) == (
        Signature.Channel.PORTAL,
        wang_worker,
        IPHONE,
    )
    assert worker_sig.client_ip == "127.0.0.1"
    assert worker_sig.text_hash == sent.text_hash
    assert sent.signatures.get(party=Party.HIRING).user == hui_hiring


def test_a_double_click_signs_once_and_does_not_crash(
    client, sent, wang_worker, ask_code, enter_code
):
    ask_code(wang_worker, sent)
    code = last_code("13800138000")

    first = enter_code(wang_worker, sent, code)
    second = enter_code(wang_worker, sent, code)

    assert first.status_code == second.status_code == 200
    assert shown("You have signed this agreement.") in second.content.decode()
    assert Signature.objects.count() == 1
    assert refusals(sent) == 0


def test_the_hiring_party_signs_first_when_the_agreement_says_so(
    client, new_agreement, verified_parties, wang_worker, hui_hiring, ask_code, sign_on_portal
):
    agreement = new_agreement(S.SENT, hiring_party_first=True)

    _status, page = page_of(client, wang_worker, url("agreement", agreement))
    _status, home = page_of(client, wang_worker, reverse("portal:home"))
    asked = ask_code(wang_worker, agreement).content.decode()
    no_codes = not SigningCode.objects.exists()
    sign_on_portal(hui_hiring, agreement)
    sign_on_portal(wang_worker, agreement)
    agreement.refresh_from_db()

    assert (
        shown(
            "The hiring party signs first. You can sign as soon as they have; "
            "this page will show it."
        )
        in page
    )
    assert url("agreement_code", agreement) not in page
    assert shown("Waiting for the hiring party to sign first") in home
    assert shown("The hiring party must sign first.") in asked
    assert no_codes
    assert agreement.state == S.SIGNED
    assert list(agreement.signatures.values_list("party", flat=True)) == [
        Party.HIRING,
        Party.WORKER,
    ]


def test_a_code_that_is_not_six_digits_is_refused_by_the_form(
    client, sent, wang_worker, ask_code, enter_code
):
    ask_code(wang_worker, sent)

    response = enter_code(wang_worker, sent, "12a45")

    assert "code" in response.context["sign_form"].errors
    assert SigningCode.objects.get().attempts == 0  # never reached the service


def test_a_wrong_code_is_refused_and_the_attempt_counted(
    client, sent, wang_worker, ask_code, enter_code
):
    ask_code(wang_worker, sent)
    good = last_code("13800138000")
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"

    response = enter_code(wang_worker, sent, f"{wrong[:3]} {wrong[3:]}")

    assert response.status_code == 200
    assert response.context["sign_form"].errors["code"] == [_("The code is wrong.")]
    assert 'class="errorlist' in response.content.decode()
    assert SigningCode.objects.get().attempts == 1
    assert refusals(sent) == 1
    assert Agreement.objects.get().state == S.SENT


def test_an_expired_code_is_refused_and_the_attempt_counted(
    client, sent, wang_worker, ask_code, enter_code
):
    ask_code(wang_worker, sent)
    row = SigningCode.objects.get()
    code = last_code("13800138000")

    with time_machine.travel(row.expires_at + datetime.timedelta(seconds=1)):
        response = enter_code(wang_worker, sent, code)

    assert response.context["sign_form"].errors["code"] == [
        _("The code has expired: ask for a new one.")
    ]
    assert SigningCode.objects.get().attempts == 1
    assert refusals(sent) == 1
    assert not Signature.objects.exists()


def test_an_earlier_code_stops_working_when_a_new_one_is_sent(
    client, sent, wang_worker, ask_code, enter_code, settings, distinct_codes
):
    settings.AGREEMENT_CODE_RESEND_SECONDS = 0
    ask_code(wang_worker, sent)
    first = last_code("13800138000")
    ask_code(wang_worker, sent)
    second = last_code("13800138000")
    assert first != second

    response = enter_code(wang_worker, sent, first)

    assert response.context["sign_form"].errors["code"]
    latest = SigningCode.objects.first()
    assert latest.attempts == 1
    assert refusals(sent) == 1
    assert not Signature.objects.exists()


def test_a_code_asked_for_too_soon_again_is_refused_with_a_message(
    client, sent, wang_worker, ask_code
):
    ask_code(wang_worker, sent)

    again = ask_code(wang_worker, sent)

    assert SigningCode.objects.count() == 1
    assert 'class="error' in again.content.decode()


def test_too_many_wrong_codes_lock_the_code(
    client, sent, wang_worker, ask_code, enter_code, settings
):
    ask_code(wang_worker, sent)
    good = last_code("13800138000")
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"

    for _try in range(settings.AGREEMENT_CODE_ATTEMPTS):
        enter_code(wang_worker, sent, wrong)
    response = enter_code(wang_worker, sent, good)

    assert response.context["sign_form"].errors["code"] == [
        _("Too many wrong tries: ask for a new code.")
    ]
    assert refusals(sent) == settings.AGREEMENT_CODE_ATTEMPTS + 1
    assert not Signature.objects.exists()


def test_a_stale_page_cannot_sign_a_cancelled_agreement(
    client, sent, wang_worker, ask_code, enter_code, carol_caseworker
):
    ask_code(wang_worker, sent)
    code = last_code("13800138000")
    services.agreement_cancel(
        agreement=sent, actor=staff_actor(carol_caseworker), reason="用工方取消"
    )

    response = enter_code(wang_worker, sent, code)

    assert response.status_code == 200
    assert response.context["sign_form"].errors["code"]
    assert not Signature.objects.exists()


# The signed PDF


def test_the_signed_pdf_is_prepared_then_downloadable_by_the_worker(
    client, sent, wang_worker, hui_hiring, sign_on_portal
):
    assert get_kind("agreement_signed")
    sign_on_portal(wang_worker, sent)
    sign_on_portal(hui_hiring, sent)  # rendering waits for the commit
    signed = agreement_docs(sent, "agreement_signed").get()

    _status, pending_page = page_of(client, wang_worker, url("agreement", sent))
    for doc in agreement_docs(sent).filter(status=Document.Status.PENDING):
        render_now(doc)  # the signed PDF, and the draft sent earlier
    _status, ready_page = page_of(client, wang_worker, url("agreement", sent))
    _status, home = page_of(client, wang_worker, reverse("portal:home"))
    download = client.get(reverse("documents:download", args=[signed.pk]))

    assert shown("this page refreshes itself") in pending_page
    assert 'http-equiv="refresh"' in pending_page
    assert reverse("documents:download", args=[signed.pk]) in ready_page
    assert 'http-equiv="refresh"' not in ready_page
    assert shown("Download the signed PDF") in home
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


# Completion and pay


@pytest.fixture
def signed(new_agreement, verified_parties) -> Agreement:
    return new_agreement(S.SIGNED)


@pytest.fixture
def unpaid(client, new_agreement, verified_parties, wang_worker, mediation_body) -> Agreement:
    agreement = new_agreement(S.COMPLETED, **past_work())
    client.force_login(wang_worker)
    client.post(url("agreement_payment", agreement), {"answer": "unpaid"})
    agreement.refresh_from_db()
    return agreement


def test_the_hiring_party_marks_the_work_completed(client, signed, hui_hiring, wang_worker):
    _status, theirs = page_of(client, wang_worker, url("agreement", signed))
    _status, page = page_of(client, hui_hiring, url("agreement", signed))
    response = client.post(url("agreement_complete", signed))
    again = client.post(url("agreement_complete", signed), follow=True)
    signed.refresh_from_db()

    assert url("agreement_complete", signed) not in theirs
    assert url("agreement_complete", signed) in page
    assert response.url == url("agreement", signed)
    assert again.status_code == 200  # a second click explains instead of failing
    assert signed.state == S.COMPLETED
    assert signed.events.filter(action="complete").get().actor == hui_hiring


def test_the_hiring_party_cannot_mark_the_work_completed_before_its_first_day(
    client, new_agreement, verified_parties, hui_hiring
):
    start = timezone.localdate() + datetime.timedelta(days=3)
    agreement = new_agreement(S.SIGNED, start_date=start, end_date=start, payment_date=start)
    client.force_login(hui_hiring)
    response = client.post(url("agreement_complete", agreement), follow=True)
    agreement.refresh_from_db()

    assert response.status_code == 200
    assert agreement.state == S.SIGNED
    # The refusal names the first day, at the top of the agreement's page.
    assert str(start) in response.content.decode()
    assert [str(m) for m in response.context["messages"]] == [
        _("The work starts on %(date)s: it can be marked completed from that day on.")
        % {"date": start}
    ]


def test_the_worker_cannot_mark_the_work_completed_nor_the_hiring_party_report_pay(
    client, signed, new_agreement, wang_worker, hui_hiring
):
    client.force_login(wang_worker)
    completing = client.post(url("agreement_complete", signed))
    client.force_login(hui_hiring)
    reporting = client.post(url("agreement_payment", signed), {"answer": "paid"})

    assert (completing.status_code, reporting.status_code) == (403, 403)
    assert Agreement.objects.get().state == S.SIGNED


def test_the_worker_confirms_the_payment(client, new_agreement, verified_parties, wang_worker):
    agreement = new_agreement(S.COMPLETED)

    _status, home = page_of(client, wang_worker, reverse("portal:home"))
    _status, page = page_of(client, wang_worker, url("agreement", agreement))
    response = client.post(url("agreement_payment", agreement), {"answer": "paid"}, follow=True)
    agreement.refresh_from_db()

    assert shown("Confirm payment") in home
    assert url("agreement_payment", agreement) in page
    assert agreement.payment_status == PaymentStatus.PAID
    assert agreement.events.filter(action="payment_confirmed").count() == 1
    assert url("agreement_payment", agreement) not in response.content.decode()
    assert dispute_from(agreement) not in response.content.decode()


def test_unpaid_offers_one_action_a_wage_dispute(client, unpaid, wang_worker):
    _status, page = page_of(client, wang_worker, url("agreement", unpaid))
    _status, home = page_of(client, wang_worker, reverse("portal:home"))

    assert unpaid.payment_status == PaymentStatus.UNPAID
    assert escape(dispute_from(unpaid)) in page
    assert url("agreement_payment", unpaid) not in page
    assert escape(dispute_from(unpaid)) in home


def test_the_dispute_form_starts_filled_in_from_the_agreement(client, unpaid, wang_worker):
    status, page = page_of(client, wang_worker, dispute_from(unpaid))
    form = client.get(dispute_from(unpaid)).context["form"]

    assert status == 200
    assert "测试搬家服务有限公司" in page
    assert "org_credit_code" not in page  # the respondent is the agreement's hiring party
    assert unpaid.code in page
    assert 'value="600.00"' in page
    assert f'value="{unpaid.start_date:%Y-%m-%d}"' in page
    assert form.initial["market"] == unpaid.market
    assert unpaid.code in form.initial["matter"]


def filing_data(client, address: str) -> dict:
    """What the browser sends back for the prefilled form, unchanged."""
    response = client.get(address)
    form, claims = response.context["form"], response.context["claims"]
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
        if name != "evidence"
    }
    data["market"] = data["market"].pk if hasattr(data["market"], "pk") else data["market"]
    for key, value in claims.management_form.initial.items():
        data[f"claims-{key}"] = value
    for sub in claims.forms:
        for name in sub.fields:
            value = sub[name].value()
            data[sub.add_prefix(name)] = "" if value is None else value
    return data


def test_the_worker_files_the_prefilled_dispute_and_it_is_linked(
    client, unpaid, wang_worker, hui_hiring, hiring_org
):
    client.force_login(wang_worker)
    data = filing_data(client, dispute_from(unpaid))

    response = client.post(dispute_from(unpaid), data, follow=True)

    dispute = Dispute.objects.get()
    unpaid.refresh_from_db()
    assert response.redirect_chain == [(reverse("portal:dispute", args=[dispute.code]), 302)]
    assert dispute.source_agreement_code == unpaid.code
    assert dispute.channel == Channel.ONLINE
    assert dispute.respondent_organization == hiring_org
    assert list(dispute.applicants.all()) == [wang_worker.person]
    assert dispute.total_claimed == Decimal("600.00")
    claim = dispute.claims.get()
    assert (claim.period_start, claim.period_end) == (unpaid.start_date, unpaid.end_date)
    assert unpaid.dispute == dispute
    assert unpaid.events.filter(action="dispute_opened", note=dispute.code).count() == 1
    _status, page = page_of(client, wang_worker, url("agreement", unpaid))
    assert reverse("portal:dispute", args=[dispute.code]) in page
    _status, theirs = page_of(client, hui_hiring, reverse("portal:home"))
    assert dispute.code in theirs


def test_a_second_dispute_from_the_same_agreement_is_not_opened(client, unpaid, wang_worker):
    client.force_login(wang_worker)
    data = filing_data(client, dispute_from(unpaid))
    client.post(dispute_from(unpaid), data)

    again = client.get(dispute_from(unpaid))
    resent = client.post(dispute_from(unpaid), data)

    dispute = Dispute.objects.get()
    assert again.url == reverse("portal:dispute", args=[dispute.code])
    assert resent.url == reverse("portal:dispute", args=[dispute.code])


def test_the_dispute_form_from_an_agreement_is_only_for_its_worker_when_unpaid(
    client, new_agreement, verified_parties, unpaid, wang_worker, li_worker, hui_hiring
):
    signed = new_agreement(S.SIGNED)
    completed = new_agreement(S.COMPLETED)
    codes = []
    for user, agreement in (
        (li_worker, unpaid),  # not theirs
        (hui_hiring, unpaid),  # not the worker
        (wang_worker, signed),  # not completed
        (wang_worker, completed),  # pay not reported unpaid
    ):
        client.force_login(user)
        codes.append(client.get(dispute_from(agreement)).status_code)
    client.force_login(wang_worker)
    codes.append(
        client.get(f"{reverse('portal:dispute_new')}?agreement=GA-0000-000000").status_code
    )

    assert codes == [404, 403, 404, 404, 404]


def test_the_plain_dispute_form_is_unchanged(client, wang_worker, mediation_body):
    _status, page = page_of(client, wang_worker, reverse("portal:dispute_new"))

    assert 'name="org_credit_code"' in page
