"""A tenant's application in a real browser: start (refused first), every step, save and come back
later, continue from the home page, review, sign and submit, and the confirmation. axe-core
checks each distinct page and one with validation errors."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from casework.models import Case, Workflow
from communications.models import Message
from tests.casework.factories import CaseTypeFactory
from tests.portal.factories import make_applicant


def test_a_tenant_applies_saves_resumes_and_submits(server, signed_in, check_page):
    CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    page = signed_in(make_applicant("tara@test.example"))
    page.goto(f"{server}/portal/")
    check_page(page, "portal-home-tenant")
    page.get_by_role("button", name="Start an application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Start an application")
    check_page(page, "portal-application-start")
    page.get_by_role("button", name="Start application").click()
    expect(page).to_have_title(re.compile(r"^Error: Start an application"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the first line of the address.")
    check_page(page, "portal-application-start-errors")
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter the first line of the address.").click()
    expect(page.get_by_label("Address line 1")).to_be_focused()

    page.get_by_label("Address line 1").fill("Flat 2, 10 High Street")
    page.get_by_label("Town or city").fill("Anytown")
    page.get_by_label("Postcode or ZIP code").fill("ab1 2cd")
    page.get_by_label("Your full name").fill("Tara Tenant")
    page.get_by_label("Your date of birth").fill("1985-03-27")
    page.get_by_role("button", name="Start application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your home and landlord")
    expect(page.get_by_label("Address line 1")).to_have_value("Flat 2, 10 High Street")
    check_page(page, "portal-application-home")
    page.get_by_label("When did your tenancy start?").fill("2023-09-01")
    page.get_by_label("Rent per month").fill("650")
    page.get_by_label("I will give my landlord's contact details").check()
    page.get_by_label("Landlord's name or company").fill("Larry Lord")
    page.get_by_label("Landlord's email address").fill("larry@test.example")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your household")
    page.get_by_role("button", name="Add a person").click()
    page.get_by_label("Full name", exact=True).fill("Tom Tenant")
    page.get_by_label("Date of birth", exact=True).fill("2015-06-01")
    page.get_by_label("Relationship to you").select_option("child")
    check_page(page, "portal-application-household")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Household income")
    check_page(page, "portal-application-income")
    # Stopping here, before answering: the step stays unfinished and resuming comes back to it.
    page.get_by_role("button", name="Save and come back later").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your applications")
    number = Case.objects.get().number
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"{number} has been saved")
    check_page(page, "portal-home-draft")
    page.get_by_role("button", name=f"Continue your application {number}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Household income")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the household's income")
    page.get_by_label("Wages and earnings, per month").fill("1200")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Rent owed")
    check_page(page, "portal-application-rent-owed")
    page.get_by_label("How much rent do you owe?").fill("1300")
    page.get_by_label("Since which month have you owed rent?").fill("2026-03")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Household expenses")
    check_page(page, "portal-application-expenses")
    page.get_by_label("Utilities (gas, electricity, water), per month").fill("120")
    page.get_by_label("Childcare, per month").fill("0")
    page.get_by_label("Other essential costs, per month").fill("40")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Declarations and contact")
    check_page(page, "portal-application-consent")
    page.get_by_label("The information I have given is true").check()
    page.get_by_label("The programme may share my application").check()
    page.get_by_label("The programme may check the information").check()
    page.get_by_label("Email").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers and submit")
    expect(page.locator("#section-household")).to_contain_text("Tom Tenant")
    check_page(page, "portal-application-review")
    page.get_by_label("Type your full name to sign").fill("Tara Tenant")
    page.get_by_label("I confirm that the information").check()
    page.get_by_role("button", name="Sign and submit").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    expect(page.locator(".govuk-panel")).to_contain_text(number)
    check_page(page, "portal-application-submitted")
    case = Case.objects.get()
    assert (case.status, case.signed_name) == ("application_match", "Tara Tenant")
    expect(page.get_by_text(case.application_code)).to_be_visible()
    assert Message.objects.get().recipient_email == "tara@test.example"
