"""A supervisor imports a housing system's accounts export in the admin: a refused upload shows the
error summary, a check-only run reports what would happen without changing anything, and the
import itself lists the rejected row while the good ones go in. Every page passes axe."""

from __future__ import annotations

from playwright.sync_api import expect

from arrears.models import ImportRun, RentAccount
from tests.casework.factories import PatchFactory, TenancyFactory

EXPORT = (
    "reference,kind,tenancy_reference,patch_code,weekly_rent\n"
    "RA700001,rent,TEN-700001,E07,101.50\n"
    "RA700002,rent,TEN-700404,E07,99.00\n"  # no such tenancy: rejected
)


def test_a_supervisor_checks_then_imports_an_accounts_export(server, signed_in, check_page, supervisor, tmp_path):
    patch = PatchFactory(code="E07")
    TenancyFactory(reference="TEN-700001", property__patch=patch)
    export = tmp_path / "accounts.csv"
    export.write_text(EXPORT, encoding="utf-8")
    page = signed_in(supervisor)

    page.goto(f"{server}/admin/arrears/rentaccount/")
    page.get_by_role("link", name="Import from CSV").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import")
    check_page(page, "admin-arrears-import")

    page.get_by_role("button", name="Import").click()  # no file chosen
    expect(page.locator(".errornote")).to_contain_text("There is a problem")
    check_page(page, "admin-arrears-import-error")

    page.get_by_label("CSV file").set_input_files(str(export))
    page.get_by_label("Check only").check()
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#report-title")).to_contain_text("nothing was changed")
    expect(page.locator("#rejected-rows")).to_contain_text("TEN-700404")
    assert not RentAccount.objects.exists() and not ImportRun.objects.exists()
    check_page(page, "admin-arrears-import-check")

    page.get_by_label("CSV file").set_input_files(str(export))
    page.get_by_label("Check only").uncheck()
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#report-title")).to_have_text("What was imported")
    expect(page.locator("#rejected-rows")).to_contain_text("TEN-700404")
    assert list(RentAccount.objects.values_list("reference", flat=True)) == ["RA700001"]
    check_page(page, "admin-arrears-import-report")
