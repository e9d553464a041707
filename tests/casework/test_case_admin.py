"""Cases in the supervisors' admin: read-only pages, and actions that go through the services."""

import pytest

from casework.models import Case, Workflow
from tests.casework.factories import CaseFactory, CaseTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_case():
    return CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), status="closed")


def test_supervisors_find_and_read_cases(client, supervisor, closed_case):
    client.force_login(supervisor)
    listing = client.get("/admin/casework/case/", {"q": closed_case.number})
    assert listing.status_code == 200
    assert closed_case.number in listing.content.decode()
    page = client.get(f"/admin/casework/case/{closed_case.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()  # read-only
    assert client.get("/admin/casework/case/add/").status_code == 403


def test_reopen_asks_for_a_reason_then_calls_the_service(client, supervisor, closed_case):
    client.force_login(supervisor)
    data = {"action": "reopen_cases", "_selected_action": [closed_case.pk]}
    asked = client.post("/admin/casework/case/", data)
    assert asked.status_code == 200 and b"Reason" in asked.content
    missing = client.post("/admin/casework/case/", {**data, "apply": "1", "text": ""})
    assert missing.status_code == 200
    closed_case.refresh_from_db()
    assert closed_case.status == "closed"
    done = client.post("/admin/casework/case/", {**data, "apply": "1", "text": "Tenant rang back"}, follow=True)
    assert b"Reopen cases: 1 done." in done.content
    closed_case.refresh_from_db()
    assert closed_case.status == "triage"
    assert closed_case.activities.filter(reason="Tenant rang back").exists()


def test_refusals_are_reported_not_swallowed(client, supervisor, closed_case):
    open_case = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), status="in_progress")
    client.force_login(supervisor)
    data = {"action": "reopen_cases", "_selected_action": [closed_case.pk, open_case.pk], "apply": "1", "text": "Why"}
    response = client.post("/admin/casework/case/", data, follow=True)
    body = response.content.decode()
    assert f"{open_case.number}: Case {open_case.number} is at In progress" in body
    assert "Reopen cases: 1 done." in body
    assert Case.objects.get(pk=open_case.pk).status == "in_progress"


def test_caseworkers_cannot_use_the_admin(client, caseworker):
    client.force_login(caseworker)
    assert client.get("/admin/casework/case/").status_code == 302
