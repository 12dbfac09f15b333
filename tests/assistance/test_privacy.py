"""Disability and 低保 details (个人信息保护法 Art. 28) on the staff pages.

Only caseworkers and supervisors of the case's market see them, each page view
that shows them writes exactly one access-log row, and nobody else sees them,
nor the categories they match, anywhere the assistance pages render.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from assistance.models import AssistanceCase
from casework.core.models import AccessLog

S = AssistanceCase.State

CERTIFICATE_NO = "33010219820615002441"
DISABILITY_LEVEL = "肢体三级"
DIBAO_REFERENCE = "DB-2026-0042"
SENSITIVE = {
    "disability_certificate": True,
    "disability_certificate_no": CERTIFICATE_NO,
    "disability_level": DISABILITY_LEVEL,
    "dibao_family": True,
    "dibao_reference": DIBAO_REFERENCE,
}
# What must never reach a reader who may not see sensitive data: the details, the
# categories they match (names and reasons), and any word about disability or 低保.
NEVER = (
    CERTIFICATE_NO,
    DISABILITY_LEVEL,
    DIBAO_REFERENCE,
    "持证残疾人",
    "城乡低保家庭成员",
    "持有残疾人证",
    "残疾",
    "低保",
)


@pytest.fixture
def case(new_case, make_post):
    """A person in post whose case carries both sensitive facts (every page section shown)."""
    return new_case(S.IN_POST, sensitive=SENSITIVE)


def pages(case) -> list[str]:
    post = case.placements.get().post
    return [
        reverse("home"),
        reverse("assistance:queue"),
        *(f"{reverse('assistance:queue')}?tab={tab}" for tab in ("follow_up", "exit")),
        reverse("assistance:posts"),
        reverse("assistance:post", args=[post.pk]),
        reverse("assistance:detail", args=[case.code]),
    ]


def access_rows(case) -> int:
    ct = ContentType.objects.get_for_model(AssistanceCase)
    return AccessLog.objects.filter(subject_type=ct, subject_id=case.pk).count()


def assert_nothing_sensitive(text: str, where: str) -> None:
    for word in NEVER:
        assert word not in text, f"{word!r} shown on {where}"


@pytest.mark.parametrize(
    "persona", ["alice_mediator", "hui_hiring", "oscar_outsider", "wang_worker"]
)
def test_mediators_hiring_parties_and_outsiders_never_see_disability_or_dibao(
    client, request, persona, case
):
    client.force_login(request.getfixturevalue(persona))
    for path in pages(case):
        response = client.get(path, follow=True)
        assert response.status_code in (200, 403, 404), path
        if path != reverse("home"):
            assert response.status_code in (403, 404), path
        assert_nothing_sensitive(response.content.decode(), path)
    assert access_rows(case) == 0


def test_the_auditor_sees_the_case_but_not_the_details(client, audrey_auditor, case):
    client.force_login(audrey_auditor)
    for path in pages(case):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_nothing_sensitive(response.content.decode(), path)
    page = client.get(reverse("assistance:detail", args=[case.code])).content.decode()
    assert case.code in page and case.person.name in page
    assert "敏感信息（仅限就业援助员和主管查看）" in page
    assert "大龄人员" in page  # the non-sensitive category is shown
    assert access_rows(case) == 0


@pytest.mark.parametrize("persona", ["carol_caseworker", "sam_supervisor"])
def test_each_caseworker_view_of_the_details_writes_one_access_log_row(
    client, request, persona, case
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    detail = reverse("assistance:detail", args=[case.code])
    for views in (1, 2, 3):
        page = client.get(detail).content.decode()
        assert access_rows(case) == views
    for text in (
        CERTIFICATE_NO,
        DISABILITY_LEVEL,
        DIBAO_REFERENCE,
        "持证残疾人",
        "城乡低保家庭成员",
    ):
        assert text in page
    row = AccessLog.objects.latest("pk")
    assert row.user == user and row.path == detail


def test_the_lists_and_post_pages_show_no_details_and_log_nothing(client, carol_caseworker, case):
    client.force_login(carol_caseworker)
    for path in pages(case):
        if "/HA-" in path:
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        assert_nothing_sensitive(response.content.decode(), path)
    assert access_rows(case) == 0


def test_a_case_without_sensitive_categories_still_hides_the_facts_from_the_auditor(
    client, audrey_auditor, new_case
):
    case = new_case(S.UNDER_REVIEW)
    client.force_login(audrey_auditor)
    page = client.get(reverse("assistance:detail", args=[case.code])).content.decode()
    # The placeholder is shown whatever the facts are: its absence would tell them.
    assert "敏感信息（仅限就业援助员和主管查看）" in page


def test_the_timeline_after_the_proposal_names_no_category(client, audrey_auditor, new_case):
    case = new_case(S.CERTIFIED, sensitive=SENSITIVE)
    client.force_login(audrey_auditor)
    page = client.get(reverse("assistance:detail", args=[case.code])).content.decode()
    assert_nothing_sensitive(page, "the certified case page")
    assert "（敏感类别不予显示）" in page


# -- documents --------------------------------------------------------------------------


def test_documents_with_sensitive_categories_are_only_for_those_who_may_see_them(
    new_case, carol_caseworker, audrey_auditor, alice_mediator
):
    from casework.documents.access import documents_visible_to
    from casework.documents.models import Document

    case = new_case(S.CERTIFIED, sensitive={"disability_certificate": True})
    kinds = set(Document.objects.for_subject(case).values_list("kind", flat=True))
    assert {"assistance_application", "assistance_decision", "assistance_notice"} <= kinds

    def visible(user):
        return set(documents_visible_to(user).values_list("kind", flat=True))

    assert {"assistance_application", "assistance_decision"} <= visible(carol_caseworker)
    # The auditor reads the case but not disability or 低保 status; a mediator reads neither.
    auditor = visible(audrey_auditor)
    assert "assistance_notice" in auditor
    assert not {"assistance_application", "assistance_decision"} & auditor
    assert not {kind for kind in visible(alice_mediator) if kind.startswith("assistance_")}
