"""Arrangements (payment agreements), NOSPs, court cases and evictions on an account. "Latest"
means the last row written for the account (arrears-rules.md §2), not the one with the newest
date: a court case entered to correct another replaces it."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone

from arrears.models.accounts import RentAccount
from core.models import Stamped


class ArrangementKind(models.TextChoices):
    INFORMAL = "informal", "Informal (agreed with the tenant)"
    FORMAL = "formal", "Formal (court-ordered)"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    FOUR_WEEKLY = "4_weekly", "Every 4 weeks"
    MONTHLY = "monthly", "Monthly"
    ONE_OFF = "one_off", "One-off"
    # Imported from a housing system on a schedule the breach check cannot follow: never checked.
    UNSUPPORTED_LEGACY = "unsupported_legacy", "Unsupported legacy schedule"


class ArrangementState(models.TextChoices):
    LIVE = "live", "Live"
    BREACHED = "breached", "Breached"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"


ACTIVE_STATES = (ArrangementState.LIVE, ArrangementState.BREACHED)  # a breached one is still active (§3)


@pghistory.track()
class CourtCase(Stamped):
    """A possession claim: the hearing, then its outcome (a code from CourtOutcome, or any code:
    an unrecognised one still means "an outcome is recorded"), whether it carries terms, and a
    strike-out date."""

    account = models.ForeignKey(RentAccount, on_delete=models.CASCADE, related_name="court_cases")
    court_date = models.DateTimeField(null=True, blank=True)
    outcome_code = models.CharField(max_length=10, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    terms = models.BooleanField(null=True, blank=True, help_text="Does the outcome carry terms?")
    disrepair_counter_claim = models.BooleanField(null=True, blank=True)
    strike_out_date = models.DateField(null=True, blank=True)
    balance_on_outcome_date = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        when = f"{self.court_date:%d %b %Y}" if self.court_date else "no date"
        return f"Court case ({when}{', ' + self.outcome_code if self.outcome_code else ''})"


@pghistory.track()
class Arrangement(Stamped):
    """A payment agreement: informal (with the tenant) or formal (court-ordered, linked to its
    court case). Its state changes only through the breach check and the services, each change
    a row in its history."""

    Kind = ArrangementKind
    Frequency = Frequency
    State = ArrangementState

    account = models.ForeignKey(RentAccount, on_delete=models.CASCADE, related_name="arrangements")
    kind = models.CharField(max_length=10, choices=ArrangementKind.choices)
    court_case = models.ForeignKey(
        CourtCase, null=True, blank=True, on_delete=models.PROTECT, related_name="arrangements"
    )
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    instalment_amount = models.DecimalField(max_digits=10, decimal_places=2)
    start_date = models.DateField()
    starting_balance = models.DecimalField(max_digits=12, decimal_places=2)
    lump_sum_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    lump_sum_date = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=2000)
    state = models.CharField(max_length=12, choices=ArrangementState.choices, default=ArrangementState.LIVE)
    expected_balance = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    checked_balance = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="formal") | models.Q(court_case__isnull=False),
                name="arrears_formal_arrangement_has_court_case",
                violation_error_message="A court-ordered arrangement needs its court case.",
            ),
            models.CheckConstraint(
                condition=models.Q(instalment_amount__gt=0),
                name="arrears_arrangement_instalment_positive",
                violation_error_message="The instalment must be more than zero.",
            ),
            models.CheckConstraint(
                condition=models.Q(lump_sum_amount__isnull=True, lump_sum_date__isnull=True)
                | models.Q(lump_sum_amount__gt=0, lump_sum_date__isnull=False),
                name="arrears_arrangement_lump_sum_complete",
                violation_error_message="A lump sum needs both an amount and a date.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} arrangement, £{self.instalment_amount} {self.get_frequency_display().lower()}"
        )

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class ArrangementStateChange(models.Model):
    """One check or change of an arrangement's state: what it was expected to stand at, what
    the account stood at, and why."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="history")
    state = models.CharField(max_length=12, choices=ArrangementState.choices)
    expected_balance = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    checked_balance = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    description = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.state} at {self.created_at:%Y-%m-%d}"


@pghistory.track()
class Nosp(Stamped):
    """A Notice of Seeking Possession served on the tenant. Served outside the system and
    recorded here; its expiry and validity follow from the served date (arrears-rules.md §4)."""

    account = models.ForeignKey(RentAccount, on_delete=models.CASCADE, related_name="nosps")
    served_on = models.DateField()

    class Meta:
        ordering = ["-id"]
        verbose_name = "NOSP"

    def __str__(self) -> str:
        return f"NOSP served {self.served_on:%d %b %Y}"


@pghistory.track()
class Eviction(Stamped):
    """A scheduled eviction. Any eviction on an account stops the letter ladder (§3)."""

    account = models.ForeignKey(RentAccount, on_delete=models.CASCADE, related_name="evictions")
    date = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Eviction {self.date:%d %b %Y}"
