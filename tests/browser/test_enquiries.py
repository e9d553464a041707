"""Taking a housing-options enquiry in a real browser, then ticking the assessment script on the
case it opened. axe-core checks the enquiry form and the case page."""

from __future__ import annotations

from playwright.sync_api import expect

from casework.models import EnquiryForm, EnquiryQuestion, PathStep, Task, Workflow, WorkflowPath
from casework.services.paths import path_publish
from tests.casework.factories import CaseTypeFactory


def test_take_an_enquiry_and_tick_the_script(server, signed_in, check_page, caseworker):
    options = CaseTypeFactory(workflow=Workflow.HOUSING_OPTIONS)
    path = WorkflowPath.objects.create(case_type=options, name="Assessment", starts_automatically=False)
    PathStep.objects.create(
        path=path, position=1, name="Assess", kind="task", task_subject="Assess", checklist="Check ID\nAsk about debts"
    )
    path_publish(path=path)
    form = EnquiryForm.objects.create(case_type=options, name="Homelessness enquiry", path=path)
    EnquiryQuestion.objects.create(form=form, position=1, key="homeless_tonight", text="Safe tonight?", kind="yes_no")

    page = signed_in(caseworker)
    page.goto(f"{server}/staff/")
    page.get_by_role("link", name="Take an enquiry").click()
    page.get_by_role("link", name="Homelessness enquiry").click()
    check_page(page, "enquiry-form")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Safe tonight?").select_option("yes")
    page.get_by_role("button", name="Take the enquiry").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Enquiry taken")
    expect(page.locator("#case-documents")).to_contain_text("housing-options-information-pack.pdf")

    page.get_by_label("Check ID").check()
    page.get_by_label("Ask about debts").check()
    page.get_by_role("button", name="Save checklist").click()
    expect(page.locator("#case-tasks")).to_contain_text("Checklist of “Assess” saved.")
    check_page(page, "case-with-checklist")
    assert [item["done"] for item in Task.objects.get(subject="Assess").checklist] == [True, True]
