"""What a user holds, cached (casework.core.roles.access_of): read once, then kept until a
group, permission, user, staff profile or market changes."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from casework.core import roles
from casework.core.caselist import holder_choices, market_choices
from casework.core.models import StaffProfile
from casework.core.roles import Role, access_of, roles_of
from tests.conftest import make_market, make_user

# The tests commit their data, as requests do: what a transaction read after changing a
# group, a user or a market is never kept for others until it commits, so inside a
# test's own transaction nothing would be kept and every change would seem to count.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MEDIATE = "disputes.mediate_dispute"


def fresh(user: User) -> User:
    """The user as the next request reads it: a new object, nothing remembered on it."""
    return User.objects.get(pk=user.pk)


def queries(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def test_a_second_request_reads_no_permission_groups_or_markets(alice_mediator, market):
    first = fresh(alice_mediator)
    assert first.has_perm(MEDIATE)

    again = fresh(alice_mediator)
    assert queries(lambda: again.has_perm(MEDIATE)) == 0
    assert queries(lambda: (roles_of(again), market_choices(again))) == 0
    assert roles_of(again) == [Role.MEDIATOR]
    assert market_choices(again) == [(market.pk, market.name)]


def test_a_new_group_counts_at_once_for_the_same_and_a_new_object(alice_mediator):
    user = fresh(alice_mediator)
    assert not user.has_perm("disputes.reassign_dispute")

    user.groups.add(Group.objects.get(name=Role.SUPERVISOR))

    assert user.has_perm("disputes.reassign_dispute")
    assert fresh(alice_mediator).has_perm("disputes.reassign_dispute")
    assert Role.SUPERVISOR in roles_of(fresh(alice_mediator))


def test_a_group_added_from_the_groups_side_counts(alice_mediator):
    access_of(fresh(alice_mediator))
    Group.objects.get(name=Role.AUDITOR).user_set.add(alice_mediator)
    assert "core.view_accesslog" in access_of(fresh(alice_mediator)).permissions


def test_a_permission_taken_from_a_group_is_gone(alice_mediator):
    assert fresh(alice_mediator).has_perm(MEDIATE)
    app_label, codename = MEDIATE.split(".")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)

    Group.objects.get(name=Role.MEDIATOR).permissions.remove(permission)

    assert not fresh(alice_mediator).has_perm(MEDIATE)


def test_a_permission_given_to_the_user_counts(alice_mediator):
    assert not fresh(alice_mediator).has_perm("core.view_accesslog")
    alice_mediator.user_permissions.add(
        Permission.objects.get(content_type__app_label="core", codename="view_accesslog")
    )
    assert fresh(alice_mediator).has_perm("core.view_accesslog")


def test_markets_follow_the_staff_profile_and_the_supervisors(alice_mediator, market):
    assert market_choices(fresh(alice_mediator)) == [(market.pk, market.name)]
    second = make_market(code="second", name="第二零工市场")
    third = make_market(code="third", name="第三零工市场")

    StaffProfile.objects.get(user=alice_mediator).markets.add(second)
    assert {pk for pk, _name in market_choices(fresh(alice_mediator))} == {market.pk, second.pk}

    third.supervisors.add(alice_mediator)
    assert third.pk in {pk for pk, _name in market_choices(fresh(alice_mediator))}

    third.name = "第三零工市场（新址）"
    third.save()
    assert (third.pk, third.name) in market_choices(fresh(alice_mediator))


def test_holders_follow_names_groups_and_deactivation(alice_mediator, bob_mediator, market):
    assert holder_choices(MEDIATE, [market.pk]) == [
        (alice_mediator.pk, "Alice 调解员"),
        (bob_mediator.pk, "bob"),
    ]
    assert queries(lambda: holder_choices(MEDIATE, [market.pk])) == 0

    bob_mediator.first_name = "Bob"
    bob_mediator.save()
    assert (bob_mediator.pk, "Bob") in holder_choices(MEDIATE, [market.pk])

    carol = make_user("carol", Role.MEDIATOR, markets=[market])
    assert carol.pk in {pk for pk, _name in holder_choices(MEDIATE, [market.pk])}

    alice_mediator.is_active = False
    alice_mediator.save()
    assert alice_mediator.pk not in {pk for pk, _name in holder_choices(MEDIATE, [market.pk])}


def test_a_login_does_not_empty_the_cache(alice_mediator):
    access_of(fresh(alice_mediator))
    user = fresh(alice_mediator)
    user.save(update_fields=["last_login"])  # what django.contrib.auth does at each login
    assert queries(lambda: access_of(fresh(alice_mediator))) == 1  # the user row only


def test_becoming_a_superuser_without_a_signal_counts(alice_mediator, other_market):
    assert not fresh(alice_mediator).has_perm("core.delete_market")
    User.objects.filter(pk=alice_mediator.pk).update(is_superuser=True)  # no save() signal
    user = fresh(alice_mediator)
    assert user.has_perm("core.delete_market")
    assert other_market.pk in {pk for pk, _name in market_choices(user)}


def test_a_change_rolled_back_is_not_kept_for_others(alice_mediator):
    access_of(fresh(alice_mediator))

    with pytest.raises(RuntimeError), transaction.atomic():
        alice_mediator.groups.add(Group.objects.get(name=Role.SUPERVISOR))
        # Inside its own transaction the change shows...
        assert Role.SUPERVISOR in roles_of(fresh(alice_mediator))
        raise RuntimeError("rolled back")

    # ...and once it is rolled back, nobody is served what it read.
    assert roles_of(fresh(alice_mediator)) == [Role.MEDIATOR]


def test_without_a_cache_the_database_answers(alice_mediator, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(roles.cache, "get_many", broken)
    monkeypatch.setattr(roles.cache, "set", broken)
    user = fresh(alice_mediator)
    assert user.has_perm(MEDIATE)
    assert roles_of(user) == [Role.MEDIATOR]
    Group.objects.get(name=Role.AUDITOR).user_set.add(alice_mediator)  # saving still works
    assert Role.AUDITOR in roles_of(fresh(alice_mediator))


def test_anonymous_users_hold_nothing(client):
    from django.contrib.auth.models import AnonymousUser

    assert access_of(AnonymousUser()) == roles.NOBODY
    assert roles_of(AnonymousUser()) == []


def test_a_change_past_the_orm_counts_once_access_is_forgotten(alice_mediator):
    access_of(fresh(alice_mediator))
    Group.objects.filter(name=Role.MEDIATOR).update(name="renamed")  # no signal
    assert roles_of(fresh(alice_mediator)) == [Role.MEDIATOR]  # kept, up to ACCESS_SECONDS

    roles.forget_access()

    assert roles_of(fresh(alice_mediator)) == []
