"""The case API: who sees which case, and that every refusal is a clear JSON error."""

from __future__ import annotations

import pytest
from guardian.shortcuts import assign_perm
from rest_framework.test import APIClient

from casework.models import Case, Workflow
from core.models import User
from core.services import user_create
from tests.casework.factories import CaseFactory, CaseTypeFactory, ContactFactory, TeamFactory, tenant_case

pytestmark = pytest.mark.django_db


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def tenant_user(db) -> User:
    return user_create(actor=None, email="tina@test.example", kind=User.Kind.TENANT)


def test_staff_open_a_case_and_get_its_number(caseworker):
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    contact = ContactFactory()
    response = client_for(caseworker).post(
        "/api/v1/cases/", {"case_type": case_type.pk, "contact": contact.pk, "source": "walk_in"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"].startswith("SUP-")
    assert body["owner"]["id"] == caseworker.pk
    assert [c["state"] for c in body["chevrons"]] == ["current", "to_do", "to_do", "to_do"]
    assert {t["name"] for t in body["available_transitions"]} == {"start_work", "resolve", "close_duplicate"}


def test_opening_a_second_case_of_a_type_asks_for_acknowledgement(caseworker):
    existing = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT))
    client = client_for(caseworker)
    payload = {"case_type": existing.case_type.pk, "contact": existing.contact.pk}
    listed = client.get("/api/v1/cases/existing/", {"contact": existing.contact.pk, "case_type": existing.case_type.pk})
    assert [c["number"] for c in listed.json()] == [existing.number]
    refused = client.post("/api/v1/cases/", payload, format="json")
    assert refused.status_code == 400
    assert existing.number in refused.json()["error"]["fields"]["acknowledge_existing"][0]
    assert client.post("/api/v1/cases/", {**payload, "acknowledge_existing": True}, format="json").status_code == 201


def test_bad_input_gets_field_messages(caseworker):
    response = client_for(caseworker).post("/api/v1/cases/", {"case_type": 999999}, format="json")
    assert response.status_code == 400
    assert "case_type" in response.json()["error"]["fields"]
    assert not Case.objects.exists()


def test_changing_the_case_type_is_a_conflict(caseworker):
    case = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT))
    other = CaseTypeFactory(workflow=Workflow.ARREARS)
    response = client_for(caseworker).patch(f"/api/v1/cases/{case.pk}/", {"case_type": other.pk}, format="json")
    assert response.status_code == 409
    assert "cannot be changed" in response.json()["error"]["message"]


def test_a_move_from_the_wrong_chevron_is_a_conflict_with_a_sentence(caseworker):
    case = tenant_case(status="chaser")
    response = client_for(caseworker).post(
        f"/api/v1/cases/{case.pk}/transition/", {"transition": "approve_for_payment"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["message"] == (
        f"Case {case.number} is at Chaser; “Approve for payment” is only possible from Reviewer."
    )


def test_closing_without_a_reason_is_a_400(caseworker):
    case = tenant_case(status="reviewer")
    response = client_for(caseworker).post(
        f"/api/v1/cases/{case.pk}/transition/", {"transition": "deny"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]


def test_applicants_see_only_their_own_cases_and_no_internal_fields(tenant_user):
    mine = tenant_case(applicant=tenant_user, suspected_fraud=True)
    someone_elses = tenant_case()
    client = client_for(tenant_user)
    listed = client.get("/api/v1/cases/").json()["results"]
    assert [c["number"] for c in listed] == [mine.number]
    assert "suspected_fraud" not in listed[0] and "owner" not in listed[0]
    assert listed[0]["application_code"] == mine.application_code
    assert client.get(f"/api/v1/cases/{someone_elses.pk}/").status_code == 404
    assert client.post(f"/api/v1/cases/{someone_elses.pk}/withdraw/", {}, format="json").status_code == 404


def test_applicants_cannot_use_staff_actions(tenant_user):
    mine = tenant_case(applicant=tenant_user, status="chaser")
    client = client_for(tenant_user)
    for path, payload in [
        ("transition/", {"transition": "refer_to_case_manager"}),
        ("send-back/", {"reason": "x"}),
        ("reopen/", {"reason": "x"}),
        ("fraud-flag/", {"suspected": False, "reason": "x"}),
    ]:
        assert client.post(f"/api/v1/cases/{mine.pk}/{path}", payload, format="json").status_code == 403
    assert client.post("/api/v1/cases/", {}, format="json").status_code == 403
    mine.refresh_from_db()
    assert mine.status == "chaser"


def test_the_applicant_starts_submits_and_withdraws(tenant_user, caseworker):
    case_type = CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    client = client_for(tenant_user)
    started = client.post("/api/v1/cases/applications/", {"case_type": case_type.pk}, format="json")
    assert started.status_code == 201, started.json()
    case_id = started.json()["id"]
    staff_try = client_for(caseworker).post(f"/api/v1/cases/{case_id}/submit/", {"signed_name": "X"}, format="json")
    assert staff_try.status_code == 403
    submitted = client.post(f"/api/v1/cases/{case_id}/submit/", {"signed_name": "Tina Tenant"}, format="json")
    assert submitted.json()["status"] == "application_match"
    withdrawn = client.post(f"/api/v1/cases/{case_id}/withdraw/", {}, format="json")
    assert (withdrawn.json()["status"], withdrawn.json()["closure_stage"]) == ("closed", "withdrawn")


def test_an_advocate_granted_a_case_can_act_on_it(tenant_user):
    advocate = user_create(actor=None, email="advo@test.example", kind=User.Kind.ADVOCATE)
    case = tenant_case(applicant=tenant_user)
    client = client_for(advocate)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assign_perm("casework.change_case", advocate, case)
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    response = client.post(f"/api/v1/cases/{case.pk}/submit/", {"signed_name": "A. Advocate"}, format="json")
    assert response.json()["status"] == "application_match"


def test_a_second_appeal_is_a_conflict(tenant_user):
    TeamFactory(code="appeals")
    CaseTypeFactory(workflow=Workflow.APPEAL)
    denied = tenant_case(applicant=tenant_user, status="closed", closure_stage="denied")
    client = client_for(tenant_user)
    first = client.post(f"/api/v1/cases/{denied.pk}/appeal/", {"grounds": "Misread"}, format="json")
    assert first.status_code == 201
    second = client.post(f"/api/v1/cases/{denied.pk}/appeal/", {"grounds": "Again"}, format="json")
    assert second.status_code == 409
    assert "appealed once" in second.json()["error"]["message"]


def test_reopening_is_for_supervisors(caseworker, supervisor):
    case = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), status="closed")
    path = f"/api/v1/cases/{case.pk}/reopen/"
    assert client_for(caseworker).post(path, {"reason": "x"}, format="json").status_code == 403
    response = client_for(supervisor).post(path, {"reason": "More to do"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "triage"


def test_filters(caseworker):
    mine = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), owner=caseworker)
    CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), status="closed", owner=caseworker)
    CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.ARREARS))
    client = client_for(caseworker)
    numbers = [c["number"] for c in client.get("/api/v1/cases/", {"owner": "me", "open": "true"}).json()["results"]]
    assert numbers == [mine.number]
    assert client.get("/api/v1/cases/", {"workflow": "arrears"}).json()["count"] == 1
