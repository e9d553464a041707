"""The staff home: what a caseworker sees first after signing in."""

import pytest
from django.urls import reverse

from core.services import heartbeat_record
from tests.casework.factories import ContactFactory, PropertyFactory, TenancyFactory

pytestmark = pytest.mark.django_db


def test_staff_home_shows_roles_caseload_and_worker_status(client, caseworker):
    ContactFactory.create_batch(3)
    PropertyFactory.create_batch(2)
    TenancyFactory()
    client.force_login(caseworker)
    response = client.get(reverse("staff-home"))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["properties"] == 3  # two, plus the tenancy's own property
    assert summary["active_tenancies"] == 1
    assert summary["contacts"] >= 3
    html = response.content.decode()
    assert "<strong>Caseworker</strong>" in html
    assert "Supervisor admin" not in html  # caseworkers do not sign in to the admin
    assert "No worker has run the scheduled jobs yet." in html
    heartbeat_record(name="worker", hostname="celery@host")
    assert "A worker last ran the scheduled jobs at" in client.get(reverse("staff-home")).content.decode()


def test_supervisors_are_offered_the_admin(client, supervisor):
    client.force_login(supervisor)
    html = client.get(reverse("staff-home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in html
