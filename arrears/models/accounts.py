"""Rent and service-charge accounts, their transactions and their action diary.

An account's balance, this week's payments, last payment, last communication, the latest NOSP,
court case, eviction and arrangement, its classification and why, are *derived*: the nightly run
(and any diary write, for that one account) works them out from the rows they come from, in one
set-based query, and stores them on the account so the worktray reads one table."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone

from arrears.models.reference import ActionCode, PauseReason, TransactionType
from arrears.rules import Classification
from core.models import Stamped, stamp_user_field


class AccountKind(models.TextChoices):
    RENT = "rent", "Rent"
    SERVICE_CHARGE = "service_charge", "Leasehold service charge"


# The derived columns change every night: the history keeps what people and imports change.
DERIVED_FIELDS = [
    "in_scope",
    "balance",
    "collectable_arrears",
    "payments_this_week",
    "last_payment_on",
    "last_communication_code",
    "last_communication_at",
    "last_action_code",
    "last_action_at",
    "nosp_served_on",
    "court_date",
    "court_outcome_code",
    "eviction_date",
    "arrangement_state",
    "latest_letter_status",
    "classification",
    "classification_reason",
    "classification_since",
]


@pghistory.track(exclude=["updated_at", *DERIVED_FIELDS])
class RentAccount(Stamped):
    """A tenancy's rent account, or a leaseholder's service-charge account: kept apart, with
    their own worktray, letters and rules. `reference` is the housing system's payment
    reference, the key its nightly export uses."""

    Kind = AccountKind

    # Every index on this table is rewritten for each account the nightly run changes, so it has
    # only those its reads use: the reference (unique, no LIKE index), tenancy and kind (unique),
    # the patch, and the worktray's. Who created or changed an account, and its pause reason, are
    # never searched by (their PROTECT checks are rare and may scan).
    reference = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=AccountKind.choices, default=AccountKind.RENT)
    tenancy = models.ForeignKey(
        "casework.Tenancy", on_delete=models.PROTECT, related_name="rent_accounts", db_index=False
    )
    patch = models.ForeignKey(
        "casework.Patch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rent_accounts",
        help_text="The arrears patch that works this account (empty: unassigned).",
    )
    weekly_rent = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    weekly_service_charge = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    weekly_other_charges = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    is_terminated = models.BooleanField(default=False)
    created_by = stamp_user_field(db_index=False)
    updated_by = stamp_user_field(db_index=False)

    # Pausing: paused while `paused_until` is after today ("paused until today" is not paused).
    paused_until = models.DateField(null=True, blank=True)
    pause_reason = models.ForeignKey(
        PauseReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    pause_comment = models.TextField(blank=True, max_length=2000)

    # Derived by arrears.services.classification (never edited by hand).
    in_scope = models.BooleanField(default=False, help_text="Classified and on the worktray.")
    balance = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    collectable_arrears = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    payments_this_week = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    last_payment_on = models.DateField(null=True, blank=True)
    last_communication_code = models.CharField(max_length=10, blank=True)
    last_communication_at = models.DateTimeField(null=True, blank=True)
    last_action_code = models.CharField(max_length=10, blank=True)
    last_action_at = models.DateTimeField(null=True, blank=True)
    nosp_served_on = models.DateField(null=True, blank=True)
    court_date = models.DateTimeField(null=True, blank=True)
    court_outcome_code = models.CharField(max_length=10, blank=True)
    eviction_date = models.DateTimeField(null=True, blank=True)
    arrangement_state = models.CharField(max_length=12, blank=True)
    latest_letter_status = models.CharField(max_length=30, blank=True)
    classification = models.CharField(max_length=50, choices=Classification.choices, blank=True)
    classification_reason = models.CharField(max_length=500, blank=True)
    classification_since = models.DateTimeField(
        null=True, blank=True, help_text="When the account was first given its current classification."
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                name="arrears_account_reference_unique",
                violation_error_message="Another account has this reference.",
            ),
            models.UniqueConstraint(fields=["tenancy", "kind"], name="arrears_one_account_per_tenancy_and_kind"),
            models.CheckConstraint(
                condition=models.Q(weekly_rent__gte=0, weekly_service_charge__gte=0, weekly_other_charges__gte=0),
                name="arrears_account_charges_not_negative",
                violation_error_message="Weekly charges cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(paused_until__isnull=True) | models.Q(pause_reason__isnull=False),
                name="arrears_account_pause_has_reason",
                violation_error_message="A pause needs a reason.",
            ),
        ]
        indexes = [
            # The worktray: one kind, in scope, by patch, highest balance first.
            models.Index(
                fields=["kind", "patch", "-balance"], name="arrears_worktray_idx", condition=models.Q(in_scope=True)
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def weekly_gross_rent(self) -> Decimal:
        return self.weekly_rent + self.weekly_service_charge + self.weekly_other_charges

    def is_paused(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.paused_until is not None and self.paused_until > today

    @property
    def weeks_owed(self) -> Decimal | None:
        """The balance in weeks of gross rent, one decimal place (None without a rent)."""
        gross = self.weekly_gross_rent
        if gross <= 0:
            return None
        return (self.balance / gross).quantize(Decimal("0.1"))


class Transaction(models.Model):
    """A charge (positive), payment or credit (negative) posted to an account. `external_id` is
    the housing system's id for it, so importing the same export twice adds nothing."""

    account = models.ForeignKey(RentAccount, on_delete=models.CASCADE, related_name="transactions", db_index=False)
    type = models.ForeignKey(TransactionType, on_delete=models.PROTECT, related_name="+", db_index=False)
    posted_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    description = models.CharField(max_length=200, blank=True)
    external_id = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-posted_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="arrears_transaction_once"),
        ]
        # Covers the nightly aggregation (an index-only scan per batch of accounts).
        indexes = [
            models.Index(
                fields=["account", "posted_on"], include=["amount", "type"], name="arrears_tx_account_date_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.posted_on} {self.type_id} {self.amount}"


class DiarySource(models.TextChoices):
    STAFF = "staff", "Staff"
    SYSTEM = "system", "System"
    IMPORT = "import", "Imported"


@pghistory.track()
class ActionDiaryEntry(models.Model):
    """One thing done on an account: a letter, text, call, visit, court or eviction event, a
    pause, an automated action. `occurred_at` may be backdated; `created_at` is when it was
    written. Writing one re-classifies the account at once."""

    Source = DiarySource

    account = models.ForeignKey(RentAccount, on_delete=models.CASCADE, related_name="diary", db_index=False)
    code = models.ForeignKey(ActionCode, on_delete=models.PROTECT, related_name="+", db_index=False)
    occurred_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True, max_length=4000)
    source = models.CharField(max_length=10, choices=DiarySource.choices, default=DiarySource.STAFF)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        "communications.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey("casework.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "action diary entries"
        indexes = [models.Index(fields=["account", "-occurred_at", "-id"], name="arrears_diary_latest_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.code_id} {self.occurred_at:%Y-%m-%d}"

    @property
    def by(self) -> str:
        if self.created_by is not None:
            return self.created_by.get_full_name() or self.created_by.email
        return "Arrears system" if self.source == DiarySource.SYSTEM else self.get_source_display()


@pghistory.track()
class PatchOfficer(Stamped):
    """The officer who works a patch's arrears (the "my patch" worktray)."""

    patch = models.OneToOneField("casework.Patch", on_delete=models.CASCADE, related_name="arrears_officer")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="arrears_patches")

    class Meta:
        ordering = ["patch__code"]

    def __str__(self) -> str:
        return f"{self.patch}: {self.officer}"
