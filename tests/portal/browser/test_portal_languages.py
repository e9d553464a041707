"""The application flow read in Spanish, Khmer and Simplified Chinese in a real browser: the
applicant's remembered language is used, the page says which language it is in, the start page
and its error summary are translated, and axe-core finds nothing wrong (screenshots show the
scripts drawn with Debian's Khmer and CJK fonts)."""

from __future__ import annotations

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
