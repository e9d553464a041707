"""The application flow read in Spanish, Khmer and Simplified Chinese in a real browser: the
applicant's remembered language is used, the page says which language it is in, the start page
and its error summary are translated, and axe-core finds nothing wrong (screenshots show the
scripts drawn with Debian's Khmer and CJK fonts)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation
from playwright.sync_api import expect

from casework.models import Workflow
from tests.casework.factories import CaseTypeFactory
from tests.portal.factories import make_applicant


@pytest.mark.parametrize("language", ["es", "km", "zh-hans"])
def test_the_application_flow_in_the_applicants_language(server, signed_in, check_page, language):
    CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    page = signed_in(make_applicant("tara@test.example", language=language))
    with translation.override(language):
        start = translation.gettext("Start an application")
        start_button = translation.gettext("Start application")
        missing_address = translation.gettext("Enter the first line of the address.")
    assert start != "Start an application" and missing_address != "Enter the first line of the address."

    page.goto(f"{server}/portal/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    check_page(page, f"portal-home-{language}")
    page.get_by_role("button", name=start).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(start)
    check_page(page, f"portal-application-start-{language}")
    page.get_by_role("button", name=start_button).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(missing_address)
    check_page(page, f"portal-application-start-errors-{language}")


def test_the_application_pages_on_a_phone(server, signed_in, check_page):
    """At 320 CSS pixels (WCAG 1.4.10 reflow), in the language with the longest words here, a
    step of the application, its review and the application's page need no sideways scrolling."""
    from portal.services import applications as services

    programme = CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    tenant = make_applicant("tara@test.example", language="km")
    application = services.tenant_application_start(
        actor=tenant,
        case_type=programme,
        address_line_1="Flat 2, 10 High Street",
        town="Anytown",
        postcode="AB1 2CD",
        head_name="Tara Tenant",
        head_date_of_birth=datetime.date(1985, 3, 27),
    )
    page = signed_in(tenant)
    page.set_viewport_size({"width": 320, "height": 720})
    number = application.case.number
    for name, path in [
        ("household", f"/portal/applications/{number}/household/"),
        ("review", f"/portal/applications/{number}/review/"),
        ("status", f"/portal/applications/{number}/"),
    ]:
        page.goto(f"{server}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        check_page(page, f"portal-application-{name}-phone-km")
