"""Notices in a real browser: a visitor sees the notice for everyone on the start page; a tenant
sees it and their patch's important notice on their home page, as named regions. axe-core
checks both pages."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.models import Notice
from tests.casework.factories import PatchFactory, PropertyFactory, tenant_case
from tests.portal.factories import make_applicant, make_notice


def test_notices_on_the_start_page_and_the_home_page(server, page, signed_in, check_page):
    patch = PatchFactory(code="N01")
    tenant = make_applicant("tara@test.example")
    tenant_case(applicant=tenant, property=PropertyFactory(patch=patch))
    make_notice("Phone lines are busy", body="Expect to wait.\nOr email us.")
    make_notice("Northgate office closed", patches=[patch], level=Notice.Level.IMPORTANT, body="Closed on Friday.")

    page.goto(f"{server}/portal/")
    expect(page.get_by_role("region", name="Information Phone lines are busy")).to_contain_text("Or email us.")
    expect(page.get_by_text("Northgate office closed")).to_have_count(0)
    check_page(page, "portal-start-notices")

    signed_in(tenant).goto(f"{server}/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your applications")
    expect(page.get_by_role("region", name="Important Northgate office closed")).to_contain_text("Closed on Friday.")
    expect(page.get_by_role("region", name="Information Phone lines are busy")).to_be_visible()
    check_page(page, "portal-home-notices")
