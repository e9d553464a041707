"""Documents in a real browser, both sides: the applicant sees what we need, sends a file that is
refused then a PDF that answers it; a caseworker asks for it again from the case page; the
applicant sees why and re-uploads. axe-core checks the portal page (with and without an error)
and the case page's documents section."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from casework.models import DocumentRequest
from casework.services import document_requests as request_services
from tests.casework.factories import tenant_case
from tests.casework.factories_docs import EXE, PDF, image_bytes
from tests.portal.factories import make_applicant


def test_upload_ask_again_and_re_upload(server, signed_in, check_page, caseworker):
    tina = make_applicant("tina@test.example")
    case = tenant_case(applicant=tina, status="chaser")
    request = request_services.document_request_create(
        actor=caseworker, case=case, category="income", description="Your last two payslips"
    )

    # The applicant: what we need, a refused file, then a PDF.
    page = signed_in(tina)
    page.goto(f"{server}/portal/applications/{case.number}/documents/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your documents")
    card = page.locator(f"#request-{request.pk}")
    expect(card).to_contain_text("Your last two payslips")
    check_page(page, "portal-documents")

    file_input = page.get_by_label("Upload a file for: Your last two payslips")
    file_input.set_input_files({"name": "payslip.pdf", "mimeType": "application/pdf", "buffer": EXE})
    card.get_by_role("button", name=re.compile("Send this document")).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("which we do not accept")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, "portal-documents-refused")
    summary.get_by_role("link").first.click()
    expect(file_input).to_be_focused()

    file_input.set_input_files({"name": "payslips.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.locator(f"#request-{request.pk}").get_by_role("button", name=re.compile("Send this document")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("We have received payslips.pdf")
    expect(page.get_by_text("We do not need any documents from you")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("payslips.pdf")
    request.refresh_from_db()
    assert request.status == DocumentRequest.Status.RECEIVED

    # The caseworker asks for it again from the case page.
    page.context.clear_cookies()
    page = signed_in(caseworker)
    page.goto(f"{server}/staff/cases/{case.pk}/")
    section = page.locator("#case-documents")
    section.locator(".govuk-details__summary-text", has_text="Ask for it again").click()
    section.get_by_role("button", name="Ask again").click()
    expect(section.locator(".govuk-error-summary")).to_contain_text("Give a reason")
    check_page(page, "case-documents-ask-again-refused")
    section.get_by_label("Why do you need payslips.pdf again?").fill("The second payslip is cut off.")
    section.get_by_role("button", name="Ask again").click()
    expect(section).to_contain_text("Asked the applicant to send payslips.pdf again.")
    expect(section.locator(".app-document-requests")).to_contain_text("The second payslip is cut off.")
    check_page(page, "case-documents-asked-again")

    # The applicant sees why, and sends a clearer copy.
    page.context.clear_cookies()
    page = signed_in(tina)
    page.goto(f"{server}/portal/applications/{case.number}/documents/")
    expect(page.get_by_text("The second payslip is cut off.")).to_be_visible()
    expect(page.get_by_text("This replaces payslips.pdf")).to_be_visible()
    again = DocumentRequest.objects.get(replaces=request.document)
    page.get_by_label("Upload a file for: Your last two payslips").set_input_files(
        {"name": "payslips-clear.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}
    )
    page.locator(f"#request-{again.pk}").get_by_role("button", name=re.compile("Send this document")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("payslips-clear.png")
    check_page(page, "portal-documents-received")
    again.refresh_from_db()
    assert again.status == DocumentRequest.Status.RECEIVED
