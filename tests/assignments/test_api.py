"""The read-only staff API for skills and routing profiles."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assignments.factories import RoutingProfileFactory, SkillFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v1/skills/", "/api/v1/routing-profiles/"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_staff_get_a_paginated_list(client, caseworker, url):
    RoutingProfileFactory(skills=[SkillFactory(code="chaser")])
    client.force_login(caseworker)
    response = client.get(url)
    assert response.status_code == 200
    assert set(response.json()) == {"count", "next", "previous", "results"}
    assert response.json()["count"] == 1


@pytest.mark.parametrize("url", ENDPOINTS)
def test_applicants_get_403(client, applicant, url):
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_visitors_are_refused(client, url):
    response = client.get(url)
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_routing_profiles_show_skills_and_filter_by_skill(client, caseworker):
    polish, chaser = SkillFactory(code="lang-pl", category="language"), SkillFactory(code="chaser")
    speaker = RoutingProfileFactory(skills=[polish, chaser], team="Rental assistance")
    RoutingProfileFactory(skills=[chaser])
    client.force_login(caseworker)
    response = client.get("/api/v1/routing-profiles/", {"skill": "lang-pl"})
    (row,) = response.json()["results"]
    assert row["id"] == speaker.pk
    assert row["user"]["email"] == speaker.user.email
    assert {s["code"] for s in row["skills"]} == {"lang-pl", "chaser"}
    assert row["presence"] == "offline"
    assert row["team"] == "Rental assistance"


def test_skills_filter_by_category(client, caseworker):
    SkillFactory(code="lang-pl", category="language")
    SkillFactory(code="chaser")
    client.force_login(caseworker)
    response = client.get("/api/v1/skills/", {"category": "language"})
    assert [r["code"] for r in response.json()["results"]] == ["lang-pl"]


def test_routing_profile_list_has_no_n_plus_1(client, caseworker, django_assert_max_num_queries):
    skills = SkillFactory.create_batch(3)
    RoutingProfileFactory(skills=skills)
    client.force_login(caseworker)
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/routing-profiles/")
    for _ in range(8):
        RoutingProfileFactory(skills=skills)
    with django_assert_max_num_queries(len(few)):
        assert client.get("/api/v1/routing-profiles/").json()["count"] == 9
