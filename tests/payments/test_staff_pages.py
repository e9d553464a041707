"""The staff pages for payments: the payments section of a tenant's case page, a payment's page
and a payee's page. Who sees what, every form's success and refusals (400 bad input, 403 not
theirs to do, 409 not possible now) with the service's sentence, the duplicate-benefit override,
and that bank details and tax ids are only ever shown masked."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from casework.models import Case, Document, Workflow
from core.roles import Role
from payments.models import Payee, PayeeVerification, Payment
from tests.casework.factories import CaseFactory, CaseTypeFactory, landlord_case, tenant_case
from tests.casework.factories_docs import PDF
from tests.payments.factories import approved_case, last_audit, make_payee, make_payment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
P = Payment.Status


def matched(case, payee: Payee):
    """A landlord application by `payee`'s owner, matched to the tenant's `case`."""
    return landlord_case(parent=case, applicant=payee.owner, status="payment")


def paying_case(**kwargs):
    """A tenant case at Payment with a matched landlord whose payee is verified."""
    case = approved_case(**kwargs)
    payee = make_payee()
    matched(case, payee)
    return case, payee


def case_url(case, **query) -> str:
    url = reverse("staff-case", args=[case.pk])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def payment_url(payment) -> str:
    return reverse("staff-payment", args=[payment.pk])


def move_url(payment, move: str) -> str:
    return reverse("staff-payment-move", args=[payment.pk, move])


def add_data(payee, **overrides) -> dict:
    data = {
        "payment-payee": payee.pk,
        "payment-reason": "ARR",
        "payment-amount": "1250.00",
        "payment-payment_method": "bank_transfer",
        "payment-period_start": "2026-09-01",
        "payment-period_end": "2026-10-31",
        "payment-override_reason": "",
    }
    return {**data, **{f"payment-{name}": value for name, value in overrides.items()}}


def upload(content: bytes, name: str):
    file = io.BytesIO(content)
    file.name = name
    return file


# --- the case page's section ---------------------------------------------------------------------


def test_a_tenant_case_loads_its_payments_section_after_the_page(client, caseworker):
    case, _payee = paying_case()
    client.force_login(caseworker)
    html = client.get(case_url(case)).content.decode()
    assert 'id="case-payments"' in html
    assert reverse("staff-case-section", args=[case.pk, "payments"]) in html  # the lazy placeholder
    assert "Show the payments, or set one up" in html


@pytest.mark.parametrize("workflow", [Workflow.HOUSING_OPTIONS, Workflow.RENTAL_LANDLORD, Workflow.ARREARS])
def test_other_cases_have_no_payments_section(client, caseworker, workflow):
    case = CaseFactory(case_type=CaseTypeFactory(workflow=workflow))
    client.force_login(caseworker)
    assert 'id="case-payments"' not in client.get(case_url(case)).content.decode()
    assert 'id="case-payments"' not in client.get(case_url(case, show="payments")).content.decode()
    section = reverse("staff-case-section", args=[case.pk, "payments"])
    assert client.get(section, **HTMX).status_code == 404


def test_the_section_lists_payments_with_payee_method_status_batch_and_totals(client, caseworker, case_manager):
    from payments.models import PaymentBatch

    case, payee = paying_case()
    paid = make_payment(case_manager, case=case, payee=payee, status=P.PAYMENT_SUCCESSFUL, amount=Decimal("1000.00"))
    batch = PaymentBatch.objects.create(
        reference="B-TEST-1",
        payment_count=1,
        total_amount=Decimal("1000.00"),
        csv_file="payment_reference\n",
        ach_file="ach",
    )
    Payment.objects.filter(pk=paid.pk).update(batch=batch)
    make_payment(
        case_manager,
        case=case,
        payee=payee,
        reason="UTL",
        amount=Decimal("250.50"),
        payment_method="",
        period_start=datetime.date(2026, 11, 1),
        period_end=None,
    )
    client.force_login(caseworker)
    response = client.get(reverse("staff-case-section", args=[case.pk, "payments"]), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert payee.name in html and "Bank transfer" in html and "Method not chosen" in html
    assert "Payment successful" in html and "Not verified" in html
    assert "B-TEST-1</a>" in html and reverse("staff-payment-batch", args=[batch.pk]) in html
    assert payment_url(paid) in html
    assert response.context["payment_totals"].paid == Decimal("1000.00")
    assert response.context["payment_totals"].pending == Decimal("250.50")
    assert 'id="case-payments-paid">1,000.00<' in html
    assert "000123456789" not in html  # never the account number
    # A caseworker sees the payments but may not set one up.
    assert "Set up a payment" not in html


def test_without_javascript_show_payments_draws_the_section_in_the_page(client, caseworker, case_manager):
    case, payee = paying_case()
    make_payment(case_manager, case=case, payee=payee)
    client.force_login(caseworker)
    response = client.get(case_url(case, show="payments"))
    assert response.status_code == 200
    assert len(response.context["payments"]) == 1
    section = reverse("staff-case-section", args=[case.pk, "payments"])
    redirect = client.get(section)
    assert redirect.status_code == 302 and redirect["Location"].endswith("show=payments#case-payments")


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.REVIEWER, Role.SUPERVISOR])
def test_payment_workers_get_the_form_at_the_payment_chevron_only(client, make_staff, role):
    user = make_staff(role)
    case, payee = paying_case()
    earlier = tenant_case(status="reviewer")
    matched(earlier, payee)
    client.force_login(user)
    html = client.get(case_url(case, show="payments")).content.decode()
    assert "Set up a payment" in html
    assert f'<option value="{payee.pk}">' in html
    assert "Set up a payment" not in client.get(case_url(earlier, show="payments")).content.decode()


def test_without_a_matched_landlord_there_is_no_payee_to_choose(client, case_manager):
    case = approved_case()
    client.force_login(case_manager)
    html = client.get(case_url(case, show="payments")).content.decode()
    assert "No landlord application is matched to this case yet" in html


def test_set_up_a_payment_without_javascript(client, case_manager):
    case, payee = paying_case()
    client.force_login(case_manager)
    response = client.post(reverse("staff-case-payment-add", args=[case.pk]), add_data(payee))
    assert response.status_code == 302
    assert response["Location"].endswith("?show=payments#case-payments")
    payment = Payment.objects.get(case=case)
    assert (payment.payee, payment.amount, payment.status) == (payee, Decimal("1250.00"), P.NOT_VERIFIED)
    assert last_audit(payment)["user"] == case_manager.pk
    html = client.get(response["Location"]).content.decode()
    assert "Payment of 1,250.00 to Lena Lord set up." in html


def test_set_up_a_payment_with_htmx_redraws_the_section(client, reviewer):
    case, payee = paying_case()
    client.force_login(reviewer)
    response = client.post(reverse("staff-case-payment-add", args=[case.pk]), add_data(payee), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="case-payments"' in html
    assert "Payment of 1,250.00 to Lena Lord set up." in html
    assert payment_url(Payment.objects.get(case=case)) in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "0"}, "amount", "The amount must be more than zero."),
        ({"amount": "-5"}, "amount", "The amount must be more than zero."),
        ({"amount": "12.345"}, "amount", "at most 2 decimal places"),
        ({"amount": "lots"}, "amount", "Enter the amount as a number"),
        ({"reason": "STP", "period_start": "2026-09-15"}, "period_start", "first day of that month"),
        ({"period_end": "2026-08-01"}, "period_end", "The period cannot end before it starts."),
        ({"period_start": ""}, "period_start", "Enter the first day the payment covers."),
        ({"reason": ""}, "reason", "Choose a reason."),
    ],
)
def test_bad_input_is_a_400_on_its_field_and_nothing_is_saved(client, case_manager, overrides, field, message):
    case, payee = paying_case()
    client.force_login(case_manager)
    response = client.post(reverse("staff-case-payment-add", args=[case.pk]), add_data(payee, **overrides), **HTMX)
    assert response.status_code == 400
    form = response.context["payment_form"]
    assert message in " ".join(form.errors[field])
    assert f'href="#id_payment-{field}"' in response.content.decode()
    assert not Payment.objects.exists()


def test_a_payee_not_matched_to_the_case_cannot_be_chosen(client, case_manager):
    case, _payee = paying_case()
    stranger = make_payee()
    client.force_login(case_manager)
    response = client.post(reverse("staff-case-payment-add", args=[case.pk]), add_data(stranger))
    assert response.status_code == 400
    refusal = "Choose one of the payees offered: the case&#x27;s landlord payees or a utility."
    assert refusal in response.content.decode()
    assert not Payment.objects.exists()


def test_a_caseworker_is_refused_with_a_403_and_the_sentence(client, caseworker):
    case, payee = paying_case()
    client.force_login(caseworker)
    response = client.post(reverse("staff-case-payment-add", args=[case.pk]), add_data(payee), **HTMX)
    assert response.status_code == 403
    assert "Only a case manager, reviewer or supervisor can set up a payment." in response.content.decode()
    assert not Payment.objects.exists()


def test_a_case_not_at_payment_is_refused(client, case_manager):
    case = tenant_case(status="reviewer")
    payee = make_payee()
    matched(case, payee)
    client.force_login(case_manager)
    response = client.post(reverse("staff-case-payment-add", args=[case.pk]), add_data(payee))
    assert response.status_code == 400
    assert "is not approved for payment" in response.content.decode()
    assert not Payment.objects.exists()


def test_applicants_and_unknown_cases(client, applicant, case_manager):
    case, payee = paying_case()
    client.force_login(applicant)
    assert client.post(reverse("staff-case-payment-add", args=[case.pk]), add_data(payee)).status_code == 403
    client.force_login(case_manager)
    assert client.post(reverse("staff-case-payment-add", args=[999999]), add_data(payee)).status_code == 404
    housing = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.HOUSING_OPTIONS))
    assert client.post(reverse("staff-case-payment-add", args=[housing.pk]), add_data(payee)).status_code == 404


# --- the duplicate-benefit check and its override ------------------------------------------------------


def test_a_duplicate_is_a_409_and_only_a_supervisor_may_override_it(client, case_manager, supervisor):
    case, payee = paying_case()
    first = make_payment(case_manager, case=case, payee=payee)
    url = reverse("staff-case-payment-add", args=[case.pk])

    client.force_login(case_manager)
    response = client.post(url, add_data(payee), **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "A supervisor can override this with a reason." in html
    assert payment_url(first) in html  # the clashing payment, linked
    assert 'name="payment-override_reason"' not in html
    # A case manager who sends an override anyway is refused.
    response = client.post(url, add_data(payee, override_reason="Needed"), **HTMX)
    assert response.status_code == 403
    assert "Only a supervisor can override the duplicate-benefit check." in response.content.decode()
    assert Payment.objects.filter(case=case).count() == 1

    client.force_login(supervisor)
    response = client.post(url, add_data(payee), **HTMX)
    assert response.status_code == 409
    assert 'name="payment-override_reason"' in response.content.decode()
    assert "Set up the payment anyway" in response.content.decode()
    response = client.post(url, add_data(payee, override_reason="Second tenancy in the same month"))
    assert response.status_code == 302
    second = Payment.objects.filter(case=case).exclude(pk=first.pk).get()
    assert (second.override_by, second.override_reason) == (supervisor, "Second tenancy in the same month")
    html = client.get(payment_url(second)).content.decode()
    assert 'id="payment-override"' in html and "Second tenancy in the same month" in html and "Sue Pervisor" in html


# --- a payment's page -------------------------------------------------------------------------------


def test_the_payment_page_shows_its_details_masked_and_its_history(client, caseworker, case_manager):
    case, payee = paying_case()
    payment = make_payment(case_manager, case=case, payee=payee)
    client.force_login(caseworker)
    response = client.get(payment_url(payment))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and reverse("staff-case", args=[case.pk]) in html
    assert "Lena Lord" in html and "Bank transfer" in html
    assert payee.account_number_masked in html and "000123456789" not in html
    assert "123456789" not in html.replace(payee.account_number_masked, "")
    assert payment.export_reference in html and "1,250.00" in html and "Rent arrears" in html
    history = response.context["history"]
    assert [(row["label"], row["who"], row["to_status"]) for row in history] == [
        ("Set up", case_manager, "Not verified")
    ]
    assert "Cass Manager" in html
    # A caseworker may look, not act.
    assert response.context["moves"] == [] and response.context["edit_form"] is None


def test_unknown_payments_are_404_and_applicants_403(client, caseworker, applicant, case_manager):
    payment = make_payment(case_manager)
    client.force_login(caseworker)
    assert client.get(reverse("staff-payment", args=[payment.pk + 1000])).status_code == 404
    client.force_login(applicant)
    assert client.get(payment_url(payment)).status_code == 403
    assert client.post(move_url(payment, "verify")).status_code == 403
    client.logout()
    assert client.get(payment_url(payment)).status_code == 302


def _moves(client, payment) -> list[str]:
    return [move["name"] for move in client.get(payment_url(payment)).context["moves"]]


@pytest.mark.parametrize(
    ("status", "worker_moves", "supervisor_moves"),
    [
        (P.NOT_VERIFIED, ["verify", "reject"], ["verify", "reject"]),
        (P.VERIFIED_BY_WORKER, ["reject"], ["submit", "reject"]),
        (P.SUBMITTED_FOR_PAYMENT, [], ["record_result", "void"]),
        (P.PAYMENT_SUCCESSFUL, [], ["record_result", "recoup"]),
        (P.PAYMENT_FAILED, ["retry"], ["retry", "void", "refund_or_cancel"]),
        (P.PAYMENT_RETURNED, [], ["refund_or_cancel"]),
        (P.PAYMENT_VOIDED, [], []),
    ],
)
def test_the_moves_offered_are_the_viewers_and_possible_now(
    client, case_manager, supervisor, status, worker_moves, supervisor_moves
):
    payment = make_payment(case_manager, status=status)
    client.force_login(case_manager)
    assert _moves(client, payment) == worker_moves
    client.force_login(supervisor)
    assert _moves(client, payment) == supervisor_moves


def test_verify_then_submit_then_record_paid(client, case_manager, supervisor):
    payment = make_payment(case_manager)
    client.force_login(case_manager)
    response = client.post(move_url(payment, "verify"))
    assert response.status_code == 302 and response["Location"] == payment_url(payment)
    payment.refresh_from_db()
    assert payment.status == P.VERIFIED_BY_WORKER
    assert f"Payment {payment.pk} is now Verified by worker." in client.get(payment_url(payment)).content.decode()

    client.force_login(supervisor)
    assert client.post(move_url(payment, "submit"), {"submit-reason": ""}).status_code == 302
    response = client.post(
        move_url(payment, "record_result"),
        {"record_result-result": "successful", "record_result-reference": "PROV-77", "record_result-reason": ""},
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.provider_reference) == (P.PAYMENT_SUCCESSFUL, "PROV-77")
    html = client.get(payment_url(payment)).content.decode()
    assert "PROV-77" in html
    labels = [row["label"] for row in client.get(payment_url(payment)).context["history"]]
    assert labels == ["Set up", "Verify", "Submit for payment", "Record as paid"]


def test_verifying_with_an_unverified_payee_is_a_409_naming_the_guard(client, case_manager):
    payment = make_payment(case_manager, payee=make_payee(verified=False))
    client.force_login(case_manager)
    response = client.post(move_url(payment, "verify"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "The payee is not verified. Verify the payee first" in html
    assert "govuk-error-summary" in html
    payment.refresh_from_db()
    assert payment.status == P.NOT_VERIFIED


def test_a_move_not_possible_from_this_status_is_a_409(client, case_manager):
    payment = make_payment(case_manager, status=P.PAYMENT_SUCCESSFUL)
    client.force_login(case_manager)
    response = client.post(move_url(payment, "verify"))
    assert response.status_code == 409
    assert "is only possible from: Not verified" in response.content.decode()


@pytest.mark.parametrize(("move", "status"), [("submit", P.VERIFIED_BY_WORKER), ("void", P.SUBMITTED_FOR_PAYMENT)])
def test_a_supervisors_move_by_a_case_manager_is_a_403(client, case_manager, move, status):
    payment = make_payment(case_manager, status=status)
    client.force_login(case_manager)
    response = client.post(move_url(payment, move), {f"{move}-reason": "Because"})
    assert response.status_code == 403
    assert "supervisor" in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == status


def test_a_caseworker_cannot_verify(client, caseworker, case_manager):
    payment = make_payment(case_manager)
    client.force_login(caseworker)
    response = client.post(move_url(payment, "verify"))
    assert response.status_code == 403
    assert "Only a case manager, reviewer or supervisor can verify a payment." in response.content.decode()


def test_reject_needs_a_reason(client, reviewer):
    payment = make_payment(reviewer)
    client.force_login(reviewer)
    response = client.post(move_url(payment, "reject"), {"reject-reason": ""})
    assert response.status_code == 400
    assert response.context["moves"][1]["open"] is True  # the refused form stays open
    assert "Give a reason." in response.content.decode()
    response = client.post(move_url(payment, "reject"), {"reject-reason": "Landlord paid by the council already"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.status_reason) == (P.REJECTED_BY_WORKER, "Landlord paid by the council already")
    history = client.get(payment_url(payment)).context["history"]
    assert history[-1]["reason"] == "Landlord paid by the council already"
    assert (history[-1]["from_status"], history[-1]["to_status"]) == ("Not verified", "Rejected by worker")


@pytest.mark.parametrize(
    ("move", "status", "target"),
    [
        ("void", P.SUBMITTED_FOR_PAYMENT, P.PAYMENT_VOIDED),
        ("recoup", P.PAYMENT_SUCCESSFUL, P.PAYMENT_RECOUPED),
        ("refund_or_cancel", P.PAYMENT_RETURNED, P.REFUND_OR_CANCELLED),
    ],
)
def test_a_supervisor_settles_with_a_reason(client, case_manager, supervisor, move, status, target):
    payment = make_payment(case_manager, status=status)
    client.force_login(supervisor)
    assert client.post(move_url(payment, move), {f"{move}-reason": ""}).status_code == 400
    response = client.post(move_url(payment, move), {f"{move}-reason": "Paid in error"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.status_reason) == (target, "Paid in error")
    html = client.get(payment_url(payment)).content.decode()
    assert "This payment is final" in html


def test_retry_a_failed_payment(client, case_manager):
    payment = make_payment(case_manager, status=P.PAYMENT_FAILED)
    client.force_login(case_manager)
    assert client.post(move_url(payment, "retry"), {"retry-reason": "Bank details corrected"}).status_code == 302
    payment.refresh_from_db()
    assert payment.status == P.NOT_VERIFIED


def test_an_unknown_result_or_move(client, case_manager, supervisor):
    payment = make_payment(case_manager, status=P.SUBMITTED_FOR_PAYMENT)
    client.force_login(supervisor)
    response = client.post(move_url(payment, "record_result"), {"record_result-result": "lost"})
    assert response.status_code == 400
    assert client.post(move_url(payment, "teleport")).status_code == 404


# --- changing a payment -------------------------------------------------------------------------------


def edit_data(payment, **overrides) -> dict:
    data = {
        "edit-payee": payment.payee_id,
        "edit-reason": payment.reason,
        "edit-amount": f"{payment.amount:.2f}",
        "edit-payment_method": payment.payment_method,
        "edit-period_start": payment.period_start.isoformat(),
        "edit-period_end": payment.period_end.isoformat() if payment.period_end else "",
        "edit-override_reason": "",
    }
    return {**data, **{f"edit-{name}": value for name, value in overrides.items()}}


def test_change_a_verified_payment_sends_it_back_to_be_checked(client, case_manager):
    case, payee = paying_case()
    payment = make_payment(case_manager, case=case, payee=payee, status=P.VERIFIED_BY_WORKER)
    client.force_login(case_manager)
    page = client.get(payment_url(payment))
    assert page.context["edit_form"] is not None
    assert "any change sends it back to be verified again" in page.content.decode()
    response = client.post(reverse("staff-payment-edit", args=[payment.pk]), edit_data(payment, amount="900.00"))
    assert response.status_code == 302
    payment.refresh_from_db()
    assert (payment.amount, payment.status) == (Decimal("900.00"), P.NOT_VERIFIED)
    assert client.get(payment_url(payment)).context["history"][-1]["changed"] == ["amount"]


def test_bad_changes_are_a_400_and_change_nothing(client, case_manager):
    payment = make_payment(case_manager)
    client.force_login(case_manager)
    response = client.post(reverse("staff-payment-edit", args=[payment.pk]), edit_data(payment, amount="0"))
    assert response.status_code == 400
    assert response.context["edit_open"] is True
    assert "The amount must be more than zero." in response.content.decode()
    payment.refresh_from_db()
    assert payment.amount == Decimal("1250.00")


def test_a_submitted_payment_cannot_be_edited_by_anyone(client, case_manager, supervisor):
    payment = make_payment(case_manager, status=P.SUBMITTED_FOR_PAYMENT)
    client.force_login(supervisor)
    assert client.get(payment_url(payment)).context["edit_form"] is None
    response = client.post(reverse("staff-payment-edit", args=[payment.pk]), edit_data(payment, amount="1.00"))
    assert response.status_code == 409
    assert "Submitted payments cannot be edited" in response.content.decode()
    payment.refresh_from_db()
    assert payment.amount == Decimal("1250.00")


def test_a_caseworker_cannot_edit(client, caseworker, case_manager):
    payment = make_payment(case_manager)
    client.force_login(caseworker)
    response = client.post(reverse("staff-payment-edit", args=[payment.pk]), edit_data(payment, amount="1.00"))
    assert response.status_code == 403


# --- a payee's page --------------------------------------------------------------------------------


def test_the_payee_page_shows_masked_details_and_its_cases(client, caseworker):
    case, payee = paying_case()
    client.force_login(caseworker)
    response = client.get(reverse("staff-payee", args=[payee.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lena Lord" in html and "An individual" in html and "Bank transfer" in html
    assert payee.tax_id_masked in html and payee.account_number_masked in html
    assert "123456789" not in html.replace(payee.account_number_masked, "").replace(payee.tax_id_masked, "")
    assert "000123456789" not in html and "123-45-6789" not in html
    assert "021000021" in html  # a routing number is not secret
    assert "Verified automatically" in html
    landlord = Case.objects.get(parent=case)
    assert reverse("staff-case", args=[landlord.pk]) in html
    # A caseworker cannot verify.
    assert response.context["verify_form"] is None and "Verify by worker" not in html


def test_a_payee_on_no_case_is_404_and_applicants_are_refused(client, caseworker, applicant):
    lonely = make_payee()
    client.force_login(caseworker)
    assert client.get(reverse("staff-payee", args=[lonely.pk])).status_code == 404
    assert client.get(reverse("staff-payee", args=[lonely.pk + 1000])).status_code == 404
    _case, payee = paying_case()
    client.force_login(applicant)
    assert client.get(reverse("staff-payee", args=[payee.pk])).status_code == 403


def test_a_payee_paid_on_a_case_is_seen_through_it(client, caseworker, case_manager):
    payment = make_payment(case_manager)  # no landlord case: seen through the case it is paid on
    client.force_login(caseworker)
    assert client.get(reverse("staff-payee", args=[payment.payee_id])).status_code == 200


def test_verify_a_payee_with_evidence(client, case_manager):
    case = approved_case()
    payee = make_payee(verified=False)
    landlord = matched(case, payee)
    client.force_login(case_manager)
    url = reverse("staff-payee-verify", args=[payee.pk])
    response = client.post(
        url, {"verify-evidence": upload(PDF, "ein-letter.pdf"), "verify-reason": "EIN letter matches"}
    )
    assert response.status_code == 302
    payee.refresh_from_db()
    assert payee.verification_status == PayeeVerification.VERIFIED_BY_WORKER
    assert (payee.verified_by, payee.verification_reason) == (case_manager, "EIN letter matches")
    document = Document.objects.get()
    assert (document.case, document.category, payee.verification_evidence) == (landlord, "tax", document)
    html = client.get(reverse("staff-payee", args=[payee.pk])).content.decode()
    assert "ein-letter.pdf" in html and reverse("document-download", args=[document.pk]) in html
    assert "Cass Manager" in html and "EIN letter matches" in html


@pytest.mark.parametrize(
    ("files", "field", "message"),
    [
        ({"verify-reason": "Checked"}, "evidence", "Attach the document you checked"),
        ({"verify-evidence": ("ein.pdf", PDF), "verify-reason": ""}, "reason", "Say why you are satisfied"),
        ({"verify-evidence": ("ein.pdf", b"MZ\x90\x00 nope"), "verify-reason": "Checked"}, "evidence", ""),
    ],
)
def test_a_refused_verification_is_a_400_and_stores_nothing(client, case_manager, files, field, message):
    case = approved_case()
    payee = make_payee(verified=False)
    matched(case, payee)
    client.force_login(case_manager)
    data = {key: upload(value[1], value[0]) if isinstance(value, tuple) else value for key, value in files.items()}
    response = client.post(reverse("staff-payee-verify", args=[payee.pk]), data)
    assert response.status_code == 400
    form = response.context["verify_form"]
    assert form.errors.get(field) and message in " ".join(form.errors[field])
    assert f'href="#id_verify-{field}"' in response.content.decode()
    assert not Document.objects.exists()
    payee.refresh_from_db()
    assert payee.verification_status == PayeeVerification.UNVERIFIED


def test_a_caseworker_cannot_verify_a_payee_and_nothing_is_stored(client, caseworker):
    case = approved_case()
    payee = make_payee(verified=False)
    matched(case, payee)
    client.force_login(caseworker)
    response = client.post(
        reverse("staff-payee-verify", args=[payee.pk]),
        {"verify-evidence": upload(PDF, "ein.pdf"), "verify-reason": "Checked"},
    )
    assert response.status_code == 403
    assert "Only a case manager, reviewer or supervisor can verify a payee." in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("tax_id", "status", "verified"),
    [("12-3456789", "match", True), ("12-3450000", "mismatch", False), ("12-3459999", "error", False)],
)
def test_run_the_automatic_check(client, case_manager, tax_id, status, verified):
    case = approved_case()
    payee = make_payee(verified=False, tax_id=tax_id)
    matched(case, payee)
    client.force_login(case_manager)
    response = client.post(reverse("staff-payee-check", args=[payee.pk]))
    assert response.status_code == 302
    payee.refresh_from_db()
    assert payee.automatic_check_status == status
    assert payee.is_verified is verified
    html = client.get(reverse("staff-payee", args=[payee.pk])).content.decode()
    assert payee.get_automatic_check_status_display() in html


def test_a_caseworker_cannot_run_the_automatic_check(client, caseworker):
    case = approved_case()
    payee = make_payee(verified=False)
    matched(case, payee)
    client.force_login(caseworker)
    response = client.post(reverse("staff-payee-check", args=[payee.pk]))
    assert response.status_code == 403
    assert "Only a case manager, reviewer or supervisor can run the automatic check." in response.content.decode()
    payee.refresh_from_db()
    assert payee.automatic_check_status == ""
