"""The API's foundation: sign-in by code, tokens, my cases, the error format, system keys."""

import datetime

from django.utils import timezone

from casework.api.models import PartyToken, SystemCall, SystemKey
from casework.disputes.models import Dispute
from tests.api.conftest import ApiClient, last_code, party, sign_in, system

S = Dispute.State
WANG = "13800138000"


def test_a_worker_signs_in_by_code_and_sees_their_cases(wang_worker, new_dispute):
    dispute = new_dispute()
    pair = sign_in(WANG)
    me = ApiClient(token=pair["access_token"])
    response = me.get("/me/cases")
    assert response.status_code == 200, response.content
    cases = response.json()["cases"]
    assert [(c["workflow"], c["code"]) for c in cases] == [("disputes", dispute.code)]
    assert cases[0]["progress"] and cases[0]["state"] == S.RECEIVED
    detail = me.get(f"/me/cases/disputes/{dispute.code}")
    assert detail.status_code == 200 and detail.json()["code"] == dispute.code


def test_another_party_s_case_is_404(li_worker, new_dispute):
    dispute = new_dispute()
    response = party(li_worker).get(f"/me/cases/disputes/{dispute.code}")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found" and error["status"] == 404 and error["message"]


def test_errors_are_chinese_unless_english_is_asked_for(db):
    chinese = ApiClient().get("/me/cases").json()["error"]
    english = ApiClient(language="en").get("/me/cases").json()["error"]
    assert chinese["code"] == english["code"] == "not_authenticated"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["message"])
    assert english["message"].startswith("Sign in first")


def test_an_unregistered_number_gets_no_token(db):
    anonymous = ApiClient()
    assert anonymous.post("/auth/code", {"mobile": "13611112222"}).status_code == 202
    response = anonymous.post(
        "/auth/token", {"mobile": "13611112222", "code": last_code("13611112222")}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_registered"


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_sign_in(wang_worker):
    pair = sign_in(WANG)
    anonymous = ApiClient()
    second = anonymous.post("/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert second.status_code == 200
    assert ApiClient(token=pair["access_token"]).get("/me").status_code == 401
    assert ApiClient(token=second.json()["access_token"]).get("/me").status_code == 200
    again = anonymous.post("/auth/refresh", {"refresh_token": pair["refresh_token"]})
    assert again.status_code == 401
    # The copy was used: the whole family is over, the new pair too.
    assert ApiClient(token=second.json()["access_token"]).get("/me").status_code == 401


def test_revoke_signs_out_and_an_expired_token_is_refused(wang_worker):
    pair = sign_in(WANG)
    assert ApiClient().post("/auth/revoke", {"token": pair["refresh_token"]}).status_code == 200
    assert ApiClient(token=pair["access_token"]).get("/me").status_code == 401
    other = sign_in(WANG)
    PartyToken.objects.filter(kind="access").update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert ApiClient(token=other["access_token"]).get("/me").status_code == 401


def test_a_staff_login_gets_no_party_token(alice_mediator):
    from casework.api import tokens

    secret = tokens.issue(alice_mediator).access_token
    assert ApiClient(token=secret).get("/me").status_code == 401


def test_a_system_key_reads_its_market_only_and_no_id_numbers_without_the_scope(
    new_dispute, market, other_market
):
    dispute = new_dispute()
    mine = system([market])
    record = mine.get(f"/system/cases/disputes/{dispute.code}")
    assert record.status_code == 200, record.content
    parties = record.json()["parties"]
    assert {p["kind"] for p in parties} == {"person", "organisation"}
    assert all(p.get("id_number") is None for p in parties if p["kind"] == "person")
    assert system([other_market]).get(f"/system/cases/disputes/{dispute.code}").status_code == 404
    personal = system([market], scopes=("cases", "personal"))
    people = [
        p
        for p in personal.get(f"/system/cases/disputes/{dispute.code}").json()["parties"]
        if p["kind"] == "person"
    ]
    assert people and all(p["id_number"] for p in people)
    assert SystemCall.objects.filter(status=404).count() == 1
    assert SystemCall.objects.filter(status=200, personal=True).count() == 1


def test_sync_pages_through_every_change_once(new_dispute, market):
    codes = {new_dispute().code for _ in range(5)}
    client = system([market])
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/system/cases/disputes", **params).json()
        seen += [r["code"] for r in page["results"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert sorted(seen) == sorted(codes)
    assert client.get("/system/cases/disputes", cursor=cursor).json()["results"] == []


def test_statistics_need_their_scope(market):
    assert system([market]).get("/system/statistics").status_code == 403
    stats = system([market], scopes=("statistics",)).get("/system/statistics", period="2026-11")
    assert stats.status_code == 200, stats.content
    assert {s["workflow"] for s in stats.json()["statistics"]} >= {"disputes", "complaints"}


def test_a_revoked_key_is_refused(market):
    from casework.api import tokens

    key, secret = tokens.key_create(name="x", markets=[market], scopes=["cases"])
    tokens.key_revoke(key)
    assert ApiClient(key=secret).get("/system/cases/disputes").status_code == 401
    assert SystemKey.objects.get(pk=key.pk).revoked_at is not None


def test_each_caller_has_its_own_rate_limit(settings, wang_worker, li_worker):
    settings.API_RATE_PARTY = "2/min"
    wang, li = party(wang_worker), party(li_worker)
    assert [wang.get("/me").status_code for _ in range(2)] == [200, 200]
    refused = wang.get("/me")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert li.get("/me").status_code == 200  # another caller's count
