"""The payments pages in a real browser: the payments section of a tenant's case page (loaded
after the page), setting up a payment and the duplicate-benefit override, a payment's page with
its moves, and a payee's page with the worker's verification. axe-core checks every state."""

from __future__ import annotations

from playwright.sync_api import expect

from casework.models import Document
from payments.models import PayeeVerification, Payment
from tests.casework.factories import landlord_case
from tests.casework.factories_docs import PDF
from tests.payments.factories import approved_case, make_payee, make_payment


def paying_case(*, verified: bool = True):
    case = approved_case()
    payee = make_payee(verified=verified)
    landlord_case(parent=case, applicant=payee.owner, status="payment")
    return case, payee


def test_set_up_a_payment_on_the_case_page_and_override_the_duplicate_check(
    server, signed_in, check_page, supervisor, case_manager
):
    case, payee = paying_case()
    make_payment(case_manager, case=case, payee=payee)
    page = signed_in(supervisor)
    page.goto(f"{server}/staff/cases/{case.pk}/")
    section = page.locator("#case-payments")
    expect(section.get_by_role("link", name="Lena Lord")).to_be_visible()  # loaded after the page
    expect(section).to_contain_text("Not verified")
    expect(section.locator("#case-payments-pending")).to_have_text("1,250.00")
    check_page(page, "payments-case-section")

    section.locator(".govuk-details__summary-text", has_text="Set up a payment").click()
    section.get_by_label("Payee").select_option(str(payee.pk))
    section.get_by_label("Reason").select_option("ARR")
    section.get_by_label("Amount").fill("600.00")
    section.get_by_label("Payment method").select_option("bank_transfer")
    section.get_by_label("Period from").fill("2026-10-01")
    section.get_by_role("button", name="Set up payment").click()
    summary = section.locator(".govuk-error-summary")
    expect(summary).to_contain_text("A supervisor can override this with a reason.")
    check_page(page, "payments-case-section-duplicate")

    section.get_by_label("Override reason").fill("The family moved: a second tenancy this month")
    section.get_by_role("button", name="Set up the payment anyway").click()
    expect(section).to_contain_text("Payment of 600.00 to Lena Lord set up.")
    assert Payment.objects.filter(case=case, override_by=supervisor).count() == 1
    check_page(page, "payments-case-section-added")


def test_a_payment_page_verify_and_reject_with_a_reason(server, signed_in, check_page, case_manager):
    case, payee = paying_case()
    payment = make_payment(case_manager, case=case, payee=payee)
    page = signed_in(case_manager)
    page.goto(f"{server}/staff/payments/{payment.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Payment {payment.pk}")
    expect(page.locator("#payment-summary")).to_contain_text(payee.account_number_masked)
    assert "000123456789" not in page.content()
    check_page(page, "payment-detail")

    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is now Verified by worker")
    check_page(page, "payment-detail-verified")

    page.locator(".govuk-details__summary-text", has_text="Reject").click()
    page.locator("#payment-move-reject").get_by_role("button", name="Reject").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Give a reason.")
    check_page(page, "payment-detail-reject-refused")
    page.get_by_label("Reason for “Reject”").fill("Paid by another programme")
    page.locator("#payment-move-reject").get_by_role("button", name="Reject").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is now Rejected by worker")
    expect(page.locator("#payment-actions")).to_contain_text("This payment is final")
    check_page(page, "payment-detail-rejected")


def test_a_payee_page_verify_by_worker_with_evidence(server, signed_in, check_page, case_manager, tmp_path):
    _case, payee = paying_case(verified=False)
    page = signed_in(case_manager)
    page.goto(f"{server}/staff/payees/{payee.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lena Lord")
    expect(page.locator("#payee-verification-status")).to_contain_text("Not verified")
    check_page(page, "payee-detail")

    page.locator(".govuk-details__summary-text", has_text="Verify with evidence").click()
    page.get_by_role("button", name="Verify payee").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Attach the document you checked")
    check_page(page, "payee-verify-refused")

    evidence = tmp_path / "ein-letter.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Evidence").set_input_files(str(evidence))
    page.get_by_label("Why you are satisfied").fill("The EIN letter matches the name")
    page.get_by_role("button", name="Verify payee").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Lena Lord is verified.")
    expect(page.locator("#payee-verification-status")).to_contain_text("Verified by a worker")
    expect(page.get_by_role("link", name="ein-letter.pdf")).to_be_visible()
    check_page(page, "payee-detail-verified")
    payee.refresh_from_db()
    assert payee.verification_status == PayeeVerification.VERIFIED_BY_WORKER
    assert Document.objects.get().category == "tax"


def test_add_a_utility_payee(server, signed_in, check_page, case_manager):
    page = signed_in(case_manager)
    page.goto(f"{server}/staff/payees/utilities/new/")
    check_page(page, "utility-payee-form")
    page.get_by_label("Name payments are made out to").fill("Commonwealth Power")
    page.get_by_role("button", name="Save payee").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("tax identification number")
    check_page(page, "utility-payee-form-refused")
    page.get_by_label("Tax identification number (EIN)").fill("04-1234567")
    page.get_by_label("Account holder").fill("Commonwealth Power Co")
    page.get_by_label("Routing number").fill("011000015")
    page.get_by_label("Account number").fill("778899001122")
    page.get_by_role("button", name="Save payee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commonwealth Power")
    expect(page.locator("#payee-summary")).to_contain_text("Utility")
    check_page(page, "utility-payee-detail")
