"""The demo's legal-aid centre and referrals (casework/legalaid/seed.py)."""

from io import StringIO

import pytest
from django.core.management import call_command

from casework.core.invariants import find_violations
from casework.core.models import Market
from casework.legalaid.models import LegalAidCentre, LegalAidReferral
from casework.legalaid.registry import source_of

S = LegalAidReferral.State


@pytest.fixture
def demo(seeded_demo, db) -> Market:
    return Market.objects.get(code="cd")


def test_the_demo_refers_workers_of_disputes_and_complaints(demo):
    assert LegalAidCentre.objects.filter(market=demo, active=True).exists()
    referrals = list(LegalAidReferral.objects.filter(market=demo))
    assert {source_of(r.subject).slug for r in referrals} == {"disputes", "complaints"}
    assert {r.state for r in referrals} == {S.REFERRED, S.CONCLUDED}
    for referral in referrals:
        assert referral.worker in source_of(referral.subject).workers(referral.subject)
        assert referral.subject.events.filter(action="legal_aid_referred").exists()
    codes = {r.subject.code for r in referrals}
    assert [v for v in find_violations() if v.case_code in codes] == []


def test_running_seed_demo_again_adds_no_referral(demo):
    before = LegalAidReferral.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert LegalAidReferral.objects.count() == before
