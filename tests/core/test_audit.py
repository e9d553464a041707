"""The audit trail is written by database triggers in the same transaction as the change."""

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, transaction
from pghistory.models import Events

from core import services
from core.audit import audited, events_for
from core.models import User, UserRole
from core.roles import Role

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_a_change_writes_an_event_with_actor_action_and_before_after(administrator, make_staff):
    officer = make_staff(email="officer@test.example")
    with audited(actor=administrator, action="rename"):
        officer.first_name = "Olu"
        officer.save()
    event = events_for(officer).filter(pgh_label="update").first()
    assert event is not None
    assert event.pgh_diff["first_name"] == ["", "Olu"]
    assert event.pgh_context["user"] == administrator.pk
    assert event.pgh_context["action"] == "rename"


def test_a_rolled_back_change_leaves_no_event(administrator, make_staff):
    officer = make_staff(email="officer@test.example")
    before = Events.objects.tracks(officer).count()
    with pytest.raises(Boom), transaction.atomic(), audited(actor=administrator, action="rename"):
        User.objects.filter(pk=officer.pk).update(first_name="Never")
        raise Boom
    officer.refresh_from_db()
    assert officer.first_name == ""
    assert Events.objects.tracks(officer).count() == before


def test_bulk_updates_are_audited_row_by_row(make_staff, administrator):
    staff = [make_staff(email=f"bulk{i}@test.example") for i in range(3)]
    with audited(actor=administrator, action="bulk_deactivate"):
        User.objects.filter(pk__in=[u.pk for u in staff]).update(is_active=False)
    for user in staff:
        event = events_for(user).filter(pgh_label="update").first()
        assert event.pgh_diff["is_active"] == [True, False]
        assert event.pgh_context["action"] == "bulk_deactivate"


def test_granting_and_revoking_roles_is_audited_with_the_actor(administrator, make_staff):
    officer = make_staff(Role.CASEWORKER, email="officer@test.example")
    services.staff_set_roles(actor=administrator, user=officer, roles={Role.SUPERVISOR})
    role_events = Events.objects.references(officer).filter(pgh_model="core.UserRoleEvent")
    labels = sorted(role_events.filter(pgh_context__user=administrator.pk).values_list("pgh_label", flat=True))
    assert labels == ["role.granted", "role.revoked"]
    assert UserRole.objects.filter(user=officer, group=Group.objects.get(name="supervisor")).exists()


def test_audit_events_cannot_be_edited_or_deleted(make_staff):
    officer = make_staff(email="officer@test.example")
    event_model = events_for(officer).first().pgh_model
    from django.apps import apps

    model = apps.get_model(event_model)
    with pytest.raises(DatabaseError), transaction.atomic():
        model.objects.filter(pgh_obj=officer).update(first_name="Forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        model.objects.filter(pgh_obj=officer).delete()


def test_request_context_records_the_signed_in_user(client, administrator, make_staff):
    officer = make_staff(Role.CASEWORKER, email="officer@test.example")
    client.force_login(administrator)
    response = client.post(
        f"/admin/core/user/{officer.pk}/change/",
        {
            "email": officer.email,
            "first_name": "Changed",
            "last_name": "",
            "is_active": "on",
            "roles": ["caseworker", "supervisor"],
            "user_permissions": [],
        },
    )
    assert response.status_code == 302, response.content
    officer.refresh_from_db()
    assert officer.first_name == "Changed"
    assert officer.is_staff  # supervisors sign in to the admin
    update = events_for(officer).filter(pgh_label="update").first()
    assert update.pgh_context["user"] == administrator.pk
    assert update.pgh_context["url"] == f"/admin/core/user/{officer.pk}/change/"


def test_supervisors_read_the_audit_log_in_the_admin_but_cannot_change_it(client, supervisor, caseworker):
    client.force_login(supervisor)
    listing = client.get("/admin/pghistory/events/")
    assert listing.status_code == 200
    assert b"role.granted" in listing.content
    assert client.get("/admin/pghistory/events/add/").status_code == 403
    client.force_login(caseworker)
    assert client.get("/admin/pghistory/events/").status_code == 302  # caseworkers are not admin users
