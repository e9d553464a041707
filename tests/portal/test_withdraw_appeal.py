"""Withdrawing an application and appealing a denial from the portal: the confirmation pages,
the states each is allowed in (and the sentence shown in the others, with no button), a
tenant's withdrawal taking the landlord's application with it, a single appeal (a second, or a
replayed form, is refused with the first's number), and that every refusal writes nothing."""

from __future__ import annotations

import pytest

from casework.models import Case, CaseActivity
from casework.models.cases import WITHDRAWABLE
from core.audit import events_for
from tests.casework.factories import CaseTypeFactory, landlord_case, tenant_case
from tests.portal.factories import make_applicant

pytestmark = pytest.mark.django_db

S = Case.Status


def url(case, action: str = "") -> str:
    return f"/portal/applications/{case.number}/{action + '/' if action else ''}"


@pytest.fixture
def appeals():
    return CaseTypeFactory(workflow="appeal")


# --- withdraw -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", WITHDRAWABLE)
def test_an_application_can_be_withdrawn_in_each_allowed_state(client, status):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=status)
    client.force_login(tenant)
    confirm = client.get(url(case, "withdraw"))
    assert confirm.status_code == 200
    assert "Withdraw application" in confirm.content.decode()
    assert "Withdraw application" in client.get(url(case)).content.decode()  # offered on the page

    response = client.post(url(case, "withdraw"), {"reason": "I found the money"})
    assert response.status_code == 302 and response["Location"] == url(case)
    case.refresh_from_db()
    assert (case.status, case.closure_stage) == (S.CLOSED, "withdrawn")
    change = CaseActivity.objects.get(case=case, kind="status_changed")
    assert (change.actor, change.reason) == (tenant, "I found the money")
    assert any((event.pgh_context or {}).get("action") == "case_withdraw" for event in events_for(case))
    page = client.get(url(case)).content.decode()
    assert "has been withdrawn" in page and "Withdrawn" in page


@pytest.mark.parametrize(
    ("status", "stage", "why"),
    [
        (S.PAYMENT, "", "approved and the payment is being arranged"),
        (S.CLOSED, "denied", "This application is closed"),
        (S.CLOSED, "withdrawn", "This application is closed"),
        (S.CLOSED, "paid", "This application is closed"),
    ],
)
def test_withdrawing_is_refused_with_a_reason_and_no_button(client, status, stage, why):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=status, closure_stage=stage)
    client.force_login(tenant)
    page = client.get(url(case, "withdraw")).content.decode()
    assert why in page and "<button" not in page.split('id="refusal"')[1].split("</main>")[0]
    assert "Withdraw application" not in client.get(url(case)).content.decode()
    before = (case.status, case.closure_stage)
    response = client.post(url(case, "withdraw"), {"reason": "replayed"})
    assert response.status_code == 409 and why in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.closure_stage) == before
    assert not CaseActivity.objects.filter(case=case, kind="status_changed").exists()


def test_a_tenant_withdrawing_withdraws_the_landlords_application_too(client):
    tenant = make_applicant("t@test.example")
    tenants = tenant_case(applicant=tenant, status=S.CHASER)
    landlords = landlord_case(
        applicant=make_applicant("l@test.example", kind="landlord"), parent=tenants, status=S.CHASER
    )
    client.force_login(tenant)
    assert "their application will be withdrawn too" in client.get(url(tenants, "withdraw")).content.decode()
    client.post(url(tenants, "withdraw"), {})
    landlords.refresh_from_db()
    assert (landlords.status, landlords.closure_stage) == (S.CLOSED, "withdrawn")


def test_a_landlord_withdrawing_sends_the_tenant_back_to_wait(client):
    landlord = make_applicant("l@test.example", kind="landlord")
    tenants = tenant_case(applicant=make_applicant("t@test.example"), status=S.CHASER)
    landlords = landlord_case(applicant=landlord, parent=tenants, status=S.CHASER)
    client.force_login(landlord)
    page = client.get(url(landlords, "withdraw")).content.decode()
    assert "Your tenant's application will stay open" in page
    client.post(url(landlords, "withdraw"), {})
    tenants.refresh_from_db()
    assert tenants.status == S.APPLICATION_MATCH


def test_a_too_long_reason_is_a_form_error_and_nothing_changes(client):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.CHASER)
    client.force_login(tenant)
    response = client.post(url(case, "withdraw"), {"reason": "x" * 1001})
    assert response.status_code == 400
    content = response.content.decode()
    assert "govuk-error-summary" in content and "Use 1000 characters or fewer" in content
    assert "<title>Error:" in content
    case.refresh_from_db()
    assert case.status == S.CHASER


def test_a_withdrawal_refused_by_casework_is_a_message_not_a_500(client, monkeypatch):
    from core import errors
    from portal.views import status as views

    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.CHASER)

    def refuse(**kwargs):
        raise errors.TransitionNotAllowed("moved meanwhile")

    monkeypatch.setattr(views, "case_withdraw", refuse)
    client.force_login(tenant)
    response = client.post(url(case, "withdraw"), {})
    assert response.status_code == 409
    assert "cannot be withdrawn now" in response.content.decode()


# --- appeal ---------------------------------------------------------------------------------


def test_a_denial_can_be_appealed_once(client, appeals):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.CLOSED, closure_stage="denied")
    client.force_login(tenant)
    assert "Appeal the decision" in client.get(url(case)).content.decode()
    form = client.get(url(case, "appeal")).content.decode()
    assert 'name="grounds"' in form

    response = client.post(url(case, "appeal"), {"grounds": "My income was counted twice."})
    appeal = Case.objects.get(parent=case, workflow="appeal")
    assert response.status_code == 302 and response["Location"] == url(appeal)
    assert (appeal.applicant, appeal.description, appeal.status) == (tenant, "My income was counted twice.", "lodged")
    assert appeal.tasks.filter(kind="appeal_review").count() == 1
    landing = client.get(url(appeal)).content.decode()
    assert appeal.number in landing and "Appeal received" in landing

    # The form is gone: the appeal's number and status instead.
    after = client.get(url(case, "appeal")).content.decode()
    assert appeal.number in after and 'name="grounds"' not in after and "Appeal received" in after
    # A replayed POST: told it is already appealed, with the first's number; no second appeal.
    replay = client.post(url(case, "appeal"), {"grounds": "Again"})
    assert replay.status_code == 409
    assert f"You have already appealed this decision (appeal {appeal.number})" in replay.content.decode()
    assert Case.objects.filter(parent=case, workflow="appeal").count() == 1
    assert "You appealed this decision: appeal" in client.get(url(case)).content.decode()


def test_empty_grounds_are_a_form_error_and_no_appeal_is_made(client, appeals):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.CLOSED, closure_stage="denied")
    client.force_login(tenant)
    for grounds in ("", "   ", "x" * 5001):
        response = client.post(url(case, "appeal"), {"grounds": grounds})
        assert response.status_code == 400
        content = response.content.decode()
        assert "govuk-error-summary" in content and 'href="#id_grounds"' in content
    assert not Case.objects.filter(parent=case).exists()


@pytest.mark.parametrize(
    ("status", "stage"),
    [(S.CHASER, ""), (S.PAYMENT, ""), (S.CLOSED, "withdrawn"), (S.CLOSED, "paid"), (S.CLOSED, "ineligible")],
)
def test_only_a_denial_can_be_appealed(client, appeals, status, stage):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=status, closure_stage=stage)
    client.force_login(tenant)
    page = client.get(url(case, "appeal")).content.decode()
    assert "Only an application that was not approved can be appealed." in page and 'name="grounds"' not in page
    assert client.post(url(case, "appeal"), {"grounds": "Please"}).status_code == 409
    assert not Case.objects.filter(parent=case).exists()


def test_an_appeal_refused_by_casework_meanwhile_is_shown_with_the_first(client, appeals, monkeypatch):
    """Two tabs: the page was loaded before the first appeal was made; casework refuses the second."""
    from portal.selectors import status as selectors

    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.CLOSED, closure_stage="denied")
    client.force_login(tenant)
    client.post(url(case, "appeal"), {"grounds": "First"})
    first = Case.objects.get(parent=case)
    real = selectors.appeal_of
    calls = iter([None])
    monkeypatch.setattr(selectors, "appeal_of", lambda c: next(calls, real(c)))
    response = client.post(url(case, "appeal"), {"grounds": "Second"})
    assert response.status_code == 409 and first.number in response.content.decode()
    assert Case.objects.filter(parent=case).count() == 1
