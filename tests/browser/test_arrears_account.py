"""The arrears account page in a real browser: an officer opens an account, records a call in
the action diary, pauses it (refused first, with the error summary), ends the pause, and sends
the letter the classification recommends. axe-core checks every state the flow reaches."""

from __future__ import annotations

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from arrears.models import ActionDiaryEntry, RentAccount
from arrears.services.classification import accounts_classify
from tests.arrears.factories import RentAccountFactory, post


def account_due_letter_one() -> RentAccount:
    account = RentAccountFactory()
    today = timezone.localdate()
    post(account, "260", on=today - datetime.timedelta(days=today.weekday() + 14))
    post(account, "-20", on=today - datetime.timedelta(days=today.weekday() + 10))
    accounts_classify()
    account.refresh_from_db()
    assert account.classification == "send_letter_one"
    return account


def test_work_an_account_diary_pause_and_the_recommended_letter(server, signed_in, check_page, caseworker):
    account = account_due_letter_one()
    page = signed_in(caseworker)
    page.goto(f"{server}/staff/arrears/accounts/{account.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(account.reference)
    expect(page.locator("#account-recommended-action")).to_have_text("Send Letter One")
    expect(page.locator("#account-balance")).to_have_text("£240.00")
    expect(page.get_by_role("img", name="Balance at the end of each week")).to_be_visible()
    page.locator("#account-action .govuk-details__summary-text", has_text="Why this action?").click()
    expect(page.locator("#account-action")).to_contain_text("Send Letter One: this rule gives the action.")
    page.locator("#account-transactions .govuk-details__summary-text").click()  # the chart's table
    check_page(page, "arrears-account")

    # A phone call in the action diary.
    diary = page.locator("#account-diary")
    diary.locator(".govuk-details__summary-text", has_text="Add to the action diary").click()
    diary.get_by_label("Action", exact=True).select_option("C")
    diary.get_by_label("Comment (optional)").fill("Spoke to the tenant: will pay on Friday.")
    diary.get_by_role("button", name="Add to diary").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("C added to the action diary.")
    first_row = page.locator("#account-diary-table tbody tr").first
    expect(first_row).to_contain_text("Spoke to the tenant: will pay on Friday.")
    expect(first_row).to_contain_text(str(caseworker))

    # Pausing without a comment or date is refused: the summary at the top links to each field.
    pause = page.locator("#account-pause")
    pause.locator(".govuk-details__summary-text", has_text="Pause this account").click()
    pause.get_by_label("Reason").select_option(label="Promise of payment")
    pause.get_by_role("button", name="Pause account").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date the pause ends.")
    expect(summary).to_contain_text("Say why the account is paused.")
    expect(summary).to_be_focused()
    check_page(page, "arrears-account-pause-refused")
    summary.get_by_role("link", name="Say why the account is paused.").click()
    expect(pause.get_by_label("Comment")).to_be_focused()
    page.keyboard.type("Promised to clear it on payday")
    until = timezone.localdate() + datetime.timedelta(days=10)
    dates = pause.get_by_role("group", name="Pause until")
    dates.get_by_label("Day").fill(str(until.day))
    dates.get_by_label("Month").fill(str(until.month))
    dates.get_by_label("Year").fill(str(until.year))
    pause.get_by_role("button", name="Pause account").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Account paused until")
    expect(page.locator("#account-paused-until")).to_have_text(f"{until.day} {until:%b %Y}")
    expect(page.locator("#account-recommended-action")).to_have_text("No action")  # paused: nothing to do
    check_page(page, "arrears-account-paused")

    page.get_by_role("button", name="End pause now").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The pause has ended")
    expect(page.locator("#account-recommended-action")).to_have_text("Send Letter One")

    # The letter button follows the classification, and is gone once the letter is sent.
    page.get_by_role("button", name="Send Rent arrears: Letter 1").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("“Rent arrears: Letter 1” sent.")
    expect(page.get_by_role("button", name="Send Rent arrears: Letter 1")).to_have_count(0)
    expect(page.locator("#account-diary-table tbody tr").first).to_contain_text("IC1")
    expect(
        page.locator("#account-diary-table tbody tr").first.get_by_role("link", name="Open the letter")
    ).to_be_visible()
    check_page(page, "arrears-account-letter-sent")
    assert ActionDiaryEntry.objects.filter(account=account, code="IC1", created_by=caseworker).count() == 1
