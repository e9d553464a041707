"""Supervisors set skills, capacity and team in the admin; presence is read-only there."""

import pytest

from assignments.models import RoutingProfile
from core.audit import events_for
from tests.assignments.factories import RoutingProfileFactory, SkillFactory

pytestmark = pytest.mark.django_db


def _form(profile, **fields):
    data = {
        "team": profile.team,
        "capacity": profile.capacity,
        "skill_grants-TOTAL_FORMS": "0",
        "skill_grants-INITIAL_FORMS": "0",
        "skill_grants-MIN_NUM_FORMS": "0",
        "skill_grants-MAX_NUM_FORMS": "1000",
    }
    return {**data, **fields}


def test_supervisor_grants_a_skill_and_changes_capacity_but_not_presence(client, supervisor):
    profile = RoutingProfileFactory()
    polish = SkillFactory(code="lang-pl")
    client.force_login(supervisor)
    response = client.post(
        f"/admin/assignments/routingprofile/{profile.pk}/change/",
        _form(
            profile,
            capacity="50",
            presence="available",  # read-only: ignored
            **{"skill_grants-TOTAL_FORMS": "1", "skill_grants-0-skill": polish.pk},
        ),
    )
    assert response.status_code == 302, response.content
    profile.refresh_from_db()
    assert profile.capacity == 50
    assert profile.presence == RoutingProfile.Presence.OFFLINE
    assert list(profile.skills.all()) == [polish]
    assert profile.updated_by == supervisor
    assert events_for(profile).filter(pgh_label="update").get().pgh_context["user"] == supervisor.pk


def test_the_admin_refuses_capacity_out_of_range_and_granting_an_inactive_skill(client, supervisor):
    profile = RoutingProfileFactory()
    retired = SkillFactory(code="retired", inactive=True)
    client.force_login(supervisor)
    response = client.post(
        f"/admin/assignments/routingprofile/{profile.pk}/change/",
        _form(profile, capacity="0", **{"skill_grants-TOTAL_FORMS": "1", "skill_grants-0-skill": retired.pk}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Capacity must be between 1 and 1000." in page
    assert "retired is inactive and cannot be granted" in page
    profile.refresh_from_db()
    assert profile.capacity == 100
    assert not profile.skills.exists()


def test_routing_profile_and_skill_changelists_render(client, supervisor):
    RoutingProfileFactory(skills=SkillFactory.create_batch(2))
    client.force_login(supervisor)
    assert client.get("/admin/assignments/routingprofile/").status_code == 200
    assert client.get("/admin/assignments/skill/").status_code == 200


def test_the_admin_offers_only_staff_for_a_new_profile(client, supervisor, applicant):
    client.force_login(supervisor)
    response = client.post("/admin/assignments/routingprofile/add/", _form(RoutingProfile(), user=applicant.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not RoutingProfile.objects.exists()
