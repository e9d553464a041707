"""An application's page in the portal, in a real browser: a sent-back application (the chaser's
reason, what to do), withdrawing (confirm → withdrawn), appealing a denial (an empty form's
error page, then the appeal shown), and cancelling an appointment. axe-core checks every page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from casework.models import Appointment, Case, CaseActivity
from casework.services.feed import feed_record
from tests.casework.factories import CaseTypeFactory, tenant_case
from tests.casework.factories_docs import AppointmentFactory, in_hours
from tests.portal.factories import make_applicant


def test_a_sent_back_application_says_why_and_can_be_withdrawn(server, signed_in, check_page):
    tenant = make_applicant("tara@test.example")
    case = tenant_case(applicant=tenant, status="draft")
    feed_record(
        case=case,
        kind=CaseActivity.Kind.STATUS_CHANGED,
        actor=None,
        summary="Send back to draft",
        from_status="chaser",
        to_status="draft",
        reason="Please add your tenancy agreement.",
    )
    page = signed_in(tenant)
    page.goto(f"{server}/portal/")
    # A draft's title opens where the applicant left off; its page is linked too.
    page.locator(f'a[href="/portal/applications/{case.number}/"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Application {case.number}")
    expect(page.locator("#sent-back")).to_contain_text("Please add your tenancy agreement.")
    expect(page.locator("[aria-current=step]")).to_contain_text("Fill in and submit the application")
    check_page(page, "portal-status-sent-back")

    page.get_by_role("link", name="Withdraw application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw your application")
    check_page(page, "portal-status-withdraw")
    page.get_by_label("Why are you withdrawing? (optional)").fill("I have paid the rent.")
    page.get_by_role("button", name="Withdraw application").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("has been withdrawn")
    expect(page.locator(".govuk-tag")).to_have_text("Withdrawn")
    check_page(page, "portal-status-withdrawn")
    case.refresh_from_db()
    assert (case.status, case.closure_stage) == ("closed", "withdrawn")


def test_appealing_a_denial(server, signed_in, check_page):
    CaseTypeFactory(workflow="appeal")
    tenant = make_applicant("tara@test.example")
    case = tenant_case(applicant=tenant, status="closed", closure_stage="denied")
    page = signed_in(tenant)
    page.goto(f"{server}/portal/applications/{case.number}/")
    expect(page.locator(".govuk-tag")).to_have_text("Not approved")
    check_page(page, "portal-status-denied")

    page.get_by_role("link", name="Appeal the decision").click()
    page.get_by_role("button", name="Send my appeal").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the decision should be looked at again.")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, "portal-status-appeal-errors")

    page.get_by_label("Why should the decision be looked at again?").fill("My income was counted twice.")
    page.get_by_role("button", name="Send my appeal").click()
    appeal = Case.objects.get(parent=case, workflow="appeal")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(appeal.number)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Application {appeal.number}")
    check_page(page, "portal-status-appeal")


def test_cancelling_an_appointment(server, signed_in, check_page):
    tenant = make_applicant("tara@test.example")
    case = tenant_case(applicant=tenant, status="chaser")
    appointment = AppointmentFactory(case=case, starts_at=in_hours(72), mode="in_person", location="Civic Centre")
    page = signed_in(tenant)
    page.goto(f"{server}/portal/applications/{case.number}/")
    expect(page.get_by_role("heading", name="Your appointments")).to_be_visible()
    page.get_by_role("link", name="Cancel this appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your appointment")
    check_page(page, "portal-status-appointment-cancel")
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your appointment has been cancelled.")
    expect(page.get_by_role("heading", name="Your appointments")).to_have_count(0)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
