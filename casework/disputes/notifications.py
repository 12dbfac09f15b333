"""The wage disputes' text messages (casework.notifications; docs/notifications.md).

The texts are those the market registers with its SMS provider: Chinese, with the
parameters in the order given. Who gets them: the applicants (the workers) and, for
the steps both sides act on, the respondent (an organisation: its handling person).
The reminder of an instalment coming due goes to the respondent, who pays."""

from django.utils.translation import gettext_lazy as _

from casework.notifications.registry import Template, register
from casework.notifications.reminders import Due, register_deadlines, register_escalation

ACCEPTED = "dispute_accepted"
NOT_ACCEPTED = "dispute_not_accepted"
SESSION_SCHEDULED = "dispute_session_scheduled"
SETTLEMENT_READY = "dispute_settlement_ready"
EFFECTIVE = "dispute_agreement_effective"
INSTALMENT_DUE = "dispute_instalment_due"
PAYMENT_RECORDED = "dispute_payment_recorded"
REFERRED = "dispute_referred"

# The payer is reminded of an instalment this many days before it falls due.
INSTALMENT_REMIND_DAYS = 3

# What the applicant may do when the agreement is not performed (劳动争议调解仲裁法
# 第十五条, 第十六条), by referral.
REFERRAL_ADVICE = {
    "payment_order": "您可以依法持调解协议书向人民法院申请支付令。",
    "arbitration": "您可以依法向劳动人事争议仲裁委员会申请仲裁。",
}

register(
    Template(
        ACCEPTED,
        _("Wage dispute accepted"),
        "您的劳动争议调解申请（{code}）已于{date}受理，我们将组织调解，调解期限至{due}。",
        params=("code", "date", "due"),
    ),
    Template(
        NOT_ACCEPTED,
        _("Wage dispute not accepted"),
        "您的劳动争议调解申请（{code}）不予受理，原因：{reason}。",
        params=("code", "reason"),
    ),
    Template(
        SESSION_SCHEDULED,
        _("Wage dispute: mediation session scheduled"),
        "劳动争议（{code}）定于{date}{time}在{place}进行调解，请准时参加；不能参加的请提前联系调解员。",
        params=("code", "date", "time", "place"),
    ),
    Template(
        SETTLEMENT_READY,
        _("Wage dispute: mediation agreement ready to sign"),
        "劳动争议（{code}）已达成调解协议，约定金额{amount}元。调解协议书经双方签字或盖章、"
        "调解员签名并加盖调解组织印章后生效，请按调解员通知签署。",
        params=("code", "amount"),
    ),
    Template(
        EFFECTIVE,
        _("Wage dispute: mediation agreement effective"),
        "劳动争议（{code}）调解协议书已于{date}生效，约定金额{amount}元，请按协议履行。",
        params=("code", "date", "amount"),
    ),
    Template(
        INSTALMENT_DUE,
        _("Wage dispute: instalment due soon"),
        "按调解协议（{code}），第{seq}期款项{amount}元应于{due}前支付，请按时履行。",
        params=("code", "seq", "amount", "due"),
    ),
    Template(
        PAYMENT_RECORDED,
        _("Wage dispute: payment recorded"),
        "劳动争议（{code}）已登记付款{amount}元（第{seq}期，{paid_on}），尚欠{left}元。",
        params=("code", "amount", "seq", "paid_on", "left"),
    ),
    Template(
        REFERRED,
        _("Wage dispute: agreement not performed"),
        "劳动争议（{code}）的调解协议未按期履行。{advice}",
        params=("code", "advice"),
    ),
)


def _due_soon(today, until):
    """Held disputes whose mediation deadline falls from today to ``until``."""
    from casework.disputes.models import Dispute

    held = Dispute.objects.filter(
        state__in=Dispute.CLOCK_STATES,
        owner__isnull=False,
        due_date__gte=today,
        due_date__lte=until,
    ).select_related("market", "owner__staff_profile")
    for dispute in held:
        yield Due(dispute, dispute.owner, dispute.due_date, "调解期限")


register_deadlines(_due_soon)
# sweep_deadlines() records this when the mediation deadline is reached.
register_escalation("escalated")
