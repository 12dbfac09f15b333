"""The role groups the migrations create (casework.core.roles)."""

import pytest
from django.contrib.auth.models import Group

from casework.core.roles import ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_its_listed_permissions_after_migrating(role):
    # sync_roles skips permissions of models not yet migrated; after the last migration
    # nothing may be missing (a misspelt permission would show here).
    granted = {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert granted == set(ROLE_PERMISSIONS[role])


def test_counter_staff_make_agreements_and_mediators_only_read_them():
    caseworker = set(ROLE_PERMISSIONS[Role.CASEWORKER])
    mediator = set(ROLE_PERMISSIONS[Role.MEDIATOR])
    assert {"agreements.add_agreement", "agreements.terminate_agreement"} <= caseworker
    assert "agreements.view_agreement" in mediator
    assert "agreements.add_agreement" not in mediator
