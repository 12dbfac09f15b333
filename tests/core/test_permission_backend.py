"""The authentication backend (casework.core.permissions): the signed-in user's row read
in plain SQL is the row the ORM reads; inactive and unknown users are nobody."""

import pytest
from django.contrib.auth.models import User
from django.forms.models import model_to_dict

from casework.core.permissions import PermissionBackend

pytestmark = pytest.mark.django_db


def test_the_user_is_read_as_the_orm_reads_it(alice_mediator):
    user = PermissionBackend().get_user(str(alice_mediator.pk))  # as the session keeps it
    assert isinstance(user, User)
    assert model_to_dict(user) == model_to_dict(User.objects.get(pk=alice_mediator.pk))
    assert (user.password, user.date_joined) == (
        alice_mediator.password,
        alice_mediator.date_joined,
    )


def test_inactive_and_unknown_users_are_nobody(alice_mediator):
    User.objects.filter(pk=alice_mediator.pk).update(is_active=False)
    assert PermissionBackend().get_user(alice_mediator.pk) is None
    assert PermissionBackend().get_user(alice_mediator.pk + 1000) is None


def test_a_deactivated_user_is_signed_out(client, alice_mediator):
    client.force_login(alice_mediator)
    assert client.get("/disputes/").status_code == 200
    User.objects.filter(pk=alice_mediator.pk).update(is_active=False)
    assert client.get("/disputes/").status_code == 302
