"""Which disputes may be referred to legal aid (casework.legalaid; docs/domain.md,
"Legal aid"): a dispute that has been looked at and is not over for the worker; its
applicants are the workers; a claim of unpaid wages goes through the green channel, and
so does a claim of work-injury medical costs."""

from django.utils.translation import gettext_lazy as _

from casework.disputes.access import disputes_visible_to
from casework.disputes.models import ClaimType, Dispute
from casework.legalaid.models import Ground
from casework.legalaid.registry import Source, register

S = Dispute.State
# Mediation under way, failed or not performed: the worker may need a lawyer for
# arbitration or court. Not before acceptance, nor once the matter is settled or paid.
REFERABLE = (
    S.ACCEPTED,
    S.IN_MEDIATION,
    S.SETTLED,
    S.DEFAULTED,
    S.NOT_ACCEPTED,
    S.TERMINATED,
    S.REFERRED,
)
GREEN = {ClaimType.UNPAID_WAGES: Ground.WAGES, ClaimType.INJURY_MEDICAL: Ground.WORK_INJURY}


def dispute_workers(dispute: Dispute) -> list:
    return list(dispute.applicants.all())


def dispute_grounds(dispute: Dispute) -> tuple[str, ...]:
    claimed = set(dispute.claims.values_list("claim_type", flat=True))
    return tuple(ground for claim, ground in GREEN.items() if claim in claimed)


def dispute_matter(dispute: Dispute) -> str:
    return dispute.matter


register(
    Source(
        "disputes",
        Dispute,
        _("Wage dispute"),
        "劳动争议调解案件",
        states=REFERABLE,
        workers=dispute_workers,
        grounds=dispute_grounds,
        matter=dispute_matter,
        permissions=("disputes.mediate_dispute", "disputes.accept_dispute"),
        visible_to=disputes_visible_to,
        detail_url="disputes:detail",
    )
)
