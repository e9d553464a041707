"""Searching for a case, a person or a property from the staff navigation, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.casework.factories import CaseFactory, ContactFactory, PropertyFactory


def test_search_by_postcode_surname_and_case_number(server, signed_in, check_page, caseworker):
    tara = ContactFactory(first_name="Tara", last_name="Reilly", email="tara@example.com")
    home = PropertyFactory(address_line_1="12 Orchard Way", town="Kingsford", postcode="SW1A 1AA")
    case = CaseFactory(contact=tara, property=home)
    page = signed_in(caseworker)
    page.goto(f"{server}/staff/")
    page.get_by_role("link", name="Search").click()
    expect(page).to_have_url(re.compile(r"/staff/search/$"))
    check_page(page, "search")

    box = page.get_by_label("Case number, name, address or postcode")
    box.fill("sw1a1aa")
    box.press("Enter")  # the keyboard alone is enough
    properties = page.get_by_role("table", name=re.compile("1 property"))
    expect(properties).to_contain_text("12 Orchard Way")
    expect(properties).to_contain_text("SW1A 1AA")
    expect(page.get_by_role("table", name=re.compile("1 case"))).to_contain_text(case.number)
    check_page(page, "search-results")

    page.get_by_label("Case number, name, address or postcode").fill("reilly")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("table", name=re.compile("1 contact"))).to_contain_text("Tara Reilly")

    page.get_by_label("Case number, name, address or postcode").fill(case.number.lower())
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=case.number).click()
    expect(page).to_have_url(re.compile(rf"/staff/cases/{case.pk}/$"))


def test_no_results_and_too_short(server, signed_in, check_page, caseworker):
    page = signed_in(caseworker)
    page.goto(f"{server}/staff/search/?q=Zebedee")
    expect(page.get_by_role("heading", level=2, name="No results for “Zebedee”")).to_be_visible()
    check_page(page, "search-no-results")

    page.get_by_label("Case number, name, address or postcode").fill("z")
    page.get_by_role("button", name="Search").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter at least 2 characters.")
    expect(page).to_have_title(re.compile(r"^Error:"))
    check_page(page, "search-error")
    summary.get_by_role("link", name="Enter at least 2 characters.").click()
    expect(page.get_by_label("Case number, name, address or postcode")).to_be_focused()
