"""Legal-aid referrals (casework.legalaid; docs/domain.md, "Legal aid"): a dispute's
worker referred, accepted, concluded, the letter's text and the indicator; a complaint's
named complainant referred; the refusals and who may do what."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from casework.core.models import Market
from casework.disputes import services as dispute_services
from casework.disputes.models import ClaimType, Dispute
from casework.documents.models import Document
from casework.legalaid import services
from casework.legalaid.models import Ground, LegalAidReferral, Result
from casework.legalaid.reports import LegalAidReport
from casework.reports.periods import current_month
from tests.conftest import WANG_ID
from tests.disputes.fixtures import actor
from tests.documents.conftest import pdftotext, render_now, squeeze

S = LegalAidReferral.State
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def refer_url(case, workflow="disputes") -> str:
    return reverse("legalaid:refer", args=[workflow, case.code])


def refer_data(worker, centre, ground=Ground.WAGES, **extra) -> dict:
    return {
        "worker": worker.pk,
        "centre": centre.pk,
        "ground": ground,
        "summary": "申请人在仓库搬运12天，工资3200元至今未付，调解未成，需申请仲裁。",
        **extra,
    }


def refer(case, worker, centre, by, ground=Ground.WAGES) -> LegalAidReferral:
    return services.referral_make(
        case=case,
        worker=worker,
        centre=centre,
        ground=ground,
        summary="追索劳动报酬",
        actor=actor(by),
    )


def letter_text(referral, tmp_path) -> str:
    doc = Document.objects.for_subject(referral).get()
    doc = render_now(doc)
    assert doc.status == Document.Status.READY, doc.error
    with doc.file.open("rb") as f:
        return squeeze(pdftotext(f.read(), tmp_path))


def test_dispute_referral_end_to_end(
    client, new_dispute, alice_mediator, wang_worker, centre, market, tmp_path
):
    dispute = new_dispute("terminated")
    wang = wang_worker.person
    client.force_login(alice_mediator)

    page = client.get(reverse("disputes:detail", args=[dispute.code]))
    assert refer_url(dispute).encode() in page.content
    form = client.get(refer_url(dispute))
    assert form.status_code == 200
    response = client.post(refer_url(dispute), refer_data(wang, centre))
    assert response.status_code == 302
    assert response["Location"] == reverse("disputes:detail", args=[dispute.code])

    referral = LegalAidReferral.objects.for_subject(dispute).get()
    assert (referral.worker, referral.centre, referral.ground) == (wang, centre, Ground.WAGES)
    assert referral.state == S.REFERRED and referral.market == market

    answered = (NOW + datetime.timedelta(days=2)).date()
    concluded = (NOW + datetime.timedelta(days=30)).date()
    with time_machine.travel(NOW + datetime.timedelta(days=2), tick=False):
        client.force_login(alice_mediator)  # the first session has expired by now
        response = client.post(
            reverse("legalaid:answer", args=[referral.pk]),
            {
                "accepted": "yes",
                "answered_on": answered.isoformat(),
                "centre_reference": "测法援〔2026〕88号",
            },
        )
        assert response["Location"] == reverse("disputes:detail", args=[dispute.code])
    with time_machine.travel(NOW + datetime.timedelta(days=30), tick=False):
        client.force_login(alice_mediator)
        response = client.post(
            reverse("legalaid:outcome", args=[referral.pk]),
            {
                "concluded_on": concluded.isoformat(),
                "result": Result.WON,
                "result_note": "仲裁裁决支持全部请求",
            },
        )
        assert response["Location"] == reverse("disputes:detail", args=[dispute.code])
    referral = LegalAidReferral.objects.get(pk=referral.pk)
    assert referral.state == S.CONCLUDED
    assert (referral.answered_on, referral.centre_reference) == (answered, "测法援〔2026〕88号")
    assert (referral.concluded_on, referral.result) == (concluded, Result.WON)

    # Each step is on the case's own trail; the case's state and holder are untouched.
    actions = [e.action for e in Dispute.objects.get(pk=dispute.pk).events]
    assert actions[-3:] == ["legal_aid_referred", "legal_aid_accepted", "legal_aid_concluded"]
    assert Dispute.objects.get(pk=dispute.pk).state == Dispute.State.TERMINATED

    text = letter_text(referral, tmp_path)
    for needle in (
        "法律援助转介函",
        "测试区法律援助中心",
        "测试区人民路88号公共法律服务中心一楼",
        "0571-12348",
        "工作日9:00–17:00",
        "王小明",
        "110105********002X",
        dispute.code,
        "拖欠搬运工资",
        "请求支付劳动报酬",
        "免予经济困难审查",
        "居民身份证原件及复印件",
        market.name,
        market.hotline,
    ):
        assert needle in text, needle
    assert WANG_ID not in text
    assert "经济困难状况的说明" not in text

    with time_machine.travel(NOW + datetime.timedelta(days=31), tick=False):
        got = LegalAidReport().figures(
            Market.objects.filter(pk=market.pk), current_month(NOW.date()), variants={}
        )
    assert got == {"referred": 1, "accepted": 1, "declined": 0, "concluded": 1, "green_share": 100}


def test_the_case_page_shows_the_referral_and_its_letter(
    client, new_dispute, alice_mediator, wang_worker, centre
):
    dispute = new_dispute("in_mediation")
    referral = refer(dispute, wang_worker.person, centre, alice_mediator)
    client.force_login(alice_mediator)
    with translation.override("en"):
        page = client.get(
            reverse("disputes:detail", args=[dispute.code]), HTTP_ACCEPT_LANGUAGE="en"
        )
    body = page.content.decode()
    assert centre.name in body
    assert reverse("legalaid:answer", args=[referral.pk]) in body
    letter = Document.objects.for_subject(referral).get()
    assert reverse("documents:detail", args=[letter.pk]) in body
    assert "转介法律援助" in body  # the case history names the step


def test_a_case_not_open_to_referral_sends_staff_back(client, new_dispute, alice_mediator, centre):
    dispute = new_dispute("received")
    client.force_login(alice_mediator)
    page = client.get(reverse("disputes:detail", args=[dispute.code])).content.decode()
    assert refer_url(dispute) not in page
    response = client.get(refer_url(dispute))
    assert response["Location"] == reverse("disputes:detail", args=[dispute.code])


def test_a_complaint_referral_checks_hardship(
    client, make_complaint, olga_officer, wang_worker, centre, tmp_path
):
    complaint = make_complaint(
        "investigating", complainant=wang_worker.person, anonymous=False, channel="portal"
    )
    client.force_login(olga_officer)
    url = refer_url(complaint, "complaints")
    page = client.get(reverse("complaints:detail", args=[complaint.code])).content.decode()
    assert url in page
    # No wage claim against an intermediary: the green channel is not offered.
    refused = client.post(url, refer_data(wang_worker.person, centre, Ground.WAGES))
    assert refused.status_code == 200
    assert not LegalAidReferral.objects.exists()
    response = client.post(url, refer_data(wang_worker.person, centre, Ground.HARDSHIP))
    assert response["Location"] == reverse("complaints:detail", args=[complaint.code])
    referral = LegalAidReferral.objects.for_subject(complaint).get()
    assert referral.ground == Ground.HARDSHIP
    text = letter_text(referral, tmp_path)
    assert complaint.code in text and "向劳动者收取押金" in text
    assert "经济困难状况的说明" in text and "免予经济困难审查" not in text


def test_an_anonymous_complaint_has_nobody_to_refer(
    make_complaint, olga_officer, centre, wang_worker
):
    complaint = make_complaint("investigating")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        refer(complaint, wang_worker.person, centre, olga_officer, Ground.HARDSHIP)
    assert "party" in str(refused.value)


def test_refusals(new_dispute, alice_mediator, wang_worker, li_worker, centre, other_centre):
    wang = wang_worker.person
    with translation.override("en"):
        received = new_dispute("received")
        with pytest.raises(ValidationError, match="cannot be referred"):
            refer(received, wang, centre, alice_mediator)
        dispute = new_dispute("terminated")
        with pytest.raises(ValidationError, match="worker who is a party"):
            refer(dispute, li_worker.person, centre, alice_mediator)
        with pytest.raises(ValidationError, match="active centre"):
            refer(dispute, wang, other_centre, alice_mediator)
        referral = refer(dispute, wang, centre, alice_mediator)
        with pytest.raises(ValidationError, match="already has an open"):
            refer(dispute, wang, centre, alice_mediator)
        me = actor(alice_mediator)
        today = timezone.localdate()
        with pytest.raises(ValidationError, match="future"):
            services.referral_answer(
                referral=referral,
                accepted=True,
                answered_on=today + datetime.timedelta(days=1),
                actor=me,
            )
        with pytest.raises(ValidationError, match="precede the referral"):
            services.referral_answer(
                referral=referral,
                accepted=True,
                answered_on=today - datetime.timedelta(days=1),
                actor=me,
            )
        with pytest.raises(ValidationError, match="once the centre has accepted"):
            services.referral_outcome(
                referral=referral, concluded_on=today, result=Result.OTHER, actor=me
            )
        with pytest.raises(ValidationError, match="reason"):
            services.referral_answer(referral=referral, accepted=False, answered_on=today, actor=me)
        services.referral_answer(
            referral=referral,
            accepted=False,
            answered_on=today,
            decline_reason="不属于本中心管辖",
            actor=me,
        )
        with pytest.raises(ValidationError, match="already been recorded"):
            services.referral_answer(referral=referral, accepted=True, answered_on=today, actor=me)
    # A declined referral is no longer open: the worker may be referred again.
    assert refer(dispute, wang, centre, alice_mediator).state == S.REFERRED


def test_a_dispute_without_a_wage_claim_gets_the_hardship_check(
    new_dispute, alice_mediator, wang_worker, centre
):
    claims = [dispute_services.Claim(ClaimType.SEVERANCE, "5000.00")]
    dispute = new_dispute("in_mediation", claims=claims)
    with translation.override("en"), pytest.raises(ValidationError, match="ground"):
        refer(dispute, wang_worker.person, centre, alice_mediator, Ground.WAGES)
    assert (
        refer(dispute, wang_worker.person, centre, alice_mediator, Ground.HARDSHIP).ground
        == Ground.HARDSHIP
    )


def test_an_outcome_date_before_the_acceptance_is_refused(
    client, new_dispute, alice_mediator, wang_worker, centre
):
    dispute = new_dispute("terminated")
    referral = refer(dispute, wang_worker.person, centre, alice_mediator)
    today = timezone.localdate()
    services.referral_answer(
        referral=referral, accepted=True, answered_on=today, actor=actor(alice_mediator)
    )
    client.force_login(alice_mediator)
    url = reverse("legalaid:outcome", args=[referral.pk])
    with translation.override("en"):
        future = client.post(
            url,
            {"concluded_on": (today + datetime.timedelta(days=1)).isoformat(), "result": "won"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert future.status_code == 200
    assert LegalAidReferral.objects.get(pk=referral.pk).state == S.ACCEPTED


def test_who_may_see_and_act(
    client,
    new_dispute,
    alice_mediator,
    audrey_auditor,
    carol_caseworker,
    oscar_outsider,
    sam_supervisor,
    wang_worker,
    li_worker,
    centre,
):
    dispute = new_dispute("terminated")
    referral = refer(dispute, wang_worker.person, centre, alice_mediator)
    letter = render_now(Document.objects.for_subject(referral).get())
    answer = reverse("legalaid:answer", args=[referral.pk])
    expected = {
        alice_mediator: (200, 200, 200),
        sam_supervisor: (200, 200, 200),
        audrey_auditor: (200, 403, 200),  # reads, never records
        carol_caseworker: (403, 404, 404),  # no disputes at all
        oscar_outsider: (200, 404, 404),  # another market: nothing of this one
    }
    for user, (listing, answering, reading) in expected.items():
        client.force_login(user)
        assert client.get(reverse("legalaid:list")).status_code == listing, user
        assert client.get(answer).status_code == answering, user
        assert client.get(reverse("documents:download", args=[letter.pk])).status_code == reading, (
            user
        )
    client.force_login(audrey_auditor)
    assert client.get(refer_url(dispute)).status_code == 403
    client.force_login(oscar_outsider)
    assert client.get(refer_url(dispute)).status_code == 404
    assert dispute.code not in client.get(reverse("legalaid:list")).content.decode()
    # The worker downloads his own letter in the portal; another worker cannot.
    client.force_login(wang_worker)
    assert client.get(reverse("documents:download", args=[letter.pk])).status_code == 200
    client.force_login(li_worker)
    assert client.get(reverse("documents:download", args=[letter.pk])).status_code == 404


def test_the_list_filters_by_state(client, new_dispute, alice_mediator, wang_worker, centre):
    first = refer(new_dispute("terminated"), wang_worker.person, centre, alice_mediator)
    second = refer(new_dispute("in_mediation"), wang_worker.person, centre, alice_mediator)
    services.referral_answer(
        referral=second,
        accepted=True,
        answered_on=timezone.localdate(),
        actor=actor(alice_mediator),
    )
    client.force_login(alice_mediator)
    listed = client.get(reverse("legalaid:list"), {"state": "accepted"}).content.decode()
    assert second.subject.code in listed and first.subject.code not in listed
    everything = client.get(reverse("legalaid:list")).content.decode()
    assert second.subject.code in everything and first.subject.code in everything


def test_the_worker_finds_the_letter_on_the_portal_home(
    client, new_dispute, alice_mediator, wang_worker, li_worker, centre
):
    referral = refer(new_dispute("terminated"), wang_worker.person, centre, alice_mediator)
    letter = render_now(Document.objects.for_subject(referral).get())
    download = reverse("documents:download", args=[letter.pk])
    client.force_login(wang_worker)
    home = client.get(reverse("portal:home")).content.decode()
    assert centre.name in home and centre.address in home and download in home
    client.force_login(li_worker)
    assert centre.name not in client.get(reverse("portal:home")).content.decode()


def test_the_home_page_counts_the_referrals_waiting_for_an_answer(
    client, new_dispute, alice_mediator, wang_worker, centre
):
    refer(new_dispute("terminated"), wang_worker.person, centre, alice_mediator)
    client.force_login(alice_mediator)
    with translation.override("en"):
        home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "待法律援助机构答复的转介" in home
    assert reverse("legalaid:list") + "?state=referred" in home
