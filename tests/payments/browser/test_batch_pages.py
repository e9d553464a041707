"""The export batch and reconciliation pages in a real browser, as a supervisor: what is ready,
exporting a batch, the batch's page, the refusal when nothing is left to export, and importing a
results file that is refused, so its per-row report is on the page. axe-core checks every state."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from payments.models import Payee, PayeeVerification, PaymentBatch, PaymentStatus
from tests.payments.factories import make_payment


def test_export_a_batch_and_import_a_refused_results_file(
    server, signed_in, check_page, supervisor, case_manager, tmp_path
):
    ready = make_payment(case_manager, status=PaymentStatus.VERIFIED_BY_WORKER)
    make_payment(case_manager, status=PaymentStatus.VERIFIED_BY_WORKER, amount=Decimal("300.00"))
    stale = make_payment(case_manager, status=PaymentStatus.VERIFIED_BY_WORKER)
    Payee.objects.filter(pk=stale.payee_id).update(verification_status=PayeeVerification.UNVERIFIED)
    page = signed_in(supervisor)

    page.goto(f"{server}/staff/payments/batches/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment batches")
    expect(page.locator("#ready-count")).to_have_text("2")
    check_page(page, "payment-batches")

    page.get_by_role("button", name="Export a batch").click()
    batch = PaymentBatch.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(batch.reference)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 payments, 1,550.00")
    expect(page.locator("#batch-payments")).to_contain_text(ready.export_reference)
    expect(page.locator("#batch-left-out")).to_contain_text("The payee is no longer verified")
    check_page(page, "payment-batch-detail")

    page.get_by_role("link", name="Back to payment batches").click()
    page.get_by_role("button", name="Export a batch").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("No verified payments are ready to export.")
    check_page(page, "payment-batches-nothing-to-export")

    results = tmp_path / "results.csv"
    results.write_text(
        "payment_reference,result,amount,provider_reference,reason\n"
        f"{ready.export_reference},successful,1250.00,ACH-1,\n"
        "PAY-99999999,successful,12.00,,\n"
    )
    page.goto(f"{server}/staff/payments/reconciliation/")
    check_page(page, "payment-reconciliation")
    page.get_by_label("Results file").set_input_files(str(results))
    page.get_by_role("button", name="Import the results").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("nothing was applied")
    report = page.locator("#reconciliation-report")
    expect(report.locator("#report-row-3")).to_contain_text("There is no payment PAY-99999999.")
    expect(report.locator("#report-row-2")).to_contain_text("Not applied")
    check_page(page, "payment-reconciliation-refused")

    page.get_by_role("link", name="results.csv").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("results.csv")
    check_page(page, "payment-reconciliation-detail")
