"""Writes for payments: creating and editing one, and every move of its status machine
(payments.models.payments, docs/adr/0016).

Each service is one transaction: it checks who is acting, locks the payment row, calls one
transition, stamps when and why the status changed, saves, and audits (pghistory, with the actor,
the action, the statuses from and to, and the reason). `actor=None` is the system: the export
(payment_submit) and the reconciliation (payment_record_result) only."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from casework.models import Case, Status, Workflow
from casework.services.common import full_clean
from core import errors
from core.audit import audited
from core.models import User
from payments.models import Payee, Payment, PaymentMethod, PaymentReason, PaymentStatus
from payments.models.payments import EDITABLE, has_payment_method, payee_is_verified, transition_sources
from payments.permissions import (
    can_change_payment,
    can_create_payment,
    can_record_payment_result,
    can_settle_payment,
    can_submit_payment,
)
from payments.services.duplicates import (
    Candidate,
    duplicate_benefit_enforce,
    override_reason_clean,
    override_record,
)

REASON_MAX_LENGTH = 2000
AMOUNT_MAX = Decimal("99999999.99")  # what DecimalField(max_digits=10, decimal_places=2) holds
EDITABLE_FIELDS = ("payee", "reason", "amount", "payment_method", "period_start", "period_end")
# The fields the duplicate-benefit check looks at: changing one runs it again.
CHECKED_FIELDS = ("reason", "amount", "period_start", "period_end")

TRANSITION_LABELS = {
    "verify": "Verify",
    "unverify": "Send back for checking",
    "reject": "Reject",
    "submit": "Submit for payment",
    "mark_successful": "Record as paid",
    "mark_failed": "Record as failed",
    "mark_returned": "Record as returned",
    "retry": "Try again",
    "recoup": "Recoup",
    "refund_or_cancel": "Refund or cancel",
    "void": "Void",
}

# The reconciliation's results: the transition each one is, and the status it leads to.
RESULTS = {
    "successful": ("mark_successful", PaymentStatus.PAYMENT_SUCCESSFUL),
    "failed": ("mark_failed", PaymentStatus.PAYMENT_FAILED),
    "returned": ("mark_returned", PaymentStatus.PAYMENT_RETURNED),
}

# Why a guard failed, per field, for the error the worker sees.
_GUARD_MESSAGES = {
    has_payment_method: ("payment_method", "Choose a payment method the payee has details for."),
    payee_is_verified: (
        "payee",
        "The payee is not verified. Verify the payee first; only verified payees can be paid.",
    ),
}


# --- input ----------------------------------------------------------------------------------------


def _reason_text(reason: str | None, *, required: bool, what: str) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise errors.ValidationError(fields={"reason": [f"Give a reason to {what}."]})
    if len(text) > REASON_MAX_LENGTH:
        raise errors.ValidationError(fields={"reason": [f"The reason can be at most {REASON_MAX_LENGTH} characters."]})
    return text


def _amount(value: Any, field_errors: dict[str, list[str]]) -> Decimal | None:
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        field_errors["amount"] = ["Enter the amount as a number, like 1250.00."]
        return None
    if amount <= 0:
        field_errors["amount"] = ["The amount must be more than zero."]
    elif amount.as_tuple().exponent < -2:  # type: ignore[operator]  # finite, so an int
        field_errors["amount"] = ["The amount can have at most 2 decimal places (cents or pence)."]
    elif amount > AMOUNT_MAX:
        field_errors["amount"] = [f"The amount can be at most {AMOUNT_MAX:,}."]
    return amount


def _check_details(values: dict[str, Any]) -> dict[str, Any]:
    """Validate a payment's editable fields (all of them, as they would be after the change) and
    return them cleaned. Raises ValidationError naming every field that is wrong."""
    field_errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    if not isinstance(values.get("payee"), Payee):
        field_errors["payee"] = ["Choose the payee."]
    if values.get("reason") not in PaymentReason.values:
        field_errors["reason"] = [f"Choose a reason: one of {', '.join(PaymentReason.values)}."]
    cleaned["amount"] = _amount(values.get("amount"), field_errors)
    method = values.get("payment_method") or ""
    if method not in ("", *PaymentMethod.values):
        field_errors["payment_method"] = ["Choose bank transfer or cheque."]
    cleaned["payment_method"] = method
    start, end = values.get("period_start"), values.get("period_end")
    if not isinstance(start, datetime.date):
        field_errors["period_start"] = ["Enter the first day the payment covers."]
    elif values.get("reason") == PaymentReason.STIPEND and start.day != 1:
        field_errors["period_start"] = ["A stipend pays for a month: enter the first day of that month."]
    if end is not None and not isinstance(end, datetime.date):
        field_errors["period_end"] = ["Enter the last day the payment covers, or leave it empty."]
    elif end is not None and isinstance(start, datetime.date) and end < start:
        field_errors["period_end"] = ["The period cannot end before it starts."]
    if field_errors:
        raise errors.ValidationError(fields=field_errors)
    return cleaned


def _candidate(payment: Payment) -> Candidate:
    return Candidate(
        case=payment.case,
        reason=payment.reason,
        amount=payment.amount,
        period_start=payment.period_start,
        period_end=payment.period_end,
        pk=payment.pk,
        schedule_pk=payment.schedule_id,
    )


def _check_case(case: Case) -> None:
    if case.workflow != Workflow.RENTAL_TENANT or case.status != Status.PAYMENT:
        raise errors.ValidationError(
            fields={
                "case": [
                    f"Case {case.number} is not approved for payment: payments are made on a tenant's "
                    "rental application at the Payment chevron."
                ]
            }
        )


# --- the one way a payment changes status --------------------------------------------------------


def _lock(payment: Payment) -> Payment:
    return (
        Payment.objects.select_for_update(of=("self",)).with_batch().select_related("payee", "case").get(pk=payment.pk)
    )


def _refuse(payment: Payment, name: str) -> errors.TransitionNotAllowed:
    """Why transition `name` cannot happen to `payment` now: the wrong status, or a guard."""
    label = TRANSITION_LABELS.get(name, name)
    sources = transition_sources(name)
    if payment.status not in sources:
        where = ", ".join(str(PaymentStatus(s).label) for s in sources)
        return errors.TransitionNotAllowed(
            f"Payment {payment.pk} is {PaymentStatus(payment.status).label}; “{label}” is only possible from: {where}."
        )
    meta = getattr(Payment, name)._django_fsm
    failed = [condition for condition in meta.transitions[payment.status].conditions if not condition(payment)]
    fields: dict[str, list[str]] = {}
    for condition in failed:
        field, message = _GUARD_MESSAGES.get(condition, ("status", f"“{label}” is not possible now."))
        fields.setdefault(field, []).append(message)
    return errors.TransitionNotAllowed(f"Payment {payment.pk} cannot be moved: “{label}” needs more.", fields=fields)


def _apply(payment: Payment, name: str, *, actor: User | None, reason: str = "", **audit: Any) -> Payment:
    """Call transition `name` on the locked `payment`, stamp and save it under an audit context
    recording the move. Raises TransitionNotAllowed with the reason it cannot happen."""
    method = getattr(payment, name)
    if not can_proceed(method):
        raise _refuse(payment, name)
    from_status = payment.status
    method()
    payment.status_changed_at = timezone.now()
    payment.status_reason = reason
    payment.stamp(actor)
    with audited(
        actor=actor,
        action=f"payment_{name}",
        from_status=from_status,
        to_status=payment.status,
        reason=reason,
        **audit,
    ):
        payment.save()
    return payment


# --- creating and editing ---------------------------------------------------------------------------


@transaction.atomic
def payment_create(
    *,
    actor: User,
    case: Case,
    payee: Payee,
    reason: str,
    amount: Decimal | str,
    payment_method: str = "",
    period_start: datetime.date,
    period_end: datetime.date | None = None,
    override_reason: str = "",
) -> Payment:
    """Create a payment, not verified, on `case` to `payee`. The case must be a tenant's rental
    application at the Payment chevron; the amount more than zero with at most 2 decimal places;
    a stipend (STP) starts on the first day of the month it pays for. The payment method may be
    left empty until chosen (it is needed to verify). The duplicate-benefit check runs
    (payments.services.duplicates); a supervisor's `override_reason` lets a payment it blocks through.

    Who: case managers, reviewers, supervisors. Raises PermissionDenied, ValidationError (per
    field), DuplicateBenefit."""
    if not can_create_payment(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can set up a payment.")
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    _check_case(case)
    values = _check_details(
        {
            "payee": payee,
            "reason": reason,
            "amount": amount,
            "payment_method": payment_method,
            "period_start": period_start,
            "period_end": period_end,
        }
    )
    override = override_reason_clean(actor, override_reason)
    payment = Payment(case=case, **values)
    overridden = duplicate_benefit_enforce(_candidate(payment), override_reason=override)
    override_record(payment, actor=actor, override_reason=override, overridden=overridden)
    payment.stamp(actor)
    full_clean(payment, exclude=["case", "payee", "status", "override_by", "batch"])
    with audited(
        actor=actor,
        action="payment_create",
        case=case.pk,
        to_status=payment.status,
        **({"duplicate_benefit_overridden": overridden} if overridden else {}),
    ):
        payment.save()
    return payment


@transaction.atomic
def payment_update(*, actor: User, payment: Payment, override_reason: str = "", **changes: Any) -> Payment:
    """Change a payment's payee, reason, amount, payment method or period. Possible only before
    it is submitted (not verified, or verified); a change to a verified payment sends it back to
    not verified, to be checked again. A change that changes nothing does nothing. A change to
    the amount, reason or period runs the duplicate-benefit check again (`override_reason`: a
    supervisor's reason to go ahead anyway).

    Who: case managers, reviewers, supervisors. Raises PermissionDenied, ValidationError (unknown
    or bad fields), Conflict (submitted or later, for everyone: "submitted payments cannot be
    edited"; or rejected), DuplicateBenefit."""
    if not can_change_payment(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can change a payment.")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise errors.ValidationError(
            fields={name: ["This cannot be changed on a payment."] for name in sorted(unknown)}
        )
    payment = _lock(payment)
    if payment.status not in EDITABLE:
        if payment.status == PaymentStatus.REJECTED_BY_WORKER:
            raise errors.Conflict(f"Payment {payment.pk} was rejected and cannot be edited.")
        raise errors.Conflict(
            f"Submitted payments cannot be edited: payment {payment.pk} is {payment.get_status_display()}."
        )
    current = {name: getattr(payment, name) for name in EDITABLE_FIELDS}
    values = _check_details({**current, **changes})
    changed = [name for name in EDITABLE_FIELDS if values[name] != current[name]]
    if not changed:
        return payment
    override = override_reason_clean(actor, override_reason)
    for name in changed:
        setattr(payment, name, values[name])
    overridden = ""
    if set(changed) & set(CHECKED_FIELDS):
        overridden = duplicate_benefit_enforce(_candidate(payment), override_reason=override)
        override_record(payment, actor=actor, override_reason=override, overridden=overridden)
    full_clean(payment, exclude=["case", "payee", "status", "override_by", "batch"])
    audit = {"changed": changed, **({"duplicate_benefit_overridden": overridden} if overridden else {})}
    if payment.status == PaymentStatus.VERIFIED_BY_WORKER:
        return _apply(
            payment,
            "unverify",
            actor=actor,
            reason=f"Changed after verification: {', '.join(changed)}.",
            **audit,
        )
    payment.stamp(actor)
    with audited(actor=actor, action="payment_update", **audit):
        payment.save()
    return payment


# --- the worker's checks ------------------------------------------------------------------------------


@transaction.atomic
def payment_verify(*, actor: User, payment: Payment) -> Payment:
    """Record that a worker checked the payment. Needs a payment method the payee has details for,
    and a verified payee.

    Who: case managers, reviewers, supervisors. Raises PermissionDenied, TransitionNotAllowed
    (not from this status; or, with fields "payment_method"/"payee", a guard not met)."""
    if not can_change_payment(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can verify a payment.")
    return _apply(_lock(payment), "verify", actor=actor)


@transaction.atomic
def payment_reject(*, actor: User, payment: Payment, reason: str) -> Payment:
    """Reject a payment that has not been submitted: it will never be paid. A reason is required.

    Who: case managers, reviewers, supervisors. Raises PermissionDenied, ValidationError,
    TransitionNotAllowed."""
    if not can_change_payment(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can reject a payment.")
    text = _reason_text(reason, required=True, what="reject the payment")
    return _apply(_lock(payment), "reject", actor=actor, reason=text)


@transaction.atomic
def payment_retry(*, actor: User, payment: Payment, reason: str = "", override_reason: str = "") -> Payment:
    """Take a failed payment back to not verified, to be corrected, checked and submitted again.
    A failed payment stops counting towards the duplicate-benefit check, so another may have been
    made for the same days since: the check runs again (`override_reason` as for payment_create).

    Who: case managers, reviewers, supervisors. Raises PermissionDenied, ValidationError,
    TransitionNotAllowed, DuplicateBenefit."""
    if not can_change_payment(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can try a payment again.")
    text = _reason_text(reason, required=False, what="try the payment again")
    override = override_reason_clean(actor, override_reason)
    payment = _lock(payment)
    if not can_proceed(payment.retry):
        raise _refuse(payment, "retry")
    overridden = duplicate_benefit_enforce(_candidate(payment), override_reason=override)
    override_record(payment, actor=actor, override_reason=override, overridden=overridden)
    # A new submission: it leaves its batch (whose file keeps it as it was sent) for the next one.
    left_batch = payment.batch.reference if payment.batch else ""
    payment.provider_reference, payment.batch = "", None
    return _apply(
        payment,
        "retry",
        actor=actor,
        reason=text,
        left_batch=left_batch,
        **({"duplicate_benefit_overridden": overridden} if overridden else {}),
    )


# --- the payment process --------------------------------------------------------------------------------


@transaction.atomic
def payment_submit(*, actor: User | None, payment: Payment, reason: str = "") -> Payment:
    """Submit a verified payment for payment. From here nobody can edit it. The payee must still
    be verified (their details may have changed since) and have details for the payment method.

    Who: the payment process (the export, actor=None) or a supervisor. Raises PermissionDenied,
    TransitionNotAllowed."""
    if not can_submit_payment(actor):
        raise errors.PermissionDenied("Payments are submitted by the payment export, or by a supervisor.")
    text = _reason_text(reason, required=False, what="submit the payment")
    return _apply(_lock(payment), "submit", actor=actor, reason=text)


@transaction.atomic
def payment_record_result(
    *, actor: User | None = None, payment: Payment, result: str, reference: str = "", reason: str = ""
) -> Payment:
    """Record the payment provider's result for a payment: "successful" or "failed" for a
    submitted payment, "returned" for a successful one. The reconciliation's entry point, and
    idempotent: recording the result the payment already has changes nothing (a file imported
    twice).

    Who: the reconciliation (actor=None) or a supervisor. Raises PermissionDenied,
    ValidationError (unknown result), TransitionNotAllowed (the result does not follow the
    payment's status, e.g. "failed" for a payment already recorded as paid)."""
    if not can_record_payment_result(actor):
        raise errors.PermissionDenied("Payment results are recorded by the reconciliation, or by a supervisor.")
    if result not in RESULTS:
        raise errors.ValidationError(fields={"result": [f"Unknown result {result!r}: one of {', '.join(RESULTS)}."]})
    reference = (reference or "").strip()
    if len(reference) > 100:
        raise errors.ValidationError(fields={"reference": ["The reference can be at most 100 characters."]})
    text = _reason_text(reason, required=False, what="record the result")
    name, target = RESULTS[result]
    payment = _lock(payment)
    if payment.status == target:
        return payment  # already recorded: importing the same result again changes nothing
    payment.provider_reference = reference or payment.provider_reference
    return _apply(payment, name, actor=actor, reason=text, reference=reference)


# --- after the money moved: supervisors ------------------------------------------------------------------


def _settle(actor: User, payment: Payment, name: str, reason: str, *, what: str) -> Payment:
    if not can_settle_payment(actor):
        raise errors.PermissionDenied(f"Only a supervisor can {what}.")
    text = _reason_text(reason, required=True, what=what)
    return _apply(_lock(payment), name, actor=actor, reason=text)


@transaction.atomic
def payment_void(*, actor: User, payment: Payment, reason: str) -> Payment:
    """Void a submitted payment before it is paid, or a failed one. Final. Who: supervisors, with a
    reason. Raises PermissionDenied, ValidationError, TransitionNotAllowed."""
    return _settle(actor, payment, "void", reason, what="void a payment")


@transaction.atomic
def payment_recoup(*, actor: User, payment: Payment, reason: str) -> Payment:
    """Record that money paid in error was clawed back from the payee. Final. Who: supervisors,
    with a reason. Raises PermissionDenied, ValidationError, TransitionNotAllowed."""
    return _settle(actor, payment, "recoup", reason, what="recoup a payment")


@transaction.atomic
def payment_refund_or_cancel(*, actor: User, payment: Payment, reason: str) -> Payment:
    """Close off a failed or returned payment: the money is refunded to the programme or the
    payment cancelled. Final. Who: supervisors, with a reason. Raises PermissionDenied,
    ValidationError, TransitionNotAllowed."""
    return _settle(actor, payment, "refund_or_cancel", reason, what="refund or cancel a payment")
