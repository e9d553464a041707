"""Payments: money paid to a payee on an approved rental case, and the strict status machine it
moves through (docs/adr/0016-payment-status-machine.md, whose diagram payments.diagram draws from
the transitions below).

Fields, constraints and transitions only. Transitions are pure: they move `status` and nothing
else; they never save, send or check who is acting. payments.services.payments locks the row,
checks the actor, calls one transition, stamps `status_changed_at` and the reason, saves and
audits."""

from __future__ import annotations

import re
from typing import Any

import pghistory
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.models import Stamped
from payments.models.caps import DuplicateOverride
from payments.models.payees import Payee, PaymentMethod


class PaymentReason(models.TextChoices):
    """Why the money is paid. The codes are the programme's (ARR, STP, …), used on exports."""

    ARREARS = "ARR", _("Rent arrears")
    STIPEND = "STP", _("Future-rent stipend")
    UTILITY = "UTL", _("Utility")
    MOVING = "MOV", _("Moving costs")
    OTHER = "OTH", _("Other")


class PaymentStatus(models.TextChoices):
    NOT_VERIFIED = "not_verified", _("Not verified")
    VERIFIED_BY_WORKER = "verified_by_worker", _("Verified by worker")
    SUBMITTED_FOR_PAYMENT = "submitted_for_payment", _("Submitted for payment")
    PAYMENT_SUCCESSFUL = "payment_successful", _("Payment successful")
    REJECTED_BY_WORKER = "rejected_by_worker", _("Rejected by worker")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    PAYMENT_RETURNED = "payment_returned", _("Payment returned")
    PAYMENT_RECOUPED = "payment_recouped", _("Payment recouped")
    REFUND_OR_CANCELLED = "refund_or_cancelled", _("Refunded or cancelled")
    PAYMENT_VOIDED = "payment_voided", _("Payment voided")


P = PaymentStatus

_EXPORT_REFERENCE = re.compile(r"^PAY-(\d{1,12})$")

# Staff may change a payment's details only here; from submission on nobody may.
EDITABLE = (P.NOT_VERIFIED, P.VERIFIED_BY_WORKER)
# No transition leaves these.
TERMINAL = (P.REJECTED_BY_WORKER, P.PAYMENT_RECOUPED, P.REFUND_OR_CANCELLED, P.PAYMENT_VOIDED)


# Guards: pure predicates over the payment (and the payee it points at). Each is named, so the
# service can say which one failed.
def has_payment_method(payment: Any) -> bool:  # Any: django-fsm types conditions over Model
    """A payment method is chosen, and the payee has the details for it (a payee keeps the details
    of one method only: payee_save clears the other's)."""
    return bool(payment.payment_method) and payment.payee.payment_method == payment.payment_method


def payee_is_verified(payment: Any) -> bool:
    """Only verified payees can be paid."""
    return payment.payee.is_verified


class PaymentQuerySet(models.QuerySet):
    def with_batch(self) -> PaymentQuerySet:
        """Payments with their export batch joined, but not the batch's files: those are large
        and encrypted, and would be read and decrypted once per payment."""
        return self.select_related("batch").defer("batch__csv_file", "batch__ach_file")


@pghistory.track()
class Payment(ConcurrentTransitionMixin, DuplicateOverride, Stamped):
    """One payment to a payee on an approved (chevron Payment) rental tenant case.

    `status` is protected: only the transitions below move it. ConcurrentTransitionMixin makes a
    save fail if the status changed underneath us (services also lock the row)."""

    objects = PaymentQuerySet.as_manager()

    Reason = PaymentReason
    Status = PaymentStatus
    Method = PaymentMethod

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="payments")
    payee = models.ForeignKey(Payee, on_delete=models.PROTECT, related_name="payments")
    reason = models.CharField(max_length=3, choices=PaymentReason.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    payment_method = models.CharField(
        max_length=16, choices=PaymentMethod.choices, blank=True, help_text="Empty until chosen; needed to verify."
    )
    period_start = models.DateField(help_text="The first day covered; for a stipend, the first day of its month.")
    period_end = models.DateField(null=True, blank=True, help_text="The last day covered, if more than one day.")

    status = FSMField(max_length=24, choices=PaymentStatus.choices, default=P.NOT_VERIFIED, protected=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    status_reason = models.TextField(blank=True, help_text="Why the payment last changed status, when one was given.")
    provider_reference = models.CharField(
        max_length=100, blank=True, help_text="The payment provider's reference from the last result recorded."
    )
    schedule = models.ForeignKey(
        "payments.StipendSchedule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        help_text="The stipend schedule that made this payment, for a stipend's month.",
    )
    # Set once, by the export that submits the payment: a payment is in one batch at most.
    batch = models.ForeignKey(
        "payments.PaymentBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "status_changed_at"], name="payments_payment_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payments_payment_amount_positive",
                violation_error_message="The amount must be more than zero.",
            ),
            models.CheckConstraint(condition=Q(reason__in=PaymentReason.values), name="payments_payment_reason_known"),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payments_payment_status_known"),
            models.CheckConstraint(
                condition=Q(payment_method="") | Q(payment_method__in=PaymentMethod.values),
                name="payments_payment_method_known",
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="payments_payment_period_order",
                violation_error_message="The period cannot end before it starts.",
            ),
            # A schedule pays each month once: the run relies on this (ON CONFLICT DO NOTHING).
            models.UniqueConstraint(
                fields=["schedule", "period_start"],
                name="payments_payment_one_per_schedule_month",
                violation_error_message="This stipend already has a payment for that month.",
            ),
            models.CheckConstraint(
                condition=Q(schedule__isnull=True) | Q(reason=PaymentReason.STIPEND),
                name="payments_payment_schedule_is_stipend",
            ),
            *DuplicateOverride.Meta.constraints,
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.amount} to {self.payee}"

    @property
    def export_reference(self) -> str:
        """How exports and the provider's results name the payment."""
        return f"PAY-{self.pk:08d}"

    @staticmethod
    def id_from_export_reference(reference: str) -> int | None:
        """The payment id an export reference (PAY-00000123, any case) names, or None for text
        that is not one."""
        match = _EXPORT_REFERENCE.match((reference or "").strip().upper())
        return int(match.group(1)) if match else None

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    # --- the worker's checks ---------------------------------------------------------------------

    @transition(
        field=status,
        source=P.NOT_VERIFIED,
        target=P.VERIFIED_BY_WORKER,
        conditions=[has_payment_method, payee_is_verified],
    )
    def verify(self) -> None:
        """A case manager or reviewer has checked the payment: amount, period, payee and method."""

    @transition(field=status, source=P.VERIFIED_BY_WORKER, target=P.NOT_VERIFIED)
    def unverify(self) -> None:
        """A verified payment was changed before submission, so it must be checked again."""

    @transition(field=status, source=[P.NOT_VERIFIED, P.VERIFIED_BY_WORKER], target=P.REJECTED_BY_WORKER)
    def reject(self) -> None:
        """The worker decides this payment must not be made (wrong payee, not owed)."""

    # --- the payment process -----------------------------------------------------------------------

    @transition(
        field=status,
        source=P.VERIFIED_BY_WORKER,
        target=P.SUBMITTED_FOR_PAYMENT,
        conditions=[has_payment_method, payee_is_verified],
    )
    def submit(self) -> None:
        """Handed to the payment provider (an export batch, or a supervisor). The guards are checked
        again: the payee may have changed their details since the payment was verified."""

    @transition(field=status, source=P.SUBMITTED_FOR_PAYMENT, target=P.PAYMENT_SUCCESSFUL)
    def mark_successful(self) -> None:
        """The provider reports the money paid (reconciliation)."""

    @transition(field=status, source=P.SUBMITTED_FOR_PAYMENT, target=P.PAYMENT_FAILED)
    def mark_failed(self) -> None:
        """The provider could not pay it (reconciliation)."""

    @transition(field=status, source=P.PAYMENT_SUCCESSFUL, target=P.PAYMENT_RETURNED)
    def mark_returned(self) -> None:
        """Paid, then sent back by the receiving bank (account closed, name mismatch)."""

    # --- after the money moved ---------------------------------------------------------------------

    @transition(field=status, source=P.PAYMENT_FAILED, target=P.NOT_VERIFIED)
    def retry(self) -> None:
        """A failed payment is tried again: it is checked again from the start (the payee's
        details, which are usually why it failed, may have changed) and submitted again."""

    @transition(field=status, source=P.PAYMENT_SUCCESSFUL, target=P.PAYMENT_RECOUPED)
    def recoup(self) -> None:
        """Money paid in error is clawed back from the payee (supervisor, with a reason)."""

    @transition(field=status, source=[P.PAYMENT_FAILED, P.PAYMENT_RETURNED], target=P.REFUND_OR_CANCELLED)
    def refund_or_cancel(self) -> None:
        """Money that never reached the payee, or came back, is closed off: refunded to the
        programme or cancelled (supervisor, with a reason)."""

    @transition(field=status, source=[P.SUBMITTED_FOR_PAYMENT, P.PAYMENT_FAILED], target=P.PAYMENT_VOIDED)
    def void(self) -> None:
        """A supervisor stops a submitted payment before it is paid, or writes off a failed one."""


TRANSITION_NAMES = (
    "verify",
    "unverify",
    "reject",
    "submit",
    "mark_successful",
    "mark_failed",
    "mark_returned",
    "retry",
    "recoup",
    "refund_or_cancel",
    "void",
)


def transition_sources(name: str) -> list[str]:
    """The statuses the Payment transition `name` can leave from (read from its declaration)."""
    meta = getattr(getattr(Payment, name, None), "_django_fsm", None)
    return [source for source in (meta.transitions if meta else {}) if source != "*"]
