"""My worktray in a real browser: counts per chevron, sorting by priority, filtering by a
chevron from its count, saving the view and opening it again from the saved list."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from casework.models import SavedFilter
from core.roles import Role
from tests.casework.factories import CaseFactory, CaseTypeFactory


def test_work_the_worktray_counts_sort_filter_and_save_a_view(server, signed_in, check_page, make_staff):
    officer = make_staff(Role.CASEWORKER, email="worker@test.example", first_name="Wren", last_name="Worker")
    support = CaseTypeFactory(workflow="support")
    arrears = CaseTypeFactory(workflow="arrears")
    triage = [CaseFactory(owner=officer, case_type=support) for _ in range(3)]
    on_hold = CaseFactory(owner=officer, case_type=support, status="on_hold")
    urgent_court = CaseFactory(owner=officer, case_type=arrears, status="court", priority="urgent")
    CaseFactory(owner=make_staff(Role.CASEWORKER), case_type=support)  # a colleague's: never shown
    page = signed_in(officer)

    page.goto(f"{server}/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My worktray")
    counts = page.locator("#chevron-counts")
    expect(counts.get_by_role("link", name="All chevrons: 5 cases")).to_have_attribute("aria-current", "true")
    expect(counts.get_by_role("link", name="Triage: 3")).to_be_visible()
    expect(counts.get_by_role("link", name="On hold: 1")).to_be_visible()
    expect(counts.get_by_role("link", name="Court: 1")).to_be_visible()
    expect(page.locator("#my-cases tbody tr")).to_have_count(5)
    check_page(page, "worktray")

    # Sort by priority: urgent first (and again after re-sorting the other way round, last).
    page.locator("#my-cases").get_by_role("link", name=re.compile(r"^Priority")).click()
    expect(page).to_have_url(re.compile(r"sort=priority"))
    expect(page.locator("#my-cases th[aria-sort='ascending']")).to_contain_text("Priority")
    expect(page.locator("#my-cases tbody tr").first).to_contain_text(urgent_court.number)
    expect(page.locator("#my-cases tbody tr").first).to_contain_text("Urgent")
    check_page(page, "worktray-sorted-by-priority")

    # Filter by a chevron from its count; the sort stays.
    counts.get_by_role("link", name="Triage: 3").click()
    expect(page).to_have_url(re.compile(r"status=triage"))
    expect(page).to_have_url(re.compile(r"sort=priority"))
    expect(counts.get_by_role("link", name="Triage: 3")).to_have_attribute("aria-current", "true")
    rows = page.locator("#my-cases tbody tr")
    expect(rows).to_have_count(3)
    for case in triage:
        expect(page.locator("#my-cases")).to_contain_text(case.number)
    expect(page.locator("#my-cases")).not_to_contain_text(on_hold.number)
    expect(page.get_by_label("Chevron", exact=True)).to_have_value("triage")
    check_page(page, "worktray-filtered-by-chevron")

    # Saving without a name is refused with an error summary linking to the field.
    page.get_by_role("button", name="Save this view").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for this view.")
    check_page(page, "worktray-save-view-error")
    page.get_by_label("Save this view", exact=True).fill("Triage by priority")
    page.get_by_role("button", name="Save this view").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved this view as “Triage by priority”.")
    saved = SavedFilter.objects.get(user=officer)
    assert saved.query == "status=triage&sort=priority"

    # Back to everything, then reopen the saved view from the list.
    page.get_by_role("link", name="Clear filters").click()
    expect(page.locator("#my-cases tbody tr")).to_have_count(5)
    page.get_by_role("link", name="Triage by priority").click()
    expect(page).to_have_url(re.compile(r"status=triage&sort=priority$"))
    expect(page.locator("#my-cases tbody tr")).to_have_count(3)
    expect(page.get_by_role("link", name="Triage by priority")).to_have_attribute("aria-current", "true")
    check_page(page, "worktray-saved-view")

    page.get_by_role("button", name="Delete saved view Triage by priority").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Deleted the saved view")
    expect(page.get_by_text("You have no saved views yet.")).to_be_visible()
    assert not SavedFilter.objects.filter(user=officer).exists()
