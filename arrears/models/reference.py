"""Reference data supervisors maintain in the admin: transaction types, action-diary codes, pause
reasons and court outcomes. Defaults follow the council's published arrears service
(../shared/arrears-rules.md §5 and §8, arrears-worktray.md §3); `arrears.defaults` installs them."""

from __future__ import annotations

import pghistory
from django.db import models

from core.models import Stamped


class TransactionCategory(models.TextChoices):
    CHARGE = "charge", "Charge"
    PAYMENT = "payment", "Payment"
    ADJUSTMENT = "adjustment", "Adjustment"


@pghistory.track()
class TransactionType(Stamped):
    """A housing system's transaction code (e.g. DR5 rent debit, RPY payment). Only payment
    types count towards "payments this week" and "last payment"."""

    code = models.CharField(max_length=10, primary_key=True)
    description = models.CharField(max_length=200)
    category = models.CharField(max_length=12, choices=TransactionCategory.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"

    @property
    def is_payment(self) -> bool:
        return self.category == TransactionCategory.PAYMENT


@pghistory.track()
class ActionCode(Stamped):
    """An action-diary code. `is_communication` codes are the ones "last communication" reads
    (arrears-rules.md §8); `communication_comment_contains` narrows one to entries whose comment
    says so (S02 counts only when "Policy generated"). Caseworkers pick only `user_accessible`
    codes; the others are written by the system."""

    code = models.CharField(max_length=10, primary_key=True)
    description = models.CharField(max_length=200)
    is_communication = models.BooleanField(default=False)
    communication_comment_contains = models.CharField(
        max_length=100, blank=True, help_text="Counts as a communication only when the comment contains this."
    )
    user_accessible = models.BooleanField(default=False, help_text="Caseworkers may record it by hand.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


@pghistory.track()
class PauseReason(Stamped):
    """Why an account is paused; each reason writes its own diary code (arrears-worktray.md §3)."""

    label = models.CharField(max_length=100, unique=True)
    code = models.ForeignKey(ActionCode, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "label"]

    def __str__(self) -> str:
        return self.label


@pghistory.track()
class CourtOutcome(Stamped):
    """What a possession hearing decided (arrears-rules.md §5). The flags feed the rules: an
    outcome keeping a warrant active for its life, one that calls for an outright-possession
    warrant, one whose order ends after the warrant's life. A code not in this table still
    means "an outcome is recorded"."""

    code = models.CharField(max_length=10, primary_key=True)
    meaning = models.CharField(max_length=200)
    can_carry_terms = models.BooleanField(default=False)
    keeps_warrant_active = models.BooleanField(default=False)
    calls_for_possession_warrant = models.BooleanField(default=False)
    ends_after_warrant_life = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.meaning}"
