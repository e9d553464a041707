"""The signed-in user is loaded with their roles in one query, and a change to their roles
holds from their next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import services
from core.backends import RoleAwareModelBackend
from core.permissions import has_role, is_supervisor
from core.roles import Role

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_their_roles_in_one_query(make_staff):
    staff = make_staff(Role.CASEWORKER, Role.SUPERVISOR)
    with CaptureQueriesContext(connection) as queries:
        user = RoleAwareModelBackend().get_user(staff.pk)
        assert has_role(user, Role.CASEWORKER) and is_supervisor(user)
        assert not has_role(user, Role.ADMINISTRATOR)
    assert len(queries) == 1


def test_a_user_without_roles_has_none(make_staff):
    user = RoleAwareModelBackend().get_user(make_staff().pk)
    assert user._role_names == set()
    assert not has_role(user, Role.CASEWORKER)


def test_a_revoked_role_is_gone_on_the_next_request(client, make_staff):
    staff = make_staff(Role.SUPERVISOR)
    client.force_login(staff)
    assert client.get("/staff/supervisor/").status_code == 200
    services.staff_set_roles(actor=None, user=staff, roles={Role.CASEWORKER})
    assert client.get("/staff/supervisor/").status_code == 403


def test_an_inactive_or_missing_user_is_not_loaded(make_staff):
    staff = make_staff(Role.CASEWORKER)
    staff.is_active = False
    staff.save()
    assert RoleAwareModelBackend().get_user(staff.pk) is None
    assert RoleAwareModelBackend().get_user(staff.pk + 1000) is None


def test_signed_in_requests_use_this_backend(client, make_staff):
    client.force_login(make_staff(Role.CASEWORKER))
    assert client.session["_auth_user_backend"] == "core.backends.RoleAwareModelBackend"
