"""The arrears patch worktray in a real browser: a caseworker opens it from the navigation, moves
between its lists, filters by recommended action and follows an account; the leasehold
worktray; a supervisor's chart of classifications by patch. axe-core checks each page."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from arrears.models import PauseReason
from tests.arrears.factories import RentAccountFactory
from tests.casework.factories import PatchFactory


def _account(patch, balance: str, classification: str, **fields):
    return RentAccountFactory(
        patch=patch, in_scope=True, balance=Decimal(balance), classification=classification, **fields
    )


def test_a_caseworker_works_the_arrears_worktray(server, signed_in, check_page, caseworker, supervisor):
    east, west = PatchFactory(code="E01", name="Arrears East 1"), PatchFactory(code="W01", name="Arrears West 1")
    today = timezone.localdate()
    now = timezone.now()
    letter = _account(east, "950.00", "send_letter_one", last_action_code="GMS", last_action_at=now)
    nosp = _account(west, "720.00", "send_nosp", nosp_served_on=today - datetime.timedelta(days=30))
    _account(east, "310.00", "no_action", eviction_date=now + datetime.timedelta(days=12), court_outcome_code="OPD")
    _account(
        west,
        "480.00",
        "no_action",
        paused_until=today + datetime.timedelta(days=7),
        pause_reason=PauseReason.objects.get(label="Court date set"),
        pause_comment="Hearing booked",
        court_date=now + datetime.timedelta(days=5),
    )
    _account(east, "640.00", "send_nosp", kind="service_charge")
    page = signed_in(caseworker)

    page.goto(f"{server}/staff/")
    page.get_by_role("link", name="Arrears", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rent arrears worktray")
    tabs = page.locator("#worktray-tabs")
    expect(tabs.get_by_role("link", name="Immediate actions: 2")).to_have_attribute("aria-current", "page")
    expect(page.locator("#arrears-accounts tbody tr")).to_have_count(2)
    expect(page.locator("#arrears-accounts tbody tr").first).to_contain_text(letter.reference)
    expect(page.locator("#arrears-accounts tbody tr").first).to_contain_text("£950.00")
    check_page(page, "arrears-worktray")

    # The paused list shows why and until when.
    tabs.get_by_role("link", name="Paused: 1").click()
    expect(page.get_by_role("heading", level=2, name="Paused")).to_be_visible()
    expect(page.locator("#arrears-accounts")).to_contain_text("Court date set")
    expect(page.locator("#arrears-accounts")).to_contain_text("Hearing booked")

    # A date list, soonest first, with no sort to choose.
    tabs.get_by_role("link", name="Upcoming evictions: 1").click()
    expect(page).to_have_url(re.compile(r"tab=evictions"))
    expect(page.locator("#arrears-accounts tbody tr")).to_have_count(1)
    expect(page.locator("#arrears-accounts")).to_contain_text("OPD Outright possession with date")
    expect(page.get_by_label("Sort by")).to_have_count(0)
    check_page(page, "arrears-worktray-upcoming-evictions")

    # Filter the full patch by a recommended action; the list stays on its tab.
    page.locator("#worktray-tabs").get_by_role("link", name="Full patch: 4").click()
    page.get_by_label("Recommended action").select_option("send_nosp")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"tab=full.*action=send_nosp"))
    expect(tabs.get_by_role("link", name="Full patch: 1")).to_have_attribute("aria-current", "page")
    expect(page.locator("#arrears-accounts tbody tr")).to_have_count(1)
    row = page.locator("#arrears-accounts tbody tr").first
    expect(row).to_contain_text("Send NOSP")
    expect(row).to_contain_text("expires")
    check_page(page, "arrears-worktray-filtered-by-action")

    # An empty list says so, and how to see more.
    tabs.get_by_role("link", name="Paused: 0").click()
    expect(page.locator("#worktray-empty")).to_contain_text("No account is paused.")
    page.get_by_role("link", name="Show every patch and action").click()
    expect(page.locator("#arrears-accounts tbody tr")).to_have_count(1)

    # Follow an account from its row.
    page.goto(f"{server}/staff/arrears/?tab=full&action=send_nosp")
    page.get_by_role("link", name=nosp.reference).click()
    expect(page).to_have_url(re.compile(rf"/staff/arrears/accounts/{nosp.pk}/$"))

    # The leasehold worktray: service-charge accounts, in their own words.
    page.goto(f"{server}/staff/arrears/")
    page.get_by_role("link", name="Leasehold service charges").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leasehold service charge worktray")
    expect(page.locator("#arrears-accounts tbody tr")).to_have_count(1)
    expect(page.locator("#arrears-accounts")).to_contain_text("Send letter before action")
    check_page(page, "arrears-leasehold-worktray")

    # A supervisor's chart: each count leads to those accounts on the worktray.
    page = signed_in(supervisor)
    page.goto(f"{server}/staff/arrears/")
    page.get_by_role("link", name="Classifications by patch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Classifications by patch")
    expect(page.get_by_role("img", name="Accounts per patch by recommended action")).to_be_visible()
    table = page.locator("#classification-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    check_page(page, "arrears-classification-chart")
    table.get_by_role("link", name="1 account in W01 Arrears West 1: Send NOSP").click()
    expect(page).to_have_url(re.compile(rf"patch={west.pk}&action=send_nosp"))
    expect(page.locator("#arrears-accounts tbody tr")).to_have_count(1)
    expect(page.locator("#arrears-accounts")).to_contain_text(nosp.reference)
