"""Who is asked about a hardship assistance case when it closes (casework.surveys;
docs/surveys.md): the person assisted."""

from django.utils.translation import gettext_lazy as _

from assistance.models import AssistanceCase
from casework.surveys.registry import Party, SurveyKind, register


def case_parties(case: AssistanceCase) -> list[Party]:
    return [Party(case.person, case.person.mobile)]


register(
    SurveyKind(
        "assistance",
        AssistanceCase,
        _("Hardship assistance"),
        _("Caseworker"),
        parties=case_parties,
        detail_url="assistance:detail",
    )
)
