"""A landlord in a real browser: blocked until their profile is complete (seed 000), adds payee
details (refused first) and a property, starts an application with their tenant's code, answers
each step, signs and submits, and is matched with the tenant's waiting application. axe-core
checks each distinct page and one page with errors."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from casework.models import Case
from tests.portal.landlord_helpers import make_landlord, programmes, waiting_tenant_case


def test_landlord_profile_first_then_apply_by_code_and_submit(server, page, signed_in, check_page):
    programmes()
    landlord = make_landlord(complete=False)
    tenant = waiting_tenant_case()

    signed_in(landlord).goto(f"{server}/portal/")
    expect(page.get_by_role("heading", name="Finish your profile first")).to_be_visible()
    check_page(page, "portal-landlord-home-gate")
    page.goto(f"{server}/portal/landlord-applications/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Finish your profile first")
    expect(page.locator("main form")).to_have_count(0)
    check_page(page, "portal-landlord-start-blocked")

    page.get_by_role("link", name="Your payee details: who we pay and how").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payee details")
    check_page(page, "portal-landlord-payee")
    page.get_by_label("An individual").check()
    page.get_by_label("Name payments are made out to").fill("Lena Lord")
    page.get_by_label("Tax identification number (TIN or EIN)").fill("12-34")
    page.get_by_label("Bank transfer").check()
    page.get_by_role("button", name="Save payee details").click()
    expect(page).to_have_title(re.compile(r"^Error: Payee details"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a tax identification number of 9 digits")
    expect(summary).to_contain_text("Enter the name on the bank account.")
    check_page(page, "portal-landlord-payee-errors")
    page.get_by_label("Tax identification number (TIN or EIN)").fill("12-3456789")
    page.get_by_label("Name on the account").fill("Lena Lord")
    page.get_by_label("Routing number or sort code").fill("021000021")
    page.get_by_label("Account number").fill("000123456789")
    page.get_by_role("button", name="Save payee details").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_text("Account ending 6789")).to_be_visible()
    check_page(page, "portal-landlord-profile-incomplete")
    page.get_by_role("button", name="Add a property").or_(page.get_by_role("link", name="Add a property")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a property")
    check_page(page, "portal-landlord-property-add")
    page.get_by_label("Address line 1").fill("12 High Street")
    page.get_by_label("Town or city").fill("Springfield")
    page.get_by_label("Postcode or ZIP code").fill("02139")
    page.get_by_label("How many homes are let at this address?").fill("2")
    page.get_by_role("button", name="Add property").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    check_page(page, "portal-landlord-profile-complete")

    page.get_by_role("link", name="Start a landlord application").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a landlord application")
    check_page(page, "portal-landlord-start")
    page.get_by_label("Your tenant's application code").fill(tenant.application_code)
    page.get_by_role("button", name="Start application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Property")
    check_page(page, "portal-landlord-step-property")
    page.get_by_label("12 High Street").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tenant and tenancy")
    check_page(page, "portal-landlord-step-tenancy")
    page.get_by_label("Tenant's full name").fill("Tara Tenant")
    page.get_by_label("Monthly rent").fill("850")
    page.get_by_label("When did the tenancy start?").fill("2024-03-01")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rent owed")
    check_page(page, "portal-landlord-step-rent")
    page.get_by_label("How much rent is owed in total?").fill("1700")
    page.get_by_label("Since which month has rent been owed?").fill("2025-01")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Payee")
    check_page(page, "portal-landlord-step-payee")
    page.get_by_label("Pay this payee for this application").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Declaration")
    check_page(page, "portal-landlord-step-declaration")
    page.locator("#step-confirm").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers and submit")
    check_page(page, "portal-landlord-review")
    page.get_by_label("Type your full name to sign").fill("Lena Lord")
    page.get_by_label("I confirm that the information in this application is true and complete.").check()
    page.get_by_role("button", name="Sign and submit").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    case = Case.objects.get(applicant=landlord)
    expect(page.locator(".govuk-panel__body")).to_contain_text(case.number)
    check_page(page, "portal-landlord-submitted")
    tenant.refresh_from_db()
    assert (case.status, case.parent_id, tenant.status) == ("chaser", tenant.pk, "chaser")
