"""What a party should do next on an agreement, in plain words: one rule for the portal's
pages (which link each step to where it is done) and the API (which names it)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from agreements.models import Agreement, Party, PaymentStatus

A = Agreement.State


@dataclass(frozen=True)
class NextStep:
    # sign, wait, wait_first, download, complete, confirm_payment, open_dispute, see_dispute
    action: str
    label: str


def _signing(agreement: Agreement, party: str) -> list[NextStep]:
    if party in agreement.signed_parties():
        return [NextStep("wait", _("Waiting for the other party to sign"))]
    if agreement.may_sign_now(party):
        return [NextStep("sign", _("Sign now"))]
    return [NextStep("wait_first", _("Waiting for the hiring party to sign first"))]


def _payment(agreement: Agreement) -> list[NextStep]:
    if agreement.dispute_id:
        return [NextStep("see_dispute", _("See the wage dispute"))]
    if agreement.payment_status == PaymentStatus.UNPAID:
        return [NextStep("open_dispute", _("Open a wage dispute"))]
    if not agreement.payment_status:
        return [NextStep("confirm_payment", _("Confirm payment"))]
    return []


def next_steps(agreement: Agreement, party: str | None) -> list[NextStep]:
    if party is None:
        return []
    if agreement.state in Agreement.SIGNING_STATES:
        return _signing(agreement, party)
    if agreement.state == A.SIGNED:
        steps = [NextStep("download", _("Download the signed PDF"))]
        if party == Party.HIRING:
            steps.append(NextStep("complete", _("Mark the work completed")))
        return steps
    if agreement.state == A.COMPLETED and party == Party.WORKER:
        return _payment(agreement)
    return []
