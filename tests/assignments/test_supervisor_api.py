"""The supervisor view's API: everyone's load and the backlog (supervisors), why a case is waiting
and the decline reasons (any staff), the router's settings (read by staff, changed by
supervisors). Applicants get 403 everywhere."""

import pytest

from assignments.models import CaseRouting, RoutingSettings
from tests.assignments.factories import SkillFactory
from tests.assignments.factories_routing import (
    CaseRoutingFactory,
    DeclineReasonFactory,
    OfferFactory,
    RoutingRuleFactory,
    StaffProfileFactory,
)

pytestmark = pytest.mark.django_db

SUPERVISOR_ONLY = ["/api/v1/routing/staff/", "/api/v1/routing/backlog/"]
ANY_STAFF = ["/api/v1/routing/decline-reasons/", "/api/v1/routing/settings/"]


def _refused(response, status=403, code="permission_denied"):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"]["code"] == code
    return body["error"]


@pytest.mark.parametrize("url", SUPERVISOR_ONLY)
def test_caseworkers_are_refused_the_supervisor_endpoints(client, caseworker, url):
    client.force_login(caseworker)
    assert _refused(client.get(url))["message"].startswith("Only supervisors can see")


@pytest.mark.parametrize("url", [*SUPERVISOR_ONLY, *ANY_STAFF, "/api/v1/routing/cases/1/explanation/"])
def test_applicants_are_refused_everything(client, applicant, url):
    client.force_login(applicant)
    _refused(client.get(url))


def test_anonymous_visitors_are_refused(client):
    response = client.get("/api/v1/routing/staff/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


def test_the_staff_load_lists_each_person(client, supervisor):
    worker = StaffProfileFactory(available=True, load=100, capacity=100, team="Rents")
    OfferFactory(user=worker.user)
    CaseRoutingFactory(state=CaseRouting.State.ACCEPTED, assignee=worker.user)
    StaffProfileFactory(team="Options")
    client.force_login(supervisor)

    response = client.get("/api/v1/routing/staff/", {"team": "Rents"})

    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["user"]["email"] == worker.user.email
    assert {k: row[k] for k in ("team", "presence", "load", "capacity", "is_full")} == {
        "team": "Rents",
        "presence": "available",
        "load": 100,
        "capacity": 100,
        "is_full": True,
    }
    assert (row["pending_offers"], row["accepted_cases"], row["last_offered_at"]) == (1, 1, None)
    assert client.get("/api/v1/routing/staff/").json()["count"] == 2


def test_the_backlog_by_skill_set(client, supervisor):
    chaser, polish = SkillFactory(code="chaser"), SkillFactory(code="lang-pl")
    CaseRoutingFactory(skills=[polish, chaser], urgent=True)
    CaseRoutingFactory(skills=[chaser, polish])
    CaseRoutingFactory(skills=[chaser])
    client.force_login(supervisor)

    response = client.get("/api/v1/routing/backlog/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["skills"], r["cases"], r["urgent"]) for r in rows] == [(["chaser", "lang-pl"], 2, 1), (["chaser"], 1, 0)]
    assert rows[0]["skill_ids"] == sorted([chaser.pk, polish.pk])
    assert rows[0]["oldest_waiting_since"]


def test_any_staff_member_may_ask_why_a_case_is_waiting(client, caseworker):
    chaser, somali = SkillFactory(code="chaser"), SkillFactory(code="lang-so")
    StaffProfileFactory(skills=[chaser])
    routing = CaseRoutingFactory(skills=[chaser, somali])
    RoutingRuleFactory(case_type=routing.case.case_type, status="chaser")
    client.force_login(caseworker)

    response = client.get(f"/api/v1/routing/cases/{routing.case_id}/explanation/")

    assert response.status_code == 200
    body = response.json()
    assert body["case_number"] == routing.case.number
    assert (body["state"], body["routable"], body["reason"]) == ("awaiting", True, "skills_not_held")
    assert body["missing_skills"] == ["lang-so"]
    assert body["summary"] == "No one holds the skill lang-so."
    assert body["person"] is None


def test_the_explanation_of_an_offered_case_names_the_person(client, caseworker):
    routing = CaseRoutingFactory(state=CaseRouting.State.OFFERED)
    RoutingRuleFactory(case_type=routing.case.case_type, status="chaser")
    offer = OfferFactory(case=routing.case)
    client.force_login(caseworker)
    body = client.get(f"/api/v1/routing/cases/{routing.case_id}/explanation/").json()
    assert body["reason"] == "offered"
    assert body["person"]["email"] == offer.user.email
    assert body["offer_expires_at"]


def test_the_explanation_of_an_unknown_case_is_404(client, caseworker):
    client.force_login(caseworker)
    _refused(client.get("/api/v1/routing/cases/999999/explanation/"), status=404, code="not_found")


def test_staff_get_the_active_decline_reasons(client, caseworker):
    DeclineReasonFactory(code="other", label="Other")
    DeclineReasonFactory(code="at-capacity", label="At capacity")
    DeclineReasonFactory(code="retired", label="Retired", is_active=False)
    client.force_login(caseworker)
    response = client.get("/api/v1/routing/decline-reasons/")
    assert response.status_code == 200
    assert [(r["code"], r["label"]) for r in response.json()] == [("at-capacity", "At capacity"), ("other", "Other")]


def test_staff_read_the_settings_but_only_supervisors_change_them(client, caseworker, supervisor):
    client.force_login(caseworker)
    assert client.get("/api/v1/routing/settings/").json() == {"offer_timeout_minutes": 60, "max_offers_per_minute": 10}
    refused = client.patch("/api/v1/routing/settings/", {"offer_timeout_minutes": 5}, content_type="application/json")
    _refused(refused)
    assert RoutingSettings.current().offer_timeout_minutes == 60

    client.force_login(supervisor)
    response = client.patch("/api/v1/routing/settings/", {"max_offers_per_minute": 3}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"offer_timeout_minutes": 60, "max_offers_per_minute": 3}
    assert RoutingSettings.current().max_offers_per_minute == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"offer_timeout_minutes": 0}, "offer_timeout_minutes"),
        ({"offer_timeout_minutes": 2000}, "offer_timeout_minutes"),
        ({"max_offers_per_minute": 1001}, "max_offers_per_minute"),
        ({"max_offers_per_minute": "lots"}, "max_offers_per_minute"),
    ],
)
def test_settings_out_of_range_are_400_and_change_nothing(client, supervisor, body, field):
    client.force_login(supervisor)
    response = client.patch("/api/v1/routing/settings/", body, content_type="application/json")
    error = _refused(response, status=400, code="validation_error")
    assert set(error["fields"]) == {field}
    stored = RoutingSettings.current()
    assert (stored.offer_timeout_minutes, stored.max_offers_per_minute) == (60, 10)
