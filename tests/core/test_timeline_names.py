"""The case history names people and roles in words, never by login or internal role
name (issue 17: "刘明 (mediator)", "public (public)")."""

from types import SimpleNamespace

from django.utils import translation

from casework.core.templatetags.timeline import actor_label


def event(actor_id, name, role):
    return SimpleNamespace(actor_id=actor_id, actor_name=name, role=role)


def test_a_staff_member_is_their_name_and_their_roles_label():
    with translation.override("zh-hans"):
        assert actor_label(event(3, "刘明", "mediator")) == "刘明（调解员）"
        assert actor_label(event(3, "吴国华", "supervisor,auditor")) == "吴国华（主管、审计员）"


def test_the_public_and_the_system_are_named_as_such():
    with translation.override("zh-hans"):
        assert actor_label(event(None, "public", "public")) == "公众"
        assert actor_label(event(None, "deadline_sweep", "deadline_sweep")) == "系统"
    with translation.override("en"):
        assert actor_label(event(None, "public", "public")) == "member of the public"
