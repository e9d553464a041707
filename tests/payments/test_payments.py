"""Payments and payee verification through the services: creating and editing a payment, the
rules on verifying, editing after submission, supervisors' moves, idempotent results, the audit
trail, rollback, payee verification and its reset, the TIN at rest, landlord activity after
submission, and the admin."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from casework.services import cases as case_services
from casework.services import documents as document_services
from core import errors
from payments.models import Payee, PayeeVerification, Payment, PaymentStatus
from payments.services import payees as payee_services
from payments.services import payments as services
from tests.casework.factories import landlord_case, tenant_case
from tests.casework.factories_docs import document_on
from tests.payments.factories import BANK, approved_case, last_audit, make_landlord, make_payee, make_payment

pytestmark = pytest.mark.django_db

S = PaymentStatus
AFTER_SUBMISSION = [
    S.SUBMITTED_FOR_PAYMENT,
    S.PAYMENT_SUCCESSFUL,
    S.PAYMENT_FAILED,
    S.PAYMENT_RETURNED,
    S.PAYMENT_RECOUPED,
    S.REFUND_OR_CANCELLED,
    S.PAYMENT_VOIDED,
]


def _create(actor, **changes) -> Payment:
    values = {
        "case": approved_case(),
        "payee": make_payee(),
        "reason": "ARR",
        "amount": "1250.00",
        "payment_method": "bank_transfer",
        "period_start": datetime.date(2026, 9, 1),
        **changes,
    }
    return services.payment_create(actor=actor, **values)


# --- creating ----------------------------------------------------------------------------------------


def test_a_case_manager_creates_a_payment_not_verified_and_audited(case_manager):
    payment = _create(case_manager, payment_method="")
    assert (payment.status, payment.amount, payment.payment_method) == (S.NOT_VERIFIED, Decimal("1250.00"), "")
    assert payment.created_by == case_manager
    audit = last_audit(payment)
    assert (audit["action"], audit["user"]) == ("payment_create", case_manager.pk)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("10.001", "2 decimal places"),
        ("abc", "as a number"),
        ("100000000", "at most"),
    ],
)
def test_a_bad_amount_is_refused_naming_the_field(case_manager, amount, message):
    with pytest.raises(errors.ValidationError) as refused:
        _create(case_manager, amount=amount)
    assert message in refused.value.fields["amount"][0]
    assert not Payment.objects.exists()


def test_bad_fields_are_all_named(case_manager):
    with pytest.raises(errors.ValidationError) as refused:
        _create(
            case_manager,
            reason="XXX",
            payment_method="paypal",
            period_start=datetime.date(2026, 9, 5),
            period_end=datetime.date(2026, 9, 1),
        )
    assert set(refused.value.fields) == {"reason", "payment_method", "period_end"}


def test_a_stipend_starts_on_the_first_of_its_month(case_manager):
    with pytest.raises(errors.ValidationError) as refused:
        _create(case_manager, reason="STP", period_start=datetime.date(2026, 12, 31))
    assert "first day" in refused.value.fields["period_start"][0]
    assert _create(case_manager, reason="STP", period_start=datetime.date(2027, 1, 1)).period_start.day == 1


@pytest.mark.parametrize("status", ["draft", "case_manager", "reviewer", "closed"])
def test_a_payment_needs_a_tenant_case_approved_for_payment(case_manager, status):
    with pytest.raises(errors.ValidationError) as refused:
        _create(case_manager, case=tenant_case(status=status))
    assert "not approved for payment" in refused.value.fields["case"][0]
    with pytest.raises(errors.ValidationError):
        _create(case_manager, case=landlord_case(status="payment"))


def test_only_case_managers_reviewers_and_supervisors_create_payments(caseworker, reviewer, supervisor):
    with pytest.raises(errors.PermissionDenied):
        _create(caseworker)
    with pytest.raises(errors.PermissionDenied):
        _create(make_landlord())
    assert _create(reviewer).pk and _create(supervisor).pk


# --- editing --------------------------------------------------------------------------------------------


def test_a_change_after_verification_sends_the_payment_back_to_be_checked(case_manager):
    payment = services.payment_verify(actor=case_manager, payment=make_payment(case_manager))
    payment = services.payment_update(actor=case_manager, payment=payment, amount="900.50")
    assert (payment.status, payment.amount) == (S.NOT_VERIFIED, Decimal("900.50"))
    audit = last_audit(payment)
    assert (audit["action"], audit["from_status"], audit["to_status"]) == (
        "payment_unverify",
        S.VERIFIED_BY_WORKER,
        S.NOT_VERIFIED,
    )
    assert audit["changed"] == ["amount"]


def test_a_change_that_changes_nothing_keeps_the_verification(case_manager):
    payment = services.payment_verify(actor=case_manager, payment=make_payment(case_manager))
    payment = services.payment_update(actor=case_manager, payment=payment, amount="1250.00")
    assert payment.status == S.VERIFIED_BY_WORKER


def test_unknown_fields_cannot_be_changed(case_manager):
    payment = make_payment(case_manager)
    with pytest.raises(errors.ValidationError) as refused:
        services.payment_update(actor=case_manager, payment=payment, status="payment_successful", case=None)
    assert set(refused.value.fields) == {"case", "status"}


@pytest.mark.parametrize("status", AFTER_SUBMISSION)
def test_a_submitted_payment_cannot_be_edited_by_staff_or_a_supervisor(case_manager, supervisor, administrator, status):
    payment = make_payment(case_manager, status=status)
    before = Payment.objects.values().get(pk=payment.pk)
    for actor in (case_manager, supervisor, administrator):
        with pytest.raises(errors.Conflict, match="Submitted payments cannot be edited"):
            services.payment_update(actor=actor, payment=payment, amount="1.00")
    assert Payment.objects.values().get(pk=payment.pk) == before


def test_a_rejected_payment_cannot_be_edited(case_manager):
    payment = services.payment_reject(actor=case_manager, payment=make_payment(case_manager), reason="Not owed")
    with pytest.raises(errors.Conflict, match="rejected"):
        services.payment_update(actor=case_manager, payment=payment, amount="1.00")


# --- verifying and rejecting --------------------------------------------------------------------------


def test_verify_is_refused_without_a_payment_method(case_manager):
    payment = make_payment(case_manager, payment_method="")
    with pytest.raises(errors.TransitionNotAllowed) as refused:
        services.payment_verify(actor=case_manager, payment=payment)
    assert "payment method" in refused.value.fields["payment_method"][0]
    payment.refresh_from_db()
    assert payment.status == S.NOT_VERIFIED
    services.payment_update(actor=case_manager, payment=payment, payment_method="bank_transfer")
    assert services.payment_verify(actor=case_manager, payment=payment).status == S.VERIFIED_BY_WORKER


def test_verify_is_refused_for_a_method_the_payee_has_no_details_for(case_manager):
    payment = make_payment(case_manager, payment_method="cheque")
    with pytest.raises(errors.TransitionNotAllowed) as refused:
        services.payment_verify(actor=case_manager, payment=payment)
    assert "payment_method" in refused.value.fields


def test_verify_and_submit_are_refused_for_an_unverified_payee(case_manager, supervisor):
    payment = make_payment(case_manager, payee=make_payee(verified=False))
    with pytest.raises(errors.TransitionNotAllowed) as refused:
        services.payment_verify(actor=case_manager, payment=payment)
    assert "not verified" in refused.value.fields["payee"][0]
    # A payee verified, the payment verified, then the payee's bank details changed: not submitted.
    payee = make_payee()
    payment = services.payment_verify(actor=case_manager, payment=make_payment(case_manager, payee=payee))
    payee_services.payee_save(actor=payee.owner, owner=payee.owner, **{**BANK, "account_number": "99998888"})
    with pytest.raises(errors.TransitionNotAllowed) as refused:
        services.payment_submit(actor=supervisor, payment=payment)
    assert "payee" in refused.value.fields
    payment.refresh_from_db()
    assert payment.status == S.VERIFIED_BY_WORKER


def test_caseworkers_and_applicants_cannot_verify_or_reject(case_manager, caseworker):
    payment = make_payment(case_manager)
    for actor in (caseworker, make_landlord()):
        with pytest.raises(errors.PermissionDenied):
            services.payment_verify(actor=actor, payment=payment)
        with pytest.raises(errors.PermissionDenied):
            services.payment_reject(actor=actor, payment=payment, reason="x")


def test_reject_needs_a_reason(case_manager):
    with pytest.raises(errors.ValidationError) as refused:
        services.payment_reject(actor=case_manager, payment=make_payment(case_manager), reason="  ")
    assert "reason" in refused.value.fields


def test_only_the_payment_process_or_a_supervisor_submits(case_manager, reviewer, supervisor):
    payment = make_payment(case_manager, status=S.VERIFIED_BY_WORKER)
    for actor in (case_manager, reviewer):
        with pytest.raises(errors.PermissionDenied):
            services.payment_submit(actor=actor, payment=payment)
    assert services.payment_submit(actor=supervisor, payment=payment).status == S.SUBMITTED_FOR_PAYMENT


# --- supervisors' moves ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "status"),
    [
        (services.payment_void, S.SUBMITTED_FOR_PAYMENT),
        (services.payment_recoup, S.PAYMENT_SUCCESSFUL),
        (services.payment_refund_or_cancel, S.PAYMENT_RETURNED),
    ],
)
def test_void_recoup_and_refund_need_a_supervisor_and_a_reason(case_manager, reviewer, supervisor, service, status):
    payment = make_payment(case_manager, status=status)
    for actor in (case_manager, reviewer, None):
        with pytest.raises(errors.PermissionDenied):
            service(actor=actor, payment=payment, reason="Because")
    with pytest.raises(errors.ValidationError) as refused:
        service(actor=supervisor, payment=payment, reason="")
    assert "reason" in refused.value.fields
    payment.refresh_from_db()
    assert payment.status == status
    payment = service(actor=supervisor, payment=payment, reason="Paid to the wrong landlord")
    assert payment.status_reason == "Paid to the wrong landlord"
    audit = last_audit(payment)
    assert (audit["user"], audit["reason"], audit["from_status"]) == (
        supervisor.pk,
        "Paid to the wrong landlord",
        status,
    )


# --- results -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "result", "target"),
    [
        (S.SUBMITTED_FOR_PAYMENT, "successful", S.PAYMENT_SUCCESSFUL),
        (S.SUBMITTED_FOR_PAYMENT, "failed", S.PAYMENT_FAILED),
        (S.PAYMENT_SUCCESSFUL, "returned", S.PAYMENT_RETURNED),
    ],
)
def test_recording_the_same_result_twice_changes_nothing(case_manager, status, result, target):
    payment = make_payment(case_manager, status=status)
    services.payment_record_result(payment=payment, result=result, reference="BANK-1")
    after_first = Payment.objects.values().get(pk=payment.pk)
    events = payment.events.count()
    services.payment_record_result(payment=payment, result=result, reference="BANK-1")
    assert Payment.objects.values().get(pk=payment.pk) == after_first
    assert payment.events.count() == events
    assert (after_first["status"], after_first["provider_reference"]) == (target, "BANK-1")


def test_results_are_recorded_by_the_reconciliation_or_a_supervisor_only(case_manager):
    payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    with pytest.raises(errors.PermissionDenied):
        services.payment_record_result(actor=case_manager, payment=payment, result="successful")
    with pytest.raises(errors.ValidationError) as refused:
        services.payment_record_result(payment=payment, result="bounced")
    assert "result" in refused.value.fields


def test_a_failed_payment_is_retried_from_the_start(case_manager):
    payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    services.payment_record_result(payment=payment, result="failed", reference="F1")
    payment = services.payment_retry(actor=case_manager, payment=payment, reason="Account number corrected")
    assert (payment.status, payment.provider_reference) == (S.NOT_VERIFIED, "")


# --- rollback -------------------------------------------------------------------------------------------


def test_a_failure_after_the_transition_rolls_everything_back(case_manager, supervisor, monkeypatch):
    payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    before = Payment.objects.values().get(pk=payment.pk)
    events = payment.events.count()
    original = Payment.save

    def save_then_fail(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Payment, "save", save_then_fail)
    with pytest.raises(RuntimeError):
        services.payment_void(actor=supervisor, payment=payment, reason="Wrong payee")
    monkeypatch.undo()
    assert Payment.objects.values().get(pk=payment.pk) == before
    assert payment.events.count() == events


# --- payee verification -----------------------------------------------------------------------------------


@pytest.fixture
def evidence(case_manager):
    return document_on(approved_case(), case_manager, name="tin-match.pdf")


def test_a_worker_verifies_a_payee_with_evidence_and_a_reason(case_manager, evidence):
    payee = make_payee(verified=False)
    assert not payee.is_verified
    payee = payee_services.payee_verify_by_worker(
        actor=case_manager, payee=payee, evidence=evidence, reason="IRS TIN match: name and TIN agree"
    )
    payee.refresh_from_db()
    assert payee.is_verified and payee.verification_status == PayeeVerification.VERIFIED_BY_WORKER
    assert (payee.verified_by, payee.verification_evidence, payee.verified_at is not None) == (
        case_manager,
        evidence,
        True,
    )
    audit = last_audit(payee)
    assert (audit["action"], audit["user"], audit["evidence"]) == (
        "payee_verify_by_worker",
        case_manager.pk,
        evidence.pk,
    )


def test_payee_verification_needs_evidence_a_reason_and_a_role(case_manager, caseworker, evidence):
    payee = make_payee(verified=False)
    with pytest.raises(errors.ValidationError) as refused:
        payee_services.payee_verify_by_worker(actor=case_manager, payee=payee, evidence=None, reason=" ")
    assert set(refused.value.fields) == {"evidence", "reason"}
    for actor in (caseworker, payee.owner):
        with pytest.raises(errors.PermissionDenied):
            payee_services.payee_verify_by_worker(actor=actor, payee=payee, evidence=evidence, reason="Checked")
    payee.refresh_from_db()
    assert payee.verification_status == PayeeVerification.UNVERIFIED


@pytest.mark.parametrize(
    "change",
    [
        {"tax_id": "98-7654321"},
        {"account_number": "55554444"},
        {"routing_number": "123456"},
        {"account_holder": "Someone Else"},
        {"name": "Lena Lord LLC"},
    ],
)
def test_changing_who_is_paid_or_where_resets_verification(case_manager, evidence, change):
    payee = make_payee(verified=False)
    payee_services.payee_verify_by_worker(actor=case_manager, payee=payee, evidence=evidence, reason="Checked")
    payee = payee_services.payee_save(actor=payee.owner, owner=payee.owner, **{**BANK, **change})
    payee.refresh_from_db()
    assert payee.verification_status == PayeeVerification.UNVERIFIED
    assert (payee.verified_by, payee.verification_evidence, payee.verification_reason) == (None, None, "")


def test_saving_a_payee_unchanged_keeps_its_verification(case_manager, evidence):
    payee = make_payee(verified=False)
    payee_services.payee_verify_by_worker(actor=case_manager, payee=payee, evidence=evidence, reason="Checked")
    # The form leaves the masked numbers empty: the stored ones are kept, so nothing changed.
    payee = payee_services.payee_save(
        actor=payee.owner, owner=payee.owner, **{**BANK, "tax_id": "", "account_number": ""}
    )
    payee.refresh_from_db()
    assert payee.verification_status == PayeeVerification.VERIFIED_BY_WORKER


def test_the_tin_is_not_stored_in_plain_text():
    payee = make_payee()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tax_id FROM payments_payee WHERE id = %s", [payee.pk])
        (stored,) = cursor.fetchone()
        cursor.execute("SELECT tax_id FROM payments_payeeevent WHERE pgh_obj_id = %s", [payee.pk])
        history = [row[0] for row in cursor.fetchall()]
    assert stored and "123456789" not in stored and "123-45-6789" not in stored
    assert history and all("123456789" not in value for value in history)
    assert Payee.objects.get(pk=payee.pk).tax_id == "123456789"


# --- landlord activity after submission ---------------------------------------------------------------


def test_landlord_activity_after_submission_never_moves_the_case_or_the_payment_back(case_manager, supervisor):
    landlord = make_landlord("matched@test.example")
    tenant = approved_case()
    landlord_application = landlord_case(status="payment", parent=tenant, applicant=landlord)
    payment = make_payment(case_manager, case=tenant, payee=make_payee(owner=landlord))
    payment = services.payment_verify(actor=case_manager, payment=payment)
    payment = services.payment_submit(actor=None, payment=payment)

    document_on(landlord_application, landlord, name="updated-lease.pdf")  # an upload through the portal
    with pytest.raises(errors.DomainError):  # the landlord withdrawing after approval
        case_services.case_withdraw(actor=landlord, case=landlord_application)
    with pytest.raises(errors.DomainError):  # staff moving the landlord case on its own
        case_services.case_transition(actor=supervisor, case=landlord_application, transition="deny", reason="x")
    # The landlord changes their bank details: the payee is unverified, the submitted payment is not touched.
    payee_services.payee_save(actor=landlord, owner=landlord, **{**BANK, "account_number": "11112222"})

    tenant.refresh_from_db()
    landlord_application.refresh_from_db()
    payment.refresh_from_db()
    assert (tenant.status, landlord_application.status) == ("payment", "payment")
    assert payment.status == S.SUBMITTED_FOR_PAYMENT
    assert document_services  # the upload above went through casework.services.documents


# --- admin ----------------------------------------------------------------------------------------------


def test_the_admin_lists_payments_read_only_and_its_actions_call_the_services(client, case_manager, supervisor):
    payment = make_payment(case_manager, status=S.VERIFIED_BY_WORKER)
    submitted = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    client.force_login(supervisor)
    listing = client.get("/admin/payments/payment/?status__exact=verified_by_worker")
    assert listing.status_code == 200
    assert "Verified by worker" in listing.content.decode()
    page = client.get(f"/admin/payments/payment/{submitted.pk}/change/")
    assert page.status_code == 200 and 'name="amount"' not in page.content.decode()
    response = client.post(
        "/admin/payments/payment/",
        {"action": "submit_selected", "_selected_action": [payment.pk, submitted.pk]},
        follow=True,
    )
    assert response.status_code == 200
    payment.refresh_from_db()
    assert payment.status == S.SUBMITTED_FOR_PAYMENT
    assert "is only possible from" in response.content.decode()  # the already submitted one was refused
