"""The case page in a real browser: working a case through its chevrons, a note with an
@mention chosen with the keyboard, uploading a document, logging a review and referring the
case to a team. axe-core checks every state the flows reach."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from casework.models import Case, Document, NoteMention, Notification, Referral, Workflow
from core.roles import Role
from tests.casework.factories import CaseFactory, CaseTypeFactory, QueueFactory
from tests.casework.factories_docs import PDF, image_bytes
from tests.casework.factories_referrals import ReferralReasonFactory


def housing_case() -> Case:
    return CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.HOUSING_OPTIONS))


def test_work_a_case_through_its_chevrons(server, signed_in, check_page, caseworker):
    case = housing_case()
    page = signed_in(caseworker)
    page.goto(f"{server}/staff/cases/{case.pk}/")
    chevrons = page.get_by_role("navigation", name="Case progress")
    expect(chevrons.locator('[aria-current="step"]')).to_contain_text("Enquiry")
    expect(page.get_by_text("Awaiting assignment").first).to_be_visible()
    check_page(page, "case-enquiry")

    page.get_by_role("button", name="Start assessment").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{case.number} is now at Assessment.")
    expect(chevrons.locator('[aria-current="step"]')).to_contain_text("Assessment")
    expect(page.get_by_role("button", name="Start assessment")).to_have_count(0)
    check_page(page, "case-assessment")

    page.get_by_role("button", name="Agree housing plan").click()
    expect(chevrons.locator('[aria-current="step"]')).to_contain_text("Personal housing plan")

    # Closing needs a reason: refused without one, with the error summary linking to the field.
    actions = page.locator("#case-actions")
    actions.locator(".govuk-details__summary-text", has_text="Resolve").click()
    actions.get_by_role("button", name="Resolve").click()
    summary = page.locator("#case-actions .govuk-error-summary")
    expect(summary).to_contain_text("Give a reason to resolve.")
    expect(summary).to_be_focused()
    check_page(page, "case-resolve-refused")
    summary.get_by_role("link", name="Give a reason to resolve.").click()
    expect(page.get_by_label("Reason for “Resolve”")).to_be_focused()
    page.keyboard.type("Moved in with family")
    actions.get_by_role("button", name="Resolve").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is now at Closed (Resolved)")
    expect(actions).to_contain_text("The case is closed.")
    check_page(page, "case-closed")
    case.refresh_from_db()
    assert (case.status, case.closure_stage) == ("closed", "resolved")


def test_add_a_note_with_an_at_mention_chosen_with_the_keyboard(server, signed_in, check_page, caseworker, make_staff):
    tara = make_staff(Role.CASEWORKER, email="tara.reilly@test.example", first_name="Tara", last_name="Reilly")
    make_staff(Role.CASEWORKER, email="tom.tenby@test.example", first_name="Tom", last_name="Tenby")
    case = housing_case()
    page = signed_in(caseworker)
    page.goto(f"{server}/staff/cases/{case.pk}/")

    note = page.get_by_label("Note", exact=True)
    note.click()
    page.keyboard.type("Please ring the tenant back, @tar")
    suggestions = page.locator("[data-mention-suggestions]")
    expect(suggestions.get_by_role("button")).to_have_count(1)
    expect(suggestions).to_contain_text("Tara Reilly")
    expect(page.locator("[data-mention-status]")).to_contain_text("1 colleague matches")
    check_page(page, "case-note-mention-suggestions")
    page.keyboard.press("ArrowDown")
    expect(suggestions.get_by_role("button", name=re.compile("Tara Reilly"))).to_be_focused()
    page.keyboard.press("Enter")
    expect(note).to_be_focused()
    expect(note).to_have_value("Please ring the tenant back, @tara.reilly ")
    page.keyboard.type("today.")
    page.get_by_role("button", name="Add note").click()

    feed = page.locator("#case-feed")
    expect(feed).to_contain_text("Note added. Notified: Tara Reilly.")
    expect(feed.locator(".app-feed__item").first).to_contain_text("@tara.reilly today.")
    expect(page.locator("#case-feed-heading")).to_be_focused()
    check_page(page, "case-note-added")
    assert NoteMention.objects.filter(user=tara).count() == 1
    assert Notification.objects.filter(recipient=tara, kind="mention").count() == 1


def test_upload_a_document(server, signed_in, check_page, caseworker):
    case = housing_case()
    page = signed_in(caseworker)
    page.goto(f"{server}/staff/cases/{case.pk}/")
    section = page.locator("#case-documents")

    # A PNG called .pdf: its content decides, and the refusal is shown on the file field.
    section.get_by_label("File").set_input_files(
        files=[{"name": "lease.pdf", "mimeType": "application/pdf", "buffer": image_bytes("PNG")}]
    )
    section.get_by_label("Category").select_option("tenancy")
    section.get_by_role("button", name="Upload").click()
    expect(section.locator(".govuk-error-summary")).to_be_visible()
    expect(section.locator(".govuk-error-message")).to_be_visible()
    check_page(page, "case-document-refused")
    assert not Document.objects.exists()

    section.get_by_label("File").set_input_files(
        files=[{"name": "lease.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    section.get_by_label("Category").select_option("tenancy")
    section.get_by_role("button", name="Upload").click()
    expect(section).to_contain_text("lease.pdf uploaded.")
    expect(section.get_by_role("link", name="lease.pdf")).to_be_visible()
    expect(section).to_contain_text("Tenancy agreement or lease")
    check_page(page, "case-document-uploaded")
    assert Document.objects.get(case=case).original_name == "lease.pdf"


def test_log_a_review(server, signed_in, check_page, caseworker):
    case = housing_case()
    page = signed_in(caseworker)
    page.goto(f"{server}/staff/cases/{case.pk}/")
    expect(page.locator("#case-last-reviewed")).to_have_text("Not reviewed yet")
    section = page.locator("#case-review")
    section.get_by_role("button", name="Log review").click()  # the template, unfilled
    expect(section.locator(".govuk-error-summary")).to_contain_text("Fill in the review template")
    check_page(page, "case-review-refused")

    section.get_by_label("Review").fill(
        "Current Status: assessment booked\nPending Action Items: proof of income\nPending Action Owner: tenant"
    )
    section.get_by_role("button", name="Log review").click()
    expect(section).to_contain_text("Review logged.")
    expect(section).to_contain_text("proof of income")
    expect(page.locator("#case-last-reviewed")).to_contain_text("by Casey Worker")
    check_page(page, "case-review-logged")
    case.refresh_from_db()
    assert case.last_reviewed_by_id == caseworker.pk


def test_refer_a_case_to_a_team(server, signed_in, check_page, caseworker):
    reason = ReferralReasonFactory(name="Tenancy sustainment", team__name="Tenancy support")
    QueueFactory(team=reason.team, name="Support intake")
    case = housing_case()
    page = signed_in(caseworker)
    page.goto(f"{server}/staff/cases/{case.pk}/")
    section = page.locator("#case-referrals")
    expect(section).to_contain_text("Not referred to any team.")

    section.get_by_label("Team", exact=True).select_option(label="Tenancy support")
    section.get_by_label("Reason", exact=True).select_option(label="Tenancy support: Tenancy sustainment")
    section.get_by_role("button", name="Refer").click()
    expect(section.locator(".govuk-error-summary")).to_contain_text("Say what the team needs to do.")
    check_page(page, "case-referral-refused")

    section.get_by_label("What does the team need to do?").fill("Help with a budgeting plan")
    section.get_by_role("button", name="Refer").click()
    expect(section).to_contain_text("Referred to Tenancy support.")
    expect(section.locator(".app-case-list__item")).to_contain_text("Tenancy sustainment")
    expect(section.locator(".govuk-tag")).to_have_text("Open")
    check_page(page, "case-referred")
    assert Referral.objects.get(case=case).comments == "Help with a budgeting plan"
