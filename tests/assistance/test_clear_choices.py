"""No silent traps (issue 17): the post choice says which posts have places and which
would put the person on a waiting list; a disabled plan button says why."""

from django.urls import reverse
from django.utils import translation

from assistance import services
from assistance.forms import PostReferralForm
from assistance.models import AssistanceCase
from tests.assistance.fixtures import actor

S = AssistanceCase.State


def labels(case) -> list[str]:
    with translation.override("en"):
        field = PostReferralForm(case=case).fields["post"]
        return [str(label) for _value, label in field.choices][1:]


def test_the_post_choice_shows_free_places_and_the_waiting_list(
    new_case, make_post, carol_caseworker, applicant
):
    case = new_case(S.PLAN_ACTIVE)
    post = make_post(places=1)
    assert labels(case) == [f"{post}: 1 of 1 places free"]
    services.referral_to_post(case=case, post=post, actor=actor(carol_caseworker))
    assert labels(case) == [f"{post}: full, 0 on the waiting list (a referral waits)"]


def test_a_plan_that_cannot_start_yet_says_why(client, new_case, carol_caseworker):
    case = new_case(S.CERTIFIED)
    client.force_login(carol_caseworker)
    page = client.get(reverse("assistance:detail", args=[case.code])).content.decode()
    assert 'action="' + reverse("assistance:plan_start", args=[case.code]) in page
    assert 'disabled aria-describedby="plan-start-why"' in page and 'id="plan-start-why"' in page
