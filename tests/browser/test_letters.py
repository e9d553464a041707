"""Letters in a real browser: the case page's letters section (preview, a letter held for a
missing detail, tried again once it is there) and the supervisors' bulk letters page with its
progress page. axe-core checks every state."""

from __future__ import annotations

from playwright.sync_api import expect

from casework.models import Workflow
from communications import services
from communications.models import Message
from tests.casework.factories import CaseFactory, CaseTypeFactory, TenancyFactory

BODY = """Dear {{ recipient.name }},

# Your tenancy {{ tenancy.reference }}

Please call us on {{ organisation.phone }}."""


def _letter_template():
    return services.template_save(
        actor=None,
        key="tenancy-letter",
        name="Tenancy letter",
        channel="letter",
        subject="About case {{ case.number }}",
        body=BODY,
        required_fields=["tenancy.reference"],
    )


def test_preview_hold_and_send_a_letter_from_the_case_page(server, signed_in, check_page, caseworker):
    _letter_template()
    case = CaseFactory(owner=caseworker, case_type=CaseTypeFactory(workflow=Workflow.ARREARS))
    page = signed_in(caseworker)
    page.goto(f"{server}/staff/cases/{case.pk}/")
    section = page.locator("#case-messages")
    expect(section.get_by_label("Template")).to_be_visible()  # loaded after the page
    expect(section).to_contain_text("No letters, emails or texts yet.")

    section.get_by_label("Template").select_option("tenancy-letter")
    section.get_by_role("button", name="Preview").click()
    expect(section).to_contain_text("Preview: Tenancy letter")
    expect(section).to_contain_text("the case is missing Tenancy reference")
    check_page(page, "case-letter-preview")

    section.get_by_label("Template").select_option("tenancy-letter")
    section.get_by_role("button", name="Send").click()
    expect(section).to_contain_text("was not sent: the case is missing Tenancy reference")
    expect(section.get_by_text("Needs review")).to_be_visible()
    check_page(page, "case-letter-held")

    tenancy = TenancyFactory()
    case.tenancy, case.property = tenancy, tenancy.property
    case.save()
    section.get_by_role("button", name="Try again Tenancy letter").click()
    expect(section).to_contain_text("it is being sent")
    expect(section.get_by_text("Waiting to send")).to_be_visible()
    check_page(page, "case-letter-sending")
    message = Message.objects.get()
    assert message.status == Message.Status.PENDING and tenancy.reference in message.body


def test_send_a_letter_in_bulk_and_follow_its_progress(server, signed_in, check_page, supervisor):
    _letter_template()
    arrears = CaseTypeFactory(workflow=Workflow.ARREARS)
    for _ in range(3):
        CaseFactory(case_type=arrears)
    page = signed_in(supervisor)
    page.goto(f"{server}/staff/")
    page.get_by_role("link", name="Bulk letters").click()
    check_page(page, "bulk-letters")

    page.get_by_role("button", name="Check the selection").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a template.")
    check_page(page, "bulk-letters-refused")

    page.get_by_label("Template").select_option("tenancy-letter")
    page.get_by_label("Case type").select_option(str(arrears.pk))
    page.get_by_role("button", name="Check the selection").click()
    expect(page.get_by_role("status")).to_contain_text("3 open cases match.")
    check_page(page, "bulk-letters-checked")
    page.get_by_role("button", name="Send to 3 cases").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Send “Tenancy letter” to 3")
    check_page(page, "bulk-letters-progress")


def test_preview_a_template_while_editing_it_in_the_admin(server, signed_in, check_page, supervisor):
    template = _letter_template()
    tenancy = TenancyFactory()
    case = CaseFactory(tenancy=tenancy, property=tenancy.property)
    page = signed_in(supervisor)
    page.goto(f"{server}/admin/communications/template/{template.pk}/change/")
    check_page(page, "admin-template-change")
    page.get_by_role("link", name="Preview this template against a case").click()
    page.get_by_label("Case number").fill(case.number)
    page.get_by_label("Text").fill("Dear {{ recipient.name }},\n\nYour tenancy is {{ tenancy.reference }}.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#content-main")).to_contain_text(f"Your tenancy is {tenancy.reference}.")
    check_page(page, "admin-template-preview")
    page.get_by_label("Text").fill("{{ tenancy.refrence }}")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("alert")).to_contain_text("there is no merge field called “tenancy.refrence”")
