"""The arrears account page: who may see it, what it shows (summary, recommended action and why,
diary, transactions and the weekly balance chart, arrangement, NOSP, court and eviction panels),
and every form on it. A success redirects back to the panel with a banner; a refusal re-shows
the page with the error summary at the top: 400 for bad input, 409 when the account's state
does not allow it, and nothing is written."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arrears.models import (
    ActionDiaryEntry,
    Arrangement,
    CourtCase,
    Eviction,
    Nosp,
    PatchOfficer,
    PauseReason,
    RentAccount,
    Transaction,
)
from arrears.rules import nosp_dates
from arrears.selectors.account import account_weekly_balances
from arrears.services import automation, legal
from arrears.services import diary as diary_services
from arrears.services.classification import accounts_classify
from arrears.services.rulesets import rule_set_for, rule_settings_for
from communications.models import Message
from core.dates import day_month_year
from core.roles import Role
from tests.arrears.factories import MONDAY, NOW, TODAY, RentAccountFactory, classified_in_arrears, diary, post
from tests.casework.factories import ContactFactory, HouseholdFactory, TenancyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("wednesday")]


def page_url(account: RentAccount) -> str:
    return reverse("arrears-account", args=[account.pk])


def url(name: str, account: RentAccount, *args) -> str:
    return reverse(f"arrears-account-page-{name}", args=[account.pk, *args])


def date_data(field: str, value: datetime.date | None = None, *, day="", month="", year="") -> dict[str, str]:
    """The three boxes of a GOV.UK date input named `field` (its prefix included)."""
    if value is not None:
        day, month, year = str(value.day), str(value.month), str(value.year)
    return {f"{field}-day": day, f"{field}-month": month, f"{field}-year": year}


def letters(account: RentAccount):
    return Message.objects.filter(
        regarding_type=ContentType.objects.get_for_model(RentAccount), regarding_id=account.pk
    ).order_by("pk")


def refused(response, status: int, *sentences: str) -> str:
    """The page re-shown with the error summary at the top naming each sentence."""
    assert response.status_code == status, response.content.decode()[:2000]
    html = response.content.decode()
    main = html[html.index('<main class="govuk-main-wrapper"') :]
    summary = main[main.index('<div class="govuk-error-summary"') :]
    assert summary.index('<div class="govuk-error-summary"') < main.index("<h1")
    summary = summary[: summary.index("</ul>")]
    for sentence in sentences:
        assert sentence in summary, summary
    assert "<title>Error:" in html
    return html


def followed(client, response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"]).content.decode()


# --- who may see it ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    account = classified_in_arrears()
    for response in (client.get(page_url(account)), client.post(url("diary-add", account), {"diary-code": "C"})):
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    assert not ActionDiaryEntry.objects.exists()


def test_applicants_are_refused(client, applicant):
    account = classified_in_arrears()
    client.force_login(applicant)
    assert client.get(page_url(account)).status_code == 403
    assert client.post(url("diary-add", account), {"diary-code": "C"}).status_code == 403
    assert client.post(url("send", account), {"classification": account.classification}).status_code == 403
    assert not ActionDiaryEntry.objects.exists() and not letters(account).exists()


def test_staff_see_an_account_and_unknown_accounts_are_404(client, caseworker):
    account = classified_in_arrears()
    client.force_login(caseworker)
    assert client.get(page_url(account)).status_code == 200
    assert client.get(reverse("arrears-account", args=[account.pk + 1000])).status_code == 404
    assert client.post(url("diary-add", account).replace(str(account.pk), str(account.pk + 1000))).status_code == 404


# --- what it shows -------------------------------------------------------------------------------


def test_the_summary_shows_the_account_its_people_and_its_figures(client, caseworker, make_staff):
    head = ContactFactory(first_name="Hodan", last_name="Abdi")
    tenancy = TenancyFactory(household=HouseholdFactory(head=head))
    account = RentAccountFactory(
        tenancy=tenancy,
        weekly_rent=Decimal("95.50"),
        weekly_service_charge=Decimal("10.00"),
        weekly_other_charges=Decimal("2.25"),
    )
    post(account, "450", on=MONDAY - datetime.timedelta(days=21))
    post(account, "-40", on=MONDAY - datetime.timedelta(days=3))
    diary(account, "C", at=NOW - datetime.timedelta(days=1), comment="Rang the tenant")
    diary(account, "VIU", at=NOW - datetime.timedelta(hours=2))
    PatchOfficer.objects.create(patch=account.patch, officer=make_staff(first_name="Petra", last_name="Patch"))
    accounts_classify()
    client.force_login(caseworker)

    html = client.get(page_url(account)).content.decode()

    assert f'<h1 class="govuk-heading-l">{account.reference}</h1>' in html
    assert '<span class="govuk-caption-l">Rent account</span>' in html
    assert tenancy.reference in html and "Hodan Abdi" in html
    assert tenancy.property.address_line_1 in html
    assert str(account.patch) in html and "Officer: Petra Patch" in html
    assert "£107.75" in html and "Rent £95.50, service charge £10.00, other charges £2.25" in html
    assert "<strong>£410.00</strong>" in html  # the balance
    assert "3.8" in html  # weeks owed: 410 / 107.75
    assert day_month_year(MONDAY - datetime.timedelta(days=3)) in html  # last payment
    assert "VIU Unsuccessful visit" in html  # last action
    assert "C Phone call" in html  # last communication
    assert "Send Letter One" in html
    assert "Recommended since" in html


def test_why_this_action_lists_every_rule_up_to_the_one_that_fired(client, caseworker):
    account = classified_in_arrears("250")
    client.force_login(caseworker)
    html = client.get(page_url(account)).content.decode()
    why = html[html.index("Why this action?") :]
    why = why[: why.index("</details>")]
    assert "Apply for outright possession warrant: not this one." in why
    assert "Review failed letter: not this one." in why
    assert "Send first SMS: not this one." in why
    assert "Send Letter One: this rule gives the action." in why
    assert "Send Letter Two" not in why  # after the rule that fired: not listed


def leasehold_account_due_a_letter_before_action() -> RentAccount:
    account = RentAccountFactory(
        kind="service_charge",
        tenancy=TenancyFactory(tenure_type="leasehold"),
        weekly_rent=Decimal("0"),
        weekly_service_charge=Decimal("50.00"),
    )
    post(account, "600", on=MONDAY - datetime.timedelta(days=60))
    diary(account, "LL2", at=NOW - datetime.timedelta(days=10))
    accounts_classify()
    account.refresh_from_db()
    assert account.classification == "send_nosp"
    return account


def test_a_leasehold_account_reads_letter_before_action_and_has_no_nosp_panel(client, caseworker):
    account = leasehold_account_due_a_letter_before_action()
    client.force_login(caseworker)
    html = client.get(page_url(account)).content.decode()
    assert '<span class="govuk-caption-l">Leasehold service charge account</span>' in html
    assert "Send letter before action" in html and "Send NOSP" not in html
    assert "Send Service charge: letter before action" in html  # the button, from the leasehold step
    assert 'id="account-nosp"' not in html and "Record a NOSP" not in html
    response = client.post(url("nosp-record", account), date_data("nosp-served_on", TODAY))
    assert response.status_code == 404
    assert not Nosp.objects.exists()


def test_a_rent_account_has_the_nosp_panel(client, caseworker):
    account = classified_in_arrears()
    client.force_login(caseworker)
    html = client.get(page_url(account)).content.decode()
    assert 'id="account-nosp"' in html and "No NOSP served." in html


# --- the letter button ---------------------------------------------------------------------------


def test_the_letter_button_sends_the_recommended_letter_once(client, caseworker):
    account = classified_in_arrears("250")
    client.force_login(caseworker)
    html = client.get(page_url(account)).content.decode()
    assert "Send Rent arrears: Letter 1" in html
    assert '<input type="hidden" name="classification" value="send_letter_one">' in html

    response = client.post(url("send", account), {"classification": "send_letter_one"})
    assert response["Location"] == f"{page_url(account)}#account-action"
    html = followed(client, response)
    assert "“Rent arrears: Letter 1” sent." in html
    assert letters(account).count() == 1
    entry = ActionDiaryEntry.objects.get(account=account, code="IC1")
    assert entry.created_by == caseworker
    assert "Send Rent arrears: Letter 1" not in html  # the classification moved on

    # A second press from the page as it was: refused, nothing sent again.
    response = client.post(url("send", account), {"classification": "send_letter_one"})
    refused(response, 409, "The account&#x27;s recommended action has changed")
    assert letters(account).count() == 1
    assert ActionDiaryEntry.objects.filter(account=account, code="IC1").count() == 1


def test_the_letter_button_pauses_an_account_missing_letter_details(client, caseworker):
    account = classified_in_arrears("250", tenancy=TenancyFactory(household=HouseholdFactory(head=False)))
    client.force_login(caseworker)
    response = client.post(url("send", account), {"classification": "send_letter_one"})
    html = followed(client, response)
    assert "was not sent: the account is missing details" in html
    account.refresh_from_db()
    assert account.paused_until == TODAY + datetime.timedelta(days=7)
    assert account.pause_reason.label == "Missing data"
    assert ActionDiaryEntry.objects.filter(account=account, code="RMD").exists()
    assert not ActionDiaryEntry.objects.filter(account=account, code="IC1").exists()


def test_no_letter_button_when_the_action_has_nothing_to_send_and_a_forced_press_is_refused(client, caseworker):
    account = classified_in_arrears("3")  # below the first text's £5
    assert account.classification == "no_action"
    client.force_login(caseworker)
    html = client.get(page_url(account)).content.decode()
    assert 'action="' + url("send", account) + '"' not in html
    response = client.post(url("send", account), {"classification": "no_action"})
    refused(response, 409, "has no letter or text to send")
    assert not letters(account).exists()


# --- failed letters ------------------------------------------------------------------------------


def failed_letter_account(caseworker) -> tuple[RentAccount, Message]:
    account = classified_in_arrears("250")
    assert automation.recommended_send(actor=caseworker, account=account) == automation.SENT
    message = letters(account).get()
    from communications.services import _fail

    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT)
    _fail(message.pk, "validation-failed: the address is incomplete", source={Message.Status.SENT})
    account.refresh_from_db()
    assert account.classification == "review_failed_letter"
    return account, message


def test_a_failed_letter_is_linked_and_can_be_marked_reviewed_once(client, caseworker):
    account, message = failed_letter_account(caseworker)
    client.force_login(caseworker)
    html = client.get(page_url(account)).content.decode()
    assert "Review failed letter" in html
    message_url = reverse("arrears-account-page-message", args=[account.pk, message.pk])
    assert f'href="{message_url}"' in html
    assert "Mark failed letter reviewed" in html

    detail = client.get(message_url)
    assert detail.status_code == 200
    assert "the address is incomplete" in detail.content.decode()

    response = client.post(url("failed-letter-review", account))
    html = followed(client, response)
    assert "The failed letter is marked reviewed." in html
    account.refresh_from_db()
    assert account.classification != "review_failed_letter"
    assert ActionDiaryEntry.objects.filter(account=account, code="FLR").count() == 1

    refused(client.post(url("failed-letter-review", account)), 409, "No failed letter on this account")
    assert ActionDiaryEntry.objects.filter(account=account, code="FLR").count() == 1


def test_a_message_is_only_shown_on_its_own_account(client, caseworker):
    account, message = failed_letter_account(caseworker)
    other = classified_in_arrears()
    client.force_login(caseworker)
    assert client.get(reverse("arrears-account-page-message", args=[other.pk, message.pk])).status_code == 404
    pdf = client.get(reverse("arrears-account-page-message-pdf", args=[account.pk, message.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


# --- pausing -------------------------------------------------------------------------------------


def pause_data(until: datetime.date | None = None, reason: str = "Promise of payment", comment: str = "Pays Friday"):
    data = date_data("pause-until", until) if until else {}
    data.update(
        {"pause-reason": str(PauseReason.objects.get(label=reason).pk) if reason else "", "pause-comment": comment}
    )
    return data


def test_pausing_and_ending_the_pause(client, caseworker):
    account = classified_in_arrears()
    client.force_login(caseworker)
    until = TODAY + datetime.timedelta(days=14)
    response = client.post(url("pause", account), pause_data(until))
    assert response["Location"] == f"{page_url(account)}#account-pause"
    html = followed(client, response)
    assert f"Account paused until {day_month_year(until)}." in html
    account.refresh_from_db()
    assert account.paused_until == until and account.pause_comment == "Pays Friday"
    assert ActionDiaryEntry.objects.filter(account=account, code="POP").exists()
    assert f'id="account-paused-until">{day_month_year(until)}' in html
    assert "Promise of payment" in html and "End pause now" in html

    html = followed(client, client.post(url("unpause", account), {"unpause-comment": "Paid early"}))
    assert "The pause has ended" in html
    account.refresh_from_db()
    assert account.paused_until is None
    assert "Pause this account" in html


@pytest.mark.parametrize(
    ("change", "sentence", "field_id"),
    [
        ({"pause-comment": ""}, "Say why the account is paused.", "id_pause-comment"),
        ({"pause-reason": ""}, "Choose why the account is paused.", "id_pause-reason"),
        (date_data("pause-until", TODAY), "The pause must end after today", "id_pause-until-day"),
        (
            date_data("pause-until", day="31", month="2", year="2027"),
            "The date the pause ends must be a real date.",
            "id_pause-until-day",
        ),
        (
            date_data("pause-until", day="1", month="12"),
            "The date the pause ends must include a year.",
            "id_pause-until-day",
        ),
        (date_data("pause-until"), "Enter the date the pause ends.", "id_pause-until-day"),
    ],
)
def test_a_refused_pause_shows_the_error_summary_and_writes_nothing(client, caseworker, change, sentence, field_id):
    account = classified_in_arrears()
    client.force_login(caseworker)
    data = pause_data(TODAY + datetime.timedelta(days=7))
    data.update(change)
    html = refused(client.post(url("pause", account), data), 400, sentence)
    assert f'href="#{field_id}"' in html  # the summary links to the field
    assert "govuk-form-group--error" in html
    assert '<details class="govuk-details" open>' in html  # the form is open, with what was typed
    for name, value in change.items():
        if name.startswith("pause-until-") and value:
            assert f'name="{name}" type="text" inputmode="numeric" value="{value}"' in html
    account.refresh_from_db()
    assert account.paused_until is None
    assert not ActionDiaryEntry.objects.filter(account=account, code="POP").exists()


def test_ending_a_pause_that_is_not_on_is_refused(client, caseworker):
    account = classified_in_arrears()
    client.force_login(caseworker)
    refused(client.post(url("unpause", account), {"unpause-comment": ""}), 409, "The account is not paused.")
    assert not ActionDiaryEntry.objects.filter(account=account, code="UPS").exists()


# --- the action diary ----------------------------------------------------------------------------


def test_a_diary_entry_is_added_now_or_backdated(client, caseworker):
    account = classified_in_arrears()
    client.force_login(caseworker)
    response = client.post(url("diary-add", account), {"diary-code": "C", "diary-comment": "Spoke to her"})
    assert response["Location"] == f"{page_url(account)}#account-diary"
    html = followed(client, response)
    assert "C added to the action diary." in html
    entry = ActionDiaryEntry.objects.get(account=account, code="C")
    assert entry.created_by == caseworker and entry.occurred_at == NOW and entry.comment == "Spoke to her"
    assert str(caseworker) in html

    data = {"diary-code": "VIU", "diary-occurred_time": "09:15"}
    data.update(date_data("diary-occurred_on", TODAY - datetime.timedelta(days=3)))
    followed(client, client.post(url("diary-add", account), data))
    entry = ActionDiaryEntry.objects.get(account=account, code="VIU")
    assert entry.occurred_at == datetime.datetime(2026, 11, 15, 9, 15, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("data", "sentence", "field_id"),
    [
        ({"diary-code": ""}, "Choose the action you took.", "id_diary-code"),
        ({"diary-code": "IC1"}, "Choose an action from the list.", "id_diary-code"),  # the system's code
        (
            {"diary-code": "C", "diary-occurred_time": "11:00", **date_data("diary-occurred_on", TODAY)},
            "The time cannot be in the future.",
            "id_diary-occurred_on-day",
        ),
        (
            {"diary-code": "C", **date_data("diary-occurred_on", TODAY)},
            "Enter the time it happened",
            "id_diary-occurred_time",
        ),
        (
            {"diary-code": "C", "diary-occurred_time": "09:00"},
            "Enter the date it happened.",
            "id_diary-occurred_on-day",
        ),
        (
            {"diary-code": "C", "diary-occurred_time": "9 o'clock"},
            "Enter the time as 24-hour hours and minutes, like 14:30.",
            "id_diary-occurred_time",
        ),
    ],
)
def test_a_refused_diary_entry_writes_nothing(client, caseworker, data, sentence, field_id):
    account = classified_in_arrears()
    client.force_login(caseworker)
    html = refused(client.post(url("diary-add", account), data), 400, sentence)
    assert f'href="#{field_id}"' in html
    assert not ActionDiaryEntry.objects.filter(account=account).exists()


def test_the_diary_is_newest_first_in_pages_of_25_with_who_wrote_each(client, caseworker):
    account = classified_in_arrears()
    for n in range(30):
        diary(account, "VIU", at=NOW - datetime.timedelta(days=40 - n), comment=f"Visit number {n}")
    diary_services.diary_add(actor=caseworker, account=account, code="C", comment="Latest call")
    client.force_login(caseworker)
    html = client.get(page_url(account)).content.decode()
    table = html[
        html.index('id="account-diary-table"') : html.index("</table>", html.index('id="account-diary-table"'))
    ]
    assert table.index("Latest call") < table.index("Visit number 29") < table.index("Visit number 6")
    assert "Visit number 5" not in table  # 31 entries: the 25 newest on the first page
    assert str(caseworker) in table and "System" in table
    assert "?diary_page=2#account-diary" in html

    html = client.get(page_url(account), {"diary_page": 2}).content.decode()
    table = html[
        html.index('id="account-diary-table"') : html.index("</table>", html.index('id="account-diary-table"'))
    ]
    assert "Visit number 5" in table and "Visit number 0" in table and "Latest call" not in table


# --- transactions and the balance chart ---------------------------------------------------------


def test_transactions_are_newest_first_with_the_balance_after_each(client, caseworker):
    account = RentAccountFactory()
    post(account, "100", on=datetime.date(2026, 10, 5))
    post(account, "-30", on=datetime.date(2026, 10, 9))
    post(account, "100", on=datetime.date(2026, 10, 12))
    client.force_login(caseworker)
    html = client.get(page_url(account)).content.decode()
    table = html[html.index('id="account-transactions-table"') :]
    table = table[: table.index("</table>")]
    rows = table.split('<tr class="govuk-table__row">')[2:]
    assert [("12 Oct 2026" in r, "£170.00" in r) for r in rows] == [(True, True), (False, False), (False, False)]
    assert "\N{MINUS SIGN}£30.00" in rows[1] and "£70.00" in rows[1]
    assert "£100.00" in rows[2]


def test_transactions_page_in_25s(client, caseworker):
    account = RentAccountFactory()
    for n in range(30):
        post(account, "10", on=datetime.date(2026, 1, 1) + datetime.timedelta(days=n))
    client.force_login(caseworker)
    html = client.get(page_url(account), {"transactions_page": 2}).content.decode()
    table = html[html.index('id="account-transactions-table"') :]
    table = table[: table.index("</table>")]
    assert table.count('<tr class="govuk-table__row">') == 1 + 5
    assert "£50.00" in table and "£10.00" in table  # the oldest five: balances 50 down to 10
    assert "?transactions_page=1#account-transactions" in html


def test_weekly_balances_are_the_balance_at_the_end_of_each_week_in_one_query(caseworker):
    account = RentAccountFactory()
    other = RentAccountFactory()
    postings = [
        (datetime.date(2024, 6, 3), "500"),  # long before the chart: in its first week's balance
        (datetime.date(2025, 11, 30), "20"),  # the first week's Sunday
        (datetime.date(2025, 12, 1), "-15"),  # the Monday after it
        (datetime.date(2026, 5, 17), "100"),
        (datetime.date(2026, 5, 18), "-40"),
        (TODAY, "-60"),
        (datetime.date(2026, 11, 22), "5"),  # this week's Sunday
        (datetime.date(2026, 11, 23), "999"),  # next week: not in the chart
    ]
    for on, amount in postings:
        post(account, amount, on=on)
    post(other, "1234", on=datetime.date(2026, 3, 3))

    with CaptureQueriesContext(connection) as queries:
        weeks = account_weekly_balances(user=caseworker, account=account, today=TODAY)
    assert len(queries) == 1

    assert len(weeks) == 52
    assert weeks[-1].week_ending == datetime.date(2026, 11, 22) and weeks[-1].week_ending.weekday() == 6
    assert weeks[0].week_ending == datetime.date(2025, 11, 30)
    for week in weeks:
        expected = sum((Decimal(a) for on, a in postings if on <= week.week_ending), Decimal(0))
        assert week.balance == expected, week
    assert weeks[-1].balance == Decimal("510.00")


def test_the_chart_is_an_svg_figure_with_a_text_alternative_and_a_table(client, caseworker):
    account = RentAccountFactory()
    post(account, "300", on=datetime.date(2026, 6, 1))
    post(account, "-100", on=datetime.date(2026, 9, 1))
    client.force_login(caseworker)
    html = client.get(page_url(account)).content.decode()
    figure = html[html.index('<figure class="govuk-!-margin-0 govuk-!-margin-bottom-4" id="account-balance-chart">') :]
    figure = figure[: figure.index("</figure>")]
    assert "<figcaption" in figure and "Balance at the end of each week, last 52 weeks" in figure
    assert (
        '<svg class="app-chart" role="img" aria-label="Balance at the end of each week from 30 Nov 2025 to 22 Nov 2026'
        in figure
    )
    assert "£0.00 at the start and £200.00 at the end; highest £300.00" in figure
    assert figure.count("<polyline") == 1
    table = figure[figure.index("<table") :]
    assert table.count('<tr class="govuk-table__row"><td') == 52
    assert "govuk-details" in figure


# --- arrangements ----------------------------------------------------------------------------------


def arrangement_data(**changes) -> dict[str, str]:
    data = {
        "arrangement-kind": "informal",
        "arrangement-frequency": "weekly",
        "arrangement-instalment_amount": "25.00",
        "arrangement-court_case": "",
        "arrangement-notes": "",
        "arrangement-lump_sum_amount": "",
        **date_data("arrangement-start_date", TODAY + datetime.timedelta(days=2)),
        **date_data("arrangement-lump_sum_date"),
    }
    data.update(changes)
    return data


def test_an_arrangement_is_made_shown_with_its_history_and_cancelled(client, caseworker):
    account = classified_in_arrears("300")
    client.force_login(caseworker)
    response = client.post(url("arrangement-create", account), arrangement_data())
    assert response["Location"] == f"{page_url(account)}#account-arrangement"
    html = followed(client, response)
    assert "Arrangement made" in html
    arrangement = Arrangement.objects.get(account=account)
    assert (arrangement.state, arrangement.instalment_amount) == ("live", Decimal("25.00"))
    terms = html[html.index('id="account-arrangement-terms"') :]
    assert "Informal (agreed with the tenant)" in terms and "£25.00 weekly" in terms
    assert "Arrangement made: £25.00 weekly" in html  # its history

    cancel = url("arrangement-cancel", account, arrangement.pk)
    refused(client.post(cancel, {"cancel-reason": ""}), 400, "Say why the arrangement is cancelled.")
    html = followed(client, client.post(cancel, {"cancel-reason": "Tenant moving"}))
    assert "Arrangement cancelled." in html and "No live arrangement." in html
    arrangement.refresh_from_db()
    assert arrangement.state == "cancelled"
    # Cancelling it again (a page drawn before) is refused.
    refused(client.post(cancel, {"cancel-reason": "Again"}), 409, "only a live or breached one can be cancelled")


@pytest.mark.parametrize(
    ("changes", "sentence", "field_id"),
    [
        ({"arrangement-instalment_amount": ""}, "Enter the instalment.", "id_arrangement-instalment_amount"),
        (
            {"arrangement-instalment_amount": "0"},
            "Enter an instalment of more than £0.",
            "id_arrangement-instalment_amount",
        ),
        ({"arrangement-frequency": ""}, "Choose how often the instalments are paid.", "id_arrangement-frequency"),
        (
            date_data("arrangement-start_date"),
            "Enter the date the first instalment is due.",
            "id_arrangement-start_date-day",
        ),
        (
            {"arrangement-lump_sum_amount": "100"},
            "A lump sum needs both an amount and a date.",
            "id_arrangement-lump_sum_date-day",
        ),
        ({"arrangement-kind": "formal"}, "A court-ordered arrangement needs this account", "id_arrangement-court_case"),
    ],
)
def test_a_refused_arrangement_writes_nothing(client, caseworker, changes, sentence, field_id):
    account = classified_in_arrears("300")
    client.force_login(caseworker)
    html = refused(client.post(url("arrangement-create", account), arrangement_data(**changes)), 400, sentence)
    assert f'href="#{field_id}"' in html
    assert not Arrangement.objects.exists()


def test_an_informal_arrangement_is_refused_while_a_court_one_is_active(client, caseworker):
    account = classified_in_arrears("300")
    court = legal.court_case_record(actor=caseworker, account=account, court_date=NOW - datetime.timedelta(days=5))
    legal.court_outcome_record(
        actor=caseworker, court_case=court, outcome_code="SOT", terms=True, balance_on_outcome_date=Decimal("300")
    )
    client.force_login(caseworker)
    followed(
        client,
        client.post(
            url("arrangement-create", account),
            arrangement_data(**{"arrangement-kind": "formal", "arrangement-court_case": str(court.pk)}),
        ),
    )
    formal = Arrangement.objects.get(account=account)
    assert formal.kind == "formal" and formal.starting_balance == Decimal("300")

    refused(
        client.post(url("arrangement-create", account), arrangement_data()),
        409,
        "A court-ordered arrangement is active",
    )
    assert Arrangement.objects.count() == 1


# --- NOSPs, court and eviction --------------------------------------------------------------------


def test_a_nosp_is_recorded_with_its_lifecycle_dates(client, caseworker):
    account = classified_in_arrears("600")
    client.force_login(caseworker)
    served = TODAY - datetime.timedelta(days=10)
    response = client.post(url("nosp-record", account), date_data("nosp-served_on", served))
    assert response["Location"] == f"{page_url(account)}#account-nosp"
    html = followed(client, response)
    assert Nosp.objects.get(account=account).served_on == served
    dates = nosp_dates(served, rule_settings_for(rule_set_for("rent")))
    panel = html[html.index('id="account-nosp"') :]
    assert f"Served {day_month_year(served)}" in panel
    assert f"Expires (court action possible from) {day_month_year(dates.expires)}" in panel
    assert f"Valid until {day_month_year(dates.valid_until)}" in panel
    assert "In its cooling-off period" in panel

    refused(
        client.post(url("nosp-record", account), date_data("nosp-served_on", TODAY + datetime.timedelta(days=1))),
        400,
        "Enter the date the notice was served: not in the future.",
    )
    assert Nosp.objects.count() == 1


def test_a_hearing_and_its_outcome_are_recorded(client, caseworker):
    account = classified_in_arrears("600")
    client.force_login(caseworker)
    hearing = TODAY - datetime.timedelta(days=2)
    data = {"court-court_time": "10:30", **date_data("court-court_date", hearing)}
    html = followed(client, client.post(url("court-case-record", account), data))
    assert "Hearing on 16 Nov 2026 at 10:30 recorded." in html
    court = CourtCase.objects.get(account=account)
    assert court.court_date == datetime.datetime(2026, 11, 16, 10, 30, tzinfo=datetime.UTC)
    assert "Update court outcome" in html  # the hearing passed without an outcome

    outcome = url("court-outcome-record", account, court.pk)
    refused(client.post(outcome, {"outcome-outcome_code": "OPD", "outcome-terms": "yes"}), 400, "cannot carry terms")
    refused(client.post(outcome, {"outcome-outcome_code": ""}), 400, "Choose the outcome, or enter its code.")
    response = client.post(outcome, {"outcome-outcome_code": "SOT", "outcome-terms": "yes"})
    assert response["Location"] == f"{page_url(account)}#account-court"
    html = followed(client, response)
    assert "Outcome SOT: Suspension on terms" in html and "With terms" in html

    # A code not in the list is kept, and reads as "an outcome is recorded".
    followed(client, client.post(outcome, {"outcome-outcome_code": "", "outcome-other_code": "xyz"}))
    html = client.get(page_url(account)).content.decode()
    assert "Outcome XYZ: an outcome is recorded" in html


def test_a_hearing_needs_its_time_and_an_outcome_waits_for_the_hearing(client, caseworker):
    account = classified_in_arrears("600")
    client.force_login(caseworker)
    html = refused(
        client.post(url("court-case-record", account), date_data("court-court_date", TODAY)),
        400,
        "Enter the hearing time, for example 10:00.",
    )
    assert 'href="#id_court-court_time"' in html
    assert not CourtCase.objects.exists()

    future = legal.court_case_record(actor=caseworker, account=account, court_date=NOW + datetime.timedelta(days=9))
    response = client.post(url("court-outcome-record", account, future.pk), {"outcome-outcome_code": "OPD"})
    refused(response, 409, "The hearing has not happened yet")
    future.refresh_from_db()
    assert future.outcome_code == ""


def test_an_eviction_is_recorded(client, caseworker):
    account = classified_in_arrears("600")
    client.force_login(caseworker)
    refused(client.post(url("eviction-record", account), {"eviction-time": "09:30"}), 400, "Enter the eviction date.")
    data = {"eviction-time": "09:30", **date_data("eviction-date", TODAY + datetime.timedelta(days=20))}
    response = client.post(url("eviction-record", account), data)
    assert response["Location"] == f"{page_url(account)}#account-eviction"
    html = followed(client, response)
    assert "Eviction on 8 Dec 2026 recorded." in html
    assert Eviction.objects.get(account=account).date == datetime.datetime(2026, 12, 8, 9, 30, tzinfo=datetime.UTC)


# --- cost ----------------------------------------------------------------------------------------------


def _queries(client, account: RentAccount) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url(account))
    assert response.status_code == 200
    return len(queries)


def _fill(account: RentAccount, n: int) -> None:
    Transaction.objects.bulk_create(
        Transaction(
            account=account,
            type_id="DRR" if i % 2 else "RPY",
            posted_on=TODAY - datetime.timedelta(days=i),
            amount=Decimal("100") if i % 2 else Decimal("-90"),
            external_id=f"Q{account.pk}-{i}",
        )
        for i in range(n)
    )
    ActionDiaryEntry.objects.bulk_create(
        ActionDiaryEntry(account=account, code_id="VIU", occurred_at=NOW - datetime.timedelta(hours=i), comment=str(i))
        for i in range(n)
    )


def test_the_page_costs_the_same_number_of_queries_for_5_and_500_rows(client, caseworker, make_staff):
    small, large = classified_in_arrears("300"), classified_in_arrears("300")
    for account, n in ((small, 5), (large, 500)):
        _fill(account, n)
        legal.nosp_record(actor=caseworker, account=account, served_on=TODAY - datetime.timedelta(days=3))
        legal.court_case_record(actor=caseworker, account=account, court_date=NOW - datetime.timedelta(days=3))
        PatchOfficer.objects.get_or_create(patch=account.patch, defaults={"officer": make_staff(Role.CASEWORKER)})
    accounts_classify()
    client.force_login(caseworker)
    _queries(client, small)  # warm the session and content-type caches
    small_count, large_count = _queries(client, small), _queries(client, large)
    print(f"account page queries: 5 rows {small_count}, 500 rows {large_count}")
    assert small_count == large_count
    assert large_count <= 30
