"""Standard terms in the admin: one active version, frozen once an agreement uses it."""

import pytest
from django.urls import reverse

from agreements.models import StandardTerms
from agreements.terms import default_terms

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_admin(client, sam_supervisor):
    sam_supervisor.is_staff = True
    sam_supervisor.save(update_fields=["is_staff"])
    client.force_login(sam_supervisor)
    return client


def test_the_default_terms_are_published_by_the_migrations_and_cover_every_item():
    terms = StandardTerms.active()
    headings = list(terms.clauses.values_list("heading", flat=True))
    assert headings == [clause["heading"] for clause in default_terms()["clauses"]]
    # docs/domain.md, "Gig agreements": the items a written gig agreement must cover.
    for item in (
        "工作内容和地点",
        "工作时间和休息",
        "劳动报酬",
        "支付方式和支付日期",
        "劳动安全保护",
        "职业伤害保障",
        "变更和解除",
        "争议解决",
    ):
        assert any(item in heading for heading in headings), item


def test_a_supervisor_publishes_a_new_version_and_makes_it_the_active_one(supervisor_admin):
    old = StandardTerms.active()
    response = supervisor_admin.post(
        reverse("admin:agreements_standardterms_add"),
        {
            "version": "2027版",
            "title": "零工服务协议通用条款",
            "published_on": "2027-01-01",
            "note": "",
            "clauses-TOTAL_FORMS": "1",
            "clauses-INITIAL_FORMS": "0",
            "clauses-0-number": "1",
            "clauses-0-heading": "总则",
            "clauses-0-body": "新版本正文。",
        },
    )
    assert response.status_code == 302
    new = StandardTerms.objects.get(version="2027版")
    assert not new.is_active
    assert new.clauses.count() == 1
    response = supervisor_admin.post(
        reverse("admin:agreements_standardterms_changelist"),
        {"action": "activate", "_selected_action": [new.pk]},
        follow=True,
    )
    assert "2027版 已设为生效版本" in response.content.decode()
    assert StandardTerms.active() == new
    old.refresh_from_db()
    assert not old.is_active


def test_a_version_in_use_cannot_be_edited_or_deleted(supervisor_admin, new_agreement):
    agreement = new_agreement()
    terms = agreement.terms
    page = supervisor_admin.get(reverse("admin:agreements_standardterms_change", args=[terms.pk]))
    assert page.status_code == 200
    assert 'name="version"' not in page.content.decode()  # shown read-only
    assert 'name="clauses-0-body"' not in page.content.decode()
    delete = reverse("admin:agreements_standardterms_delete", args=[terms.pk])
    assert supervisor_admin.post(delete, {"post": "yes"}).status_code == 403
    assert StandardTerms.objects.filter(pk=terms.pk).exists()
