"""The applicant portal's accounts in a real browser: register (refused first, then as a landlord
business), the confirmation email and its link, signing out and in, the password reset pages,
switching to Spanish, and the home page on a phone. axe-core checks every page visited."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import expect

from core.models import User
from tests.portal.factories import PASSWORD


def test_register_confirm_the_email_and_reach_home(server, page, check_page):
    page.goto(f"{server}/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for help with rent")
    check_page(page, "portal-start")

    page.get_by_role("button", name="Create an account").click()
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose what you are registering as.")
    expect(page).to_have_title(re.compile(r"^Error: Create an account"))
    check_page(page, "portal-register-errors")

    page.get_by_label("Landlord (business)").check()
    page.get_by_label("Name of the business").fill("Kingsford Lettings Ltd")
    page.get_by_label("First name").fill("Lena")
    page.get_by_label("Last name").fill("Lord")
    page.get_by_label("Email address").fill("lena@test.example")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your applications")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your account has been created")
    expect(page.get_by_role("region", name="Important")).to_contain_text("Confirm your email address")
    check_page(page, "portal-home-unconfirmed")
    user = User.objects.get(email="lena@test.example")
    assert (user.kind, user.applicant_profile.organisation_name) == ("landlord", "Kingsford Lettings Ltd")

    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Confirm your email address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    check_page(page, "portal-verify-email")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Email address confirmed")
    check_page(page, "portal-email-confirmed")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your applications")
    expect(page.get_by_text("Confirm your email address")).to_have_count(0)
    check_page(page, "portal-home")


def test_sign_in_out_reset_and_read_the_portal_in_spanish(server, page, check_page):
    from tests.portal.factories import make_applicant

    make_applicant("tara@test.example")
    page.goto(f"{server}/portal/")
    page.get_by_role("link", name="Sign in").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_page(page, "portal-sign-in")

    page.get_by_label("Email address").fill("tara@test.example")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address and password.")
    check_page(page, "portal-sign-in-error")

    page.get_by_role("link", name="I have forgotten my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    check_page(page, "portal-password-reset")
    page.get_by_label("Email address").fill("tara@test.example")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check_page(page, "portal-password-reset-sent")
    page.goto(re.search(r"https?://\S+", mail.outbox[0].body).group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    check_page(page, "portal-password-reset-confirm")

    page.goto(f"{server}/portal/sign-in/")
    page.get_by_label("Email address").fill("tara@test.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your applications")

    page.get_by_role("navigation", name="Choose a language").get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sus solicitudes")
    expect(page.get_by_role("link", name="Su cuenta")).to_be_visible()
    check_page(page, "portal-home-es")
    assert User.objects.get(email="tara@test.example").applicant_profile.preferred_language == "es"

    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Solicite ayuda con el alquiler")
    check_page(page, "portal-start-es")


def test_the_home_page_on_a_phone(server, signed_in, check_page):
    from tests.casework.factories import tenant_case
    from tests.portal.factories import make_applicant

    tenant = make_applicant("tara@test.example")
    tenant_case(applicant=tenant, status="chaser")
    page = signed_in(tenant)
    page.set_viewport_size({"width": 320, "height": 720})
    page.goto(f"{server}/portal/")
    expect(page.get_by_text("Being checked")).to_be_visible()
    # Nothing wider than the phone: no sideways scrolling (WCAG 1.4.10 reflow).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("link", name="Your account")).to_be_visible()
    check_page(page, "portal-home-phone")
