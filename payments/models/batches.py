"""Export batches and reconciliation imports: how payments reach the payment provider and how the
provider's results come back (docs/adr/0017-payment-batches-and-reconciliation.md).

A batch is written once, when it is exported, and never changed: its files are kept as they were
handed over (encrypted, since the bank file carries account numbers), so a download today is the
file the provider was sent. Each payment points at the one batch it was exported in
(Payment.batch), so no payment can be in two.

A reconciliation import is kept whether it was applied or refused, with its per-row report, so an
operator can see what every file did; the file's SHA-256 identifies a file imported again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedTextField


class PaymentBatch(models.Model):
    """One export: the payments submitted together, and the files they were sent in."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the payment job exported it.",
    )
    case_type = models.ForeignKey(
        "casework.CaseType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The programme exported, when the batch was for one programme only.",
    )
    payment_count = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    # The encrypted fields store empty as NULL.
    csv_file = EncryptedTextField(null=True, editable=False, help_text="Every payment in the batch, as CSV.")
    ach_file = EncryptedTextField(
        null=True, blank=True, editable=False, help_text="The bank transfers as a NACHA (ACH) file; none without any."
    )
    report = models.JSONField(default=list, blank=True, help_text="Verified payments left out of the batch, and why.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "payment batches"

    def __str__(self) -> str:
        return self.reference


class ReconciliationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REFUSED = "refused", _("Refused: nothing applied")


class ReconciliationImport(models.Model):
    """One file of results from the payment provider, and what importing it did."""

    Status = ReconciliationStatus

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    imported_at = models.DateTimeField(default=timezone.now, editable=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when a job imported it.",
    )
    status = models.CharField(max_length=10, choices=ReconciliationStatus.choices)
    row_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0, help_text="Payments whose status this file moved.")
    unchanged_count = models.PositiveIntegerField(default=0, help_text="Rows the payments already matched.")
    error_count = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True, help_text="One entry per row: what it did, or why not.")

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReconciliationStatus.values), name="payments_reconciliation_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReconciliationStatus.APPLIED) | Q(error_count=0),
                name="payments_reconciliation_applied_without_errors",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
