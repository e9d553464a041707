"""Staff accounts and roles: who may change them, and what follows from them."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from core import errors, services
from core.models import ReferenceCounter, User, next_reference
from core.roles import Role, declared_role_permissions, sync_role_groups

pytestmark = pytest.mark.django_db


def test_only_administrators_change_roles(caseworker, supervisor, administrator, make_staff):
    officer = make_staff(Role.CASEWORKER, email="officer@test.example")
    for actor in (caseworker, supervisor):
        with pytest.raises(errors.PermissionDenied):
            services.staff_set_roles(actor=actor, user=officer, roles={Role.ADMINISTRATOR})
    officer.refresh_from_db()
    assert list(officer.groups.values_list("name", flat=True)) == ["caseworker"]
    services.staff_set_roles(actor=administrator, user=officer, roles={Role.SUPERVISOR})
    officer.refresh_from_db()
    assert list(officer.groups.values_list("name", flat=True)) == ["supervisor"]


@pytest.mark.parametrize(
    ("roles", "admin_site"),
    [({Role.CASEWORKER}, False), ({Role.SUPERVISOR}, True), ({Role.ADMINISTRATOR}, True), (set(), False)],
)
def test_admin_site_access_follows_roles(make_staff, roles, admin_site):
    officer = make_staff(Role.SUPERVISOR, email="officer@test.example")
    services.staff_set_roles(actor=None, user=officer, roles=roles)
    officer.refresh_from_db()
    assert officer.is_staff is admin_site


def test_applicants_cannot_hold_staff_roles(applicant, administrator):
    with pytest.raises(errors.ValidationError) as raised:
        services.staff_set_roles(actor=administrator, user=applicant, roles={Role.CASEWORKER})
    assert "roles" in raised.value.fields
    assert not applicant.groups.exists()


def test_unknown_roles_are_refused(make_staff):
    officer = make_staff(email="officer@test.example")
    with pytest.raises(errors.ValidationError):
        services.staff_set_roles(actor=None, user=officer, roles={"superhero"})


def test_duplicate_email_is_a_validation_error_whatever_its_case(caseworker):
    with pytest.raises(errors.ValidationError) as raised:
        services.user_create(actor=None, email="CASEWORKER@test.example", kind="staff")
    assert raised.value.fields == {"email": ["An account with this email address already exists."]}
    assert User.objects.filter(email__iexact="caseworker@test.example").count() == 1


def test_role_groups_hold_exactly_their_declared_permissions():
    sync_role_groups()
    supervisor = Group.objects.get(name="supervisor")
    caseworker = Group.objects.get(name="caseworker")
    held = {f"{p.content_type.app_label}.{p.codename}" for p in supervisor.permissions.select_related("content_type")}
    assert held == declared_role_permissions()["supervisor"]
    assert "pghistory.view_events" in held
    assert not caseworker.permissions.filter(codename="view_events").exists()
    assert Group.objects.get(name="administrator").permissions.count() == Permission.objects.count()


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.REVIEWER])
def test_case_managers_and_reviewers_hold_the_caseworkers_permissions_and_no_admin_access(make_staff, role):
    sync_role_groups()
    declared = declared_role_permissions()
    assert declared[Role.CASEWORKER] <= declared[role]
    group = Group.objects.get(name=role.value)
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert held == declared[role]
    officer = make_staff(role, email=f"{role.value}@test.example")
    assert list(officer.groups.values_list("name", flat=True)) == [role.value]
    assert officer.is_staff is False  # like caseworkers, they do not sign in to the admin


def test_references_count_up_per_prefix_and_a_rollback_issues_nothing():
    assert next_reference("TST") == "TST-000001"
    assert next_reference("TST") == "TST-000002"
    assert next_reference("OTHER", width=4) == "OTHER-0001"
    with pytest.raises(RuntimeError), transaction.atomic():
        next_reference("TST")
        raise RuntimeError
    assert ReferenceCounter.objects.get(key="TST").last_value == 2


def test_seed_demo_refuses_where_demo_data_is_switched_off(settings):
    settings.SEED_DEMO_ALLOWED = False
    with pytest.raises(CommandError, match="SEED_DEMO_ALLOWED"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_is_idempotent_and_prints_a_login_per_role(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    users = User.objects.count()
    call_command("seed_demo")
    second = capsys.readouterr().out
    assert User.objects.count() == users
    assert "created: nothing new" in second
    for email in ("admin@demo.example", "supervisor@demo.example", "chaser@demo.example", "tenant@demo.example"):
        assert email in first
    assert User.objects.get(email="supervisor@demo.example").is_staff
    assert not User.objects.get(email="chaser@demo.example").is_staff
    assert User.objects.get(email="tenant@demo.example").kind == User.Kind.TENANT
