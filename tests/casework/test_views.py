"""The staff home is the caseworker's worktray; its side panel keeps the roles, the supervisor's
admin link and whether background jobs are running. The worktray itself is tested in
test_worktray_views.py."""

import pytest
from django.urls import reverse

from core.services import heartbeat_record

pytestmark = pytest.mark.django_db


def test_staff_home_is_the_worktray_with_roles_and_worker_status(client, caseworker):
    client.force_login(caseworker)
    response = client.get(reverse("staff-home"))
    assert response.status_code == 200
    assert response.templates[0].name == "casework/worktray.html"
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
