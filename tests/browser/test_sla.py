"""SLAs in a real browser: a supervisor opens the list of cases past their warning, follows one
to its case, reads its badge and opens its clocks and escalations (loaded by htmx). axe-core
checks each page."""

from __future__ import annotations

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from casework.models import Clock, SlaRule, SlaRung, Workflow
from casework.services import cases as case_services
from casework.services.clocks import clocks_recalculate
from tests.casework.factories import CaseTypeFactory, ContactFactory


def test_a_supervisor_follows_an_amber_case_to_its_clocks(server, signed_in, check_page, caseworker, supervisor):
    case_type = CaseTypeFactory(workflow=Workflow.SUPPORT)
    rule = SlaRule.objects.create(name="Resolve in 2 hours", case_type=case_type, target_amount=2, target_unit="hours")
    SlaRung.objects.create(rule=rule, kind="amber", offset_amount=1, offset_unit="hours", notify_owner=True)
    SlaRung.objects.create(rule=rule, kind="exceeded", raise_priority=True)
    case = case_services.case_create(actor=caseworker, case_type=case_type, contact=ContactFactory())
    # Opened 90 minutes ago: past its amber warning, half an hour from its target.
    Clock.objects.filter(case=case).update(started_at=timezone.now() - datetime.timedelta(minutes=90))
    clocks_recalculate(rule_id=rule.pk)

    page = signed_in(supervisor)
    page.goto(f"{server}/staff/")
    page.get_by_role("link", name="SLAs", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases past their SLA warning")
    expect(page.locator("main")).to_contain_text("Amber")
    check_page(page, "sla-list")

    page.get_by_role("link", name=case.number).click()
    expect(page.locator("#case-clocks")).to_contain_text("Resolve in 2 hours")  # loaded after the page
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Amber")
    check_page(page, "case-with-clocks")
