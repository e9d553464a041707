"""The applicant portal shows the payments made on an application (issue 10): amount, date, what
it pays for and the payee's name, for the payments that were paid, returned or are being paid;
never the payee's bank details or tax id, the provider's reference or staff's reasons. A tenant
sees every payment on their application; a landlord sees, on their application, only the
payments made to their own payee on the tenant's application it is matched with. Nobody else
sees any of them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from casework.models import Case
from core.roles import Role
from payments.models import Payee, PayeeVerification, Payment
from payments.services import payments as payment_services
from portal.selectors.status import payments_made_for
from tests.browser.conftest import (  # noqa: F401  (fixtures, found by name: the browser check below)
    axe,
    browser_context_args,
    browser_type_launch_args,
    check_page,
    server,
    signed_in,
)
from tests.casework.factories import CaseTypeFactory, landlord_case, tenant_case
from tests.portal.factories import make_applicant
from tests.portal.landlord_helpers import PAYEE, make_landlord

pytestmark = pytest.mark.django_db

S = Payment.Status

# One amount per status, so a page can be searched for each payment.
AMOUNTS = {
    S.PAYMENT_SUCCESSFUL: "1111.11",
    S.PAYMENT_RETURNED: "2222.22",
    S.SUBMITTED_FOR_PAYMENT: "3333.33",
    S.NOT_VERIFIED: "4444.44",
    S.VERIFIED_BY_WORKER: "5555.55",
    S.REJECTED_BY_WORKER: "6666.66",
    S.PAYMENT_VOIDED: "7777.77",
}
SHOWN = (S.PAYMENT_SUCCESSFUL, S.PAYMENT_RETURNED, S.SUBMITTED_FOR_PAYMENT)
OTHER_PAYEE_AMOUNT = "8888.88"
PROVIDER_REFERENCE = "PROVIDER-REF-4711"
INTERNAL_REASON = "Internal: recheck the ledger before paying"


def page_url(number: str) -> str:
    return f"/portal/applications/{number}/"


def _verified(landlord) -> Payee:
    """The landlord's payee (made by their profile), verified: arranged, not under test."""
    payee = Payee.objects.get(owner=landlord)
    Payee.objects.filter(pk=payee.pk).update(
        verification_status=PayeeVerification.VERIFIED_AUTOMATIC, verified_at=timezone.now()
    )
    payee.refresh_from_db()
    return payee


def _pay(case: Case, payee: Payee, amount: str, month: int, status: str, *, manager, supervisor) -> Payment:
    """A payment on `case` taken to `status` through the payment services, each in its own month."""
    start = datetime.date(2026, month, 1)
    payment = payment_services.payment_create(
        actor=manager,
        case=case,
        payee=payee,
        reason="ARR",
        amount=amount,
        payment_method="bank_transfer",
        period_start=start,
        period_end=start + datetime.timedelta(days=27),
    )
    if status == S.NOT_VERIFIED:
        return payment
    if status == S.REJECTED_BY_WORKER:
        return payment_services.payment_reject(actor=manager, payment=payment, reason=INTERNAL_REASON)
    payment = payment_services.payment_verify(actor=manager, payment=payment)
    if status == S.VERIFIED_BY_WORKER:
        return payment
    payment = payment_services.payment_submit(actor=supervisor, payment=payment, reason=INTERNAL_REASON)
    if status == S.SUBMITTED_FOR_PAYMENT:
        return payment
    if status == S.PAYMENT_VOIDED:
        return payment_services.payment_void(actor=supervisor, payment=payment, reason=INTERNAL_REASON)
    payment = payment_services.payment_record_result(
        actor=None, payment=payment, result="successful", reference=PROVIDER_REFERENCE, reason=INTERNAL_REASON
    )
    if status == S.PAYMENT_RETURNED:
        payment = payment_services.payment_record_result(
            actor=None, payment=payment, result="returned", reason=INTERNAL_REASON
        )
    return payment


@pytest.fixture
def story(make_staff):
    """Tenant Tara's application at the Payment chevron, matched with landlord Lena's; payments on
    it in seven statuses to Lena's payee, and one (paid) to another landlord's payee."""
    manager = make_staff(Role.CASE_MANAGER, email="cm@test.example")
    supervisor = make_staff(Role.SUPERVISOR, email="super@test.example")
    CaseTypeFactory(workflow="rental_landlord")
    tenant = make_applicant("tara@test.example")
    case = tenant_case(applicant=tenant, status="payment")
    lena = make_landlord("lena@test.example")
    lena_case = landlord_case(applicant=lena, parent=case, status="chaser")
    payee = _verified(lena)
    payments = {
        status: _pay(case, payee, amount, month, status, manager=manager, supervisor=supervisor)
        for month, (status, amount) in enumerate(AMOUNTS.items(), start=1)
    }
    # Another landlord's payee paid on the same tenant case (e.g. last year's landlord's arrears).
    other = make_landlord("otto@test.example", first_name="Otto", last_name="Other")
    Payee.objects.filter(owner=other).update(name="Otto Other Lettings")
    other_payee = _verified(other)
    elsewhere = _pay(
        case, other_payee, OTHER_PAYEE_AMOUNT, 10, S.PAYMENT_SUCCESSFUL, manager=manager, supervisor=supervisor
    )
    return {
        "tenant": tenant,
        "case": case,
        "lena": lena,
        "lena_case": lena_case,
        "other": other,
        "payments": payments,
        "elsewhere": elsewhere,
    }


def _amounts_on(html: str) -> set[str]:
    return {amount for amount in [*AMOUNTS.values(), OTHER_PAYEE_AMOUNT] if amount in html}


def _assert_nothing_secret(html: str) -> None:
    for secret in (
        PAYEE["account_number"],  # 000123456789
        PAYEE["account_number"][-4:] + "</",  # not even the masked ending
        "123456789",  # the tax id as stored
        PAYEE["tax_id"],  # 12-3456789, as entered
        PAYEE["routing_number"],
        PROVIDER_REFERENCE,
        INTERNAL_REASON,
        "Verified automatically",
    ):
        assert secret not in html, secret


def test_the_tenant_sees_the_payments_made_with_amount_date_and_payee(client, story):
    client.force_login(story["tenant"])
    response = client.get(page_url(story["case"].number))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Payments made" in html
    # Paid, returned and being paid; not the ones still being set up, rejected or voided. The
    # tenant sees the other landlord's payment on their case too.
    assert _amounts_on(html) == {AMOUNTS[s] for s in SHOWN} | {OTHER_PAYEE_AMOUNT}
    paid = story["payments"][S.PAYMENT_SUCCESSFUL]
    day = timezone.localdate(paid.status_changed_at)
    assert f'<time datetime="{day:%Y-%m-%d}">' in html
    assert "Lena Lord" in html and "Otto Other Lettings" in html
    assert "1 Jan 2026 to 28 Jan 2026" in html  # the period the paid one covers
    assert "Rent owed" in html
    for label in ("Paid", "Returned", "Being paid", "Not paid yet"):
        assert label in html
    _assert_nothing_secret(html)


def test_the_rows_say_what_happened_to_each_payment(story):
    rows = {row.amount: row for row in payments_made_for(story["case"])}
    assert set(rows) == {Decimal(AMOUNTS[s]) for s in SHOWN} | {Decimal(OTHER_PAYEE_AMOUNT)}
    paid, returned, being_paid = (rows[Decimal(AMOUNTS[s])] for s in SHOWN)
    assert (paid.status, paid.date) == ("paid", timezone.localdate())
    assert (returned.status, returned.date) == ("returned", timezone.localdate())
    assert (being_paid.status, being_paid.date) == ("being_paid", None)
    assert paid.period_start == datetime.date(2026, 1, 1)
    assert paid.payee_name == "Lena Lord"
    # Newest period first.
    assert [row.period_start for row in payments_made_for(story["case"])] == sorted(
        (row.period_start for row in rows.values()), reverse=True
    )
    # Only safe fields exist to be shown.
    assert not hasattr(paid, "payee") and not hasattr(paid, "provider_reference")


def test_the_landlord_sees_only_payments_to_their_own_payee(client, story):
    client.force_login(story["lena"])
    html = client.get(page_url(story["lena_case"].number)).content.decode()
    assert "Payments made" in html
    assert _amounts_on(html) == {AMOUNTS[s] for s in SHOWN}
    assert "Otto Other Lettings" not in html
    _assert_nothing_secret(html)


def test_the_other_landlord_sees_none_on_their_own_application_and_cannot_open_lenas(client, story):
    other = story["other"]
    own = landlord_case(applicant=other, status="application_match")  # not matched with Tara's
    client.force_login(other)
    html = client.get(page_url(own.number)).content.decode()
    assert _amounts_on(html) == set()
    assert "Payments made" not in html
    assert client.get(page_url(story["lena_case"].number)).status_code == 404
    assert client.get(page_url(story["case"].number)).status_code == 404


def test_another_tenant_sees_nothing_and_cannot_open_the_application(client, story):
    tenant_b = make_applicant("bob@test.example", first_name="Bob", last_name="Baker")
    own = tenant_case(applicant=tenant_b, status="payment")  # approved too, nothing paid yet
    client.force_login(tenant_b)
    html = client.get(page_url(own.number)).content.decode()
    assert "Payments made" in html and "No payments have been made yet" in html
    assert _amounts_on(html) == set()
    assert client.get(page_url(story["case"].number)).status_code == 404
    assert client.get(page_url(story["lena_case"].number)).status_code == 404
    home = client.get("/portal/").content.decode()
    assert _amounts_on(home) == set() and "Lena Lord" not in home


def test_an_application_before_approval_has_no_payments_section(client, make_staff):
    tenant = make_applicant("early@test.example")
    case = tenant_case(applicant=tenant, status="chaser")
    client.force_login(tenant)
    assert "Payments made" not in client.get(page_url(case.number)).content.decode()


def test_an_unmatched_landlord_application_has_no_payments(story):
    unmatched = landlord_case(applicant=story["lena"], status="application_match")
    assert payments_made_for(unmatched) == []


def test_the_spanish_page_shows_the_payments_translated(client, story):
    client.force_login(story["tenant"])
    client.cookies["django_language"] = "es"
    html = client.get(page_url(story["case"].number), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    with translation.override("es"):
        heading = translation.gettext("Payments made")
        paid = translation.pgettext("payment status", "Paid")
    assert heading != "Payments made"
    assert f">{heading}</h2>" in html
    assert paid != "Paid" and paid in html
    assert "1111,11" in html  # the amount in Spanish
    _assert_nothing_secret(html)


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_the_payments_section_in_a_browser_meets_wcag(server, signed_in, check_page, story):  # noqa: F811
    from playwright.sync_api import expect

    page = signed_in(story["tenant"])
    page.goto(f"{server}{page_url(story['case'].number)}")
    table = page.get_by_role("table", name="Payments made on this application, newest first")
    expect(table.get_by_role("row")).to_have_count(1 + 4)  # the header, and the four payments shown
    page.get_by_text("What the statuses mean").click()
    expect(page.get_by_text("The receiving bank sent the money back to us on this date.")).to_be_visible()
    check_page(page, "portal-status-payments-made")
