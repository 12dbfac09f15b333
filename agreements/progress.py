"""The progress of a gig agreement for its parties (办件进度, casework.core.portal).

Steps: sent for signing, each party's signature (the agreement is in force when both
have signed, by ``sign_deadline``), the work done (by the agreement's last day of
work), and the pay (by its payment date), confirmed by the worker.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Party, PaymentStatus
from casework.core import portal as registry

A = Agreement.State

ENDS = {
    A.TERMINATED: _("Agreement terminated"),
    A.EXPIRED: _("Not signed in time"),
    A.CANCELLED: _("Agreement cancelled"),
    A.SUPERSEDED: _("Replaced by a changed agreement"),
}


def _local_day(moment):
    return timezone.localdate(moment) if moment is not None else None


def agreement_progress(agreement: Agreement) -> registry.Progress:
    signatures = {s.party: s for s in agreement.signatures.all()}
    hiring, worker = signatures.get(Party.HIRING), signatures.get(Party.WORKER)
    first = (Party.HIRING, Party.WORKER)
    if not agreement.hiring_party_first and worker and not hiring:
        first = (Party.WORKER, Party.HIRING)
    labels = {
        Party.HIRING: _("Signed by the hiring party"),
        Party.WORKER: _("Signed by the worker"),
    }
    steps = [
        registry.Step(
            _("Sent for signing"), done=agreement.sent_at is not None, when=agreement.sent_at
        ),
        *(
            registry.Step(
                labels[party],
                done=party in signatures,
                when=signatures[party].signed_at if party in signatures else None,
            )
            for party in first
        ),
        registry.Step(
            _("Work completed"),
            done=agreement.completed_at is not None,
            when=agreement.completed_at,
        ),
    ]
    if agreement.payment_status == PaymentStatus.UNPAID:
        steps.append(
            registry.Step(
                _("Reported unpaid by the worker"), done=True, when=agreement.payment_reported_at
            )
        )
    else:
        steps.append(
            registry.Step(
                _("Pay received"),
                done=bool(agreement.payment_status),
                when=agreement.payment_reported_at,
            )
        )
    if agreement.state in ENDS:
        steps = [s for s in steps if s.done]
        steps.append(registry.Step(ENDS[agreement.state], done=True, when=agreement.ended_at))
    elif agreement.state in Agreement.SIGNING_STATES:
        steps = registry.with_next(steps, due=_local_day(agreement.sign_deadline))
    elif agreement.state == A.SIGNED:
        steps = registry.with_next(steps, due=agreement.end_date)
    elif agreement.state == A.COMPLETED and not agreement.payment_status:
        steps = registry.with_next(steps, due=agreement.payment_date)
    return registry.Progress(steps)


registry.register_progress(Agreement, agreement_progress)
