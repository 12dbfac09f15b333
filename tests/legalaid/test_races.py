"""Legal-aid referrals at the same moment, on PostgreSQL (casework/legalaid/services.py).

Each step locks the source case's row, then the referral's, and checks on the locked
copies (casework.core.locking), so two requests for one step run one after the other:

- two referrals of the same worker on the same dispute at once: one open referral, the
  other refused (the worker already has one), one letter, one event;
- the centre's answer recorded twice at once (accepted in one tab, declined in the
  other): one answer, one event; the same for the outcome.

Without the lock both referrals would find no open one and both be created, each with
its letter; both answers would be written, the last one winning over an event that says
otherwise.
"""

import pytest
from django.conf import settings
from django.utils import timezone

from casework.disputes.models import Dispute
from casework.documents.models import Document
from casework.legalaid import services
from casework.legalaid.models import Ground, LegalAidReferral, Result
from tests.disputes.fixtures import actor
from tests.invariants import assert_invariants
from tests.races import at_once

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
ROUNDS = 3
S = LegalAidReferral.State

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not ON_POSTGRES, reason="SQLite has no row locks; runs in make test-services"
    ),
]


def _one_done(results: list[str]) -> int:
    """The index of the step that won; the other was refused with a message."""
    assert results.count("done") == 1, results
    assert all(r for r in results), results
    return results.index("done")


def _actions(dispute: Dispute, prefix: str = "legal_aid_") -> list[str]:
    events = Dispute.objects.get(pk=dispute.pk).events.order_by("seq")
    return [e.action for e in events if e.action.startswith(prefix)]


def _referral(dispute, worker, centre, by, ground) -> None:
    services.referral_make(
        case=Dispute.objects.get(pk=dispute.pk),  # each request its own stale copy
        worker=worker,
        centre=centre,
        ground=ground,
        summary="追索劳动报酬",
        actor=actor(by),
    )


def test_two_referrals_of_one_worker_at_once_give_one_open_referral(
    new_dispute, alice_mediator, wang_worker, centre
):
    wang = wang_worker.person
    for _ in range(ROUNDS):
        dispute = new_dispute(Dispute.State.TERMINATED)

        results = at_once(
            lambda d=dispute: _referral(d, wang, centre, alice_mediator, Ground.WAGES),
            lambda d=dispute: _referral(d, wang, centre, alice_mediator, Ground.HARDSHIP),
        )

        winner = _one_done(results)
        referral = services.referrals_of(dispute).get()
        assert (referral.worker, referral.state) == (wang, S.REFERRED)
        assert referral.ground == (Ground.WAGES, Ground.HARDSHIP)[winner]
        assert Document.objects.for_subject(referral).count() == 1  # one letter
        assert _actions(dispute) == ["legal_aid_referred"]
    assert_invariants()


def test_the_answer_and_the_outcome_recorded_twice_at_once_are_recorded_once(
    new_dispute, alice_mediator, wang_worker, centre
):
    me = actor(alice_mediator)
    today = timezone.localdate()
    for _ in range(ROUNDS):
        dispute = new_dispute(Dispute.State.TERMINATED)
        _referral(dispute, wang_worker.person, centre, alice_mediator, Ground.WAGES)
        referral = services.referrals_of(dispute).get()

        results = at_once(
            lambda r=referral: services.referral_answer(
                referral=r, accepted=True, answered_on=today,
                centre_reference="测法援〔2026〕88号", actor=me,
            ),
            lambda r=referral: services.referral_answer(
                referral=r, accepted=False, answered_on=today,
                decline_reason="不属于本中心管辖", actor=me,
            ),
        )  # fmt: skip

        accepted = _one_done(results) == 0
        referral = LegalAidReferral.objects.get(pk=referral.pk)
        assert referral.state == (S.ACCEPTED if accepted else S.DECLINED)
        assert bool(referral.centre_reference) == accepted
        assert bool(referral.decline_reason) != accepted
        answer = "legal_aid_accepted" if accepted else "legal_aid_declined"
        assert _actions(dispute) == ["legal_aid_referred", answer]
        if not accepted:  # a declined referral is closed: refer again, accepted this time
            _referral(dispute, wang_worker.person, centre, alice_mediator, Ground.WAGES)
            referral = services.referrals_of(dispute).get(state=S.REFERRED)
            referral = services.referral_answer(
                referral=referral, accepted=True, answered_on=today, actor=me
            )

        results = at_once(
            *(
                lambda r=referral, result=result: services.referral_outcome(
                    referral=r, concluded_on=today, result=result, actor=me
                )
                for result in (Result.WON, Result.SETTLED)
            )
        )

        won = _one_done(results) == 0
        referral = LegalAidReferral.objects.get(pk=referral.pk)
        assert referral.state == S.CONCLUDED
        assert referral.result == (Result.WON if won else Result.SETTLED)
        assert _actions(dispute)[-1:] == ["legal_aid_concluded"]
        assert _actions(dispute).count("legal_aid_concluded") == 1
    assert_invariants()
