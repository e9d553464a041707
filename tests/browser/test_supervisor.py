"""The supervisor pages in a real browser: reading why a case is waiting and assigning it by hand,
setting someone's presence on the staff page, and the backlog and charts pages."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from assignments.models import BacklogSnapshot, CaseRouting, Offer, RoutingProfile
from casework.models import Case, CaseActivity
from core.roles import Role
from tests.assignments.routing_setup import ENQUIRY_SKILL, housing_options_routed, routed_case, routed_staff


def _h(hours: float) -> datetime.timedelta:
    return datetime.timedelta(hours=hours)


def test_supervisor_reads_why_a_case_waits_and_assigns_it_by_hand(server, signed_in, check_page):
    case_type = housing_options_routed()
    # The only person holding the enquiries skill has gone home: nobody available holds it.
    routed_staff(ENQUIRY_SKILL, presence="offline", name="Olu")
    helper = routed_staff(presence="available", name="Hana")  # available, but without the skill
    case = routed_case(case_type)
    assert CaseRouting.objects.get(pk=case.pk).state == CaseRouting.State.AWAITING
    supervisor = routed_staff(presence="offline", role=Role.SUPERVISOR, name="Sue")
    page = signed_in(supervisor)

    page.goto(f"{server}/staff/")
    page.get_by_role("link", name="Supervisor", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff")
    page.get_by_role("link", name="Backlog", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Backlog")
    expect(page.locator("main")).to_contain_text("1 case is awaiting assignment")
    check_page(page, "supervisor-backlog")

    page.get_by_role("link", name=re.compile(rf"^{ENQUIRY_SKILL}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Cases waiting for {ENQUIRY_SKILL}")
    check_page(page, "supervisor-backlog-cases")

    page.get_by_role("link", name=re.compile(case.number)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Why is {case.number} waiting?")
    explanation = page.locator("#routing-explanation")
    expect(explanation).to_contain_text("1 person holds every skill needed: 1 is offline.")
    check_page(page, "supervisor-case-waiting")

    # Assigning without saying why is refused, with an error summary that links to the field.
    page.get_by_label("Assign to").select_option(str(helper.pk))
    page.get_by_role("button", name="Assign", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say why you are assigning the case by hand")
    check_page(page, "supervisor-case-assign-error")

    page.get_by_label("Reason", exact=True).fill("Olu is off today; Hana covers enquiries")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{case.number} is assigned to Hana Routed.")
    expect(explanation).to_contain_text("Assigned by hand to Hana Routed")
    case.refresh_from_db()
    assert case.owner_id == helper.pk
    assert CaseRouting.objects.get(pk=case.pk).state == CaseRouting.State.MANUAL
    check_page(page, "supervisor-case-assigned")

    page.get_by_label("Reason (optional)").fill("Back to routing")
    page.get_by_role("button", name="Release").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"{case.number} is released")
    case.refresh_from_db()
    assert case.owner_id is None


def test_supervisor_sets_someones_presence_on_the_staff_page(server, signed_in, check_page):
    housing_options_routed()
    leaver = routed_staff(ENQUIRY_SKILL, presence="available", name="Bo")
    supervisor = routed_staff(presence="offline", role=Role.SUPERVISOR, name="Sue")
    page = signed_in(supervisor)

    page.goto(f"{server}/staff/supervisor/")
    row = page.locator(f"#staff-{leaver.pk}")
    expect(row).to_contain_text("Available")
    expect(page.locator("#staff-updated")).to_contain_text(re.compile(r"Updated at \d\d:\d\d:\d\d"))
    check_page(page, "supervisor-staff")

    # The table refreshes itself (every 15 seconds) and says when: a new time, the same rows.
    updated = page.locator("#staff-updated")
    before = updated.inner_text()
    expect(updated).not_to_have_text(before, timeout=20_000)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)  # the table alone was swapped in
    expect(page.locator(f"#staff-{leaver.pk}")).to_contain_text("Available")

    page.get_by_label("Presence of Bo Routed").select_option("offline")
    page.get_by_role("button", name="Set presence of Bo Routed").click()
    expect(page.locator("#supervisor-staff")).to_contain_text("Bo Routed is now Offline.")
    expect(page.locator(f"#staff-{leaver.pk}")).to_contain_text("Offline")
    assert RoutingProfile.objects.get(user=leaver).presence == "offline"
    check_page(page, "supervisor-staff-after-change")


def test_supervisor_reads_the_charts(server, signed_in, check_page):
    case_type = housing_options_routed()
    worker = routed_staff(ENQUIRY_SKILL, presence="available", name="Cy")
    case = routed_case(case_type)
    Offer.objects.filter(case=case).update(status="accepted", responded_at=timezone.now())
    now = timezone.now()
    for hours_ago, cases in [(3, 4), (2, 6), (1, 2)]:
        BacklogSnapshot.objects.create(taken_at=now - _h(hours_ago), cases=cases, oldest_wait_seconds=hours_ago * 600)
    opened = Case.objects.get(pk=case.pk).created_at
    CaseActivity.objects.create(
        case=case,
        kind=CaseActivity.Kind.STATUS_CHANGED,
        at=opened + datetime.timedelta(minutes=90),
        from_status="enquiry",
        actor=worker,
        summary="Assessed",
    )
    supervisor = routed_staff(presence="offline", role=Role.SUPERVISOR, name="Sue")
    page = signed_in(supervisor)

    page.goto(f"{server}/staff/supervisor/charts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Charts")
    expect(page.locator("svg[role=img]")).to_have_count(6)
    expect(page.locator("#offer-days")).to_contain_text("1")
    expect(page.locator("#chevron-times")).to_contain_text("Enquiry")
    expect(page.locator("#first-actions")).to_contain_text("1 h 30 min")
    check_page(page, "supervisor-charts")
