"""Signing in, going Available, and answering an offer in the header bar, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from assignments import services as routing_services
from assignments.models import Offer, RoutingProfile
from casework.models import Case
from core import services as core_services
from core.models import User
from core.roles import Role
from tests.assignments.routing_setup import (
    ENQUIRY_SKILL,
    decline_reason,
    housing_options_routed,
    routed_case,
    routed_staff,
)


def test_sign_in_with_the_form_and_see_the_prompt_to_go_available(server, page, check_page):
    user = core_services.user_create(
        actor=None, email="officer@test.example", kind=User.Kind.STAFF, first_name="Olu", last_name="Officer"
    )
    core_services.staff_set_roles(actor=None, user=user, roles={Role.CASEWORKER})
    user.set_password("a long enough password 1")
    user.save()
    routing_services.routing_profile_set(actor=None, user=user, skills=[], capacity=10, team="Housing options")

    page.goto(f"{server}/staff/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    check_page(page, "sign-in")

    page.get_by_label("Email address").fill("officer@test.example")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "sign-in-error")

    page.get_by_label("Password").fill("a long enough password 1")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    # Forgetting to go Available is the most common mistake: the bar says so plainly.
    expect(page.locator("#presence-status")).to_contain_text("Offline")
    expect(page.locator("#presence-status")).to_contain_text("Choose Available")


def test_go_available_receive_an_offer_and_accept_it(server, signed_in, check_page):
    case_type = housing_options_routed()
    officer = routed_staff(ENQUIRY_SKILL, presence="offline", name="Ada")
    page = signed_in(officer)
    page.goto(f"{server}/staff/")

    page.get_by_label("Your presence", exact=True).select_option("available")
    page.get_by_role("button", name="Change presence").click()
    expect(page.locator("#presence-status .govuk-tag")).to_have_text("Available")
    expect(page.locator("#app-announcer")).to_have_text("You are now Available.")
    assert RoutingProfile.objects.get(user=officer).presence == "available"

    case = routed_case(case_type, priority=Case.Priority.URGENT)
    offer = Offer.objects.get(case=case, status=Offer.Status.PENDING)
    assert offer.user_id == officer.pk
    page.reload()  # the bar also refreshes itself every 20 seconds
    bar = page.locator("#presence")
    expect(bar).to_contain_text(case.number)
    expect(bar).to_contain_text("Urgent")
    expect(bar).to_contain_text(re.compile(r"\d+ min \d+ s left"))
    check_page(page, "worktray-with-offer")

    bar.get_by_role("button", name=f"Accept {case.number}").click()
    expect(page).to_have_url(re.compile(rf"/staff/cases/{case.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(case.number)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{case.number} is yours now.")
    case.refresh_from_db()
    assert case.owner_id == officer.pk
    check_page(page, "case-after-accept")


def test_decline_an_offer_with_a_reason(server, signed_in, check_page):
    case_type = housing_options_routed()
    reason = decline_reason()
    officer = routed_staff(ENQUIRY_SKILL, name="Bo")
    colleague = routed_staff(ENQUIRY_SKILL, name="Cy")
    case = routed_case(case_type)
    assert Offer.objects.get(case=case, status=Offer.Status.PENDING).user_id == officer.pk
    page = signed_in(officer)
    page.goto(f"{server}/staff/")

    bar = page.locator("#presence")
    bar.get_by_text(f"Decline {case.number}").click()
    bar.get_by_label("Reason").select_option(str(reason.pk))
    bar.get_by_label("Note (optional)").fill("On leave this afternoon")
    check_page(page, "decline-offer-open")
    bar.get_by_role("button", name="Decline", exact=True).click()

    expect(bar.get_by_role("button", name=f"Accept {case.number}")).to_have_count(0)
    offer = Offer.objects.get(case=case, user=officer)
    assert (offer.status, offer.decline_reason_id, offer.note) == ("declined", reason.pk, "On leave this afternoon")
    assert Offer.objects.get(case=case, status=Offer.Status.PENDING).user_id == colleague.pk
    # htmx swapped the bar only: the confirmation is in it (and announced), not left for the next page.
    expect(bar).to_contain_text(f"You declined {case.number}. It goes to someone else.")
    page.reload()
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)
