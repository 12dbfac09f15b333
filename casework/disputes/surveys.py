"""Who is asked about a wage dispute when its mediation ends (casework.surveys;
docs/surveys.md): every applicant, and the hiring party: an individual employer, or the
organisation's first handling person (经办人) on record, each with a mobile number."""

from django.utils.translation import gettext_lazy as _

from casework.disputes.models import Dispute
from casework.surveys.registry import Party, SurveyKind, register


def dispute_parties(dispute: Dispute) -> list[Party]:
    parties = [Party(person, person.mobile) for person in dispute.applicants.order_by("pk")]
    employer, organisation = dispute.respondent_person, dispute.respondent_organization
    if employer is not None:
        parties.append(Party(employer, employer.mobile))
    elif organisation is not None:
        agent = organisation.representatives.exclude(mobile="").order_by("pk").first()
        if agent is not None:
            parties.append(Party(agent, agent.mobile))
    return parties


register(
    SurveyKind(
        "disputes",
        Dispute,
        _("Wage dispute mediation"),
        _("Mediator"),
        parties=dispute_parties,
        detail_url="disputes:detail",
    )
)
