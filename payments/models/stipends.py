"""Stipends: a monthly future-rent schedule on an approved case. Each month it covers becomes one
payment (reason STP, period the 1st to the last day of that month) linked back to the schedule;
Payment's unique (schedule, period_start) makes paying a month twice impossible.

Months are stored as the 1st of the month (a check constraint holds it), so "the month a stipend
is for" is one date compared by equality, never a date range that can be off by one.

Fields, constraints and the one transition only; payments.services.stipends does the writes."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from core.models import Stamped
from payments.models.caps import DuplicateOverride
from payments.models.payees import Payee, PaymentMethod


class StipendStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    STOPPED = "stopped", _("Stopped")


@pghistory.track()
class StipendSchedule(DuplicateOverride, Stamped):
    """A monthly future-rent stipend to a payee, from `first_month` to `last_month` inclusive
    (both the 1st of their month). Active until stopped; stopped is final."""

    Status = StipendStatus

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="stipend_schedules")
    payee = models.ForeignKey(Payee, on_delete=models.PROTECT, related_name="stipend_schedules")
    amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="Paid each month.")
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    first_month = models.DateField(help_text="The 1st of the first month paid for.")
    last_month = models.DateField(help_text="The 1st of the last month paid for.")

    status = FSMField(max_length=16, choices=StipendStatus.choices, default=StipendStatus.ACTIVE, protected=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stop_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payments_stipend_amount_positive",
                violation_error_message="The monthly amount must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(payment_method__in=PaymentMethod.values), name="payments_stipend_method_known"
            ),
            models.CheckConstraint(
                condition=Q(first_month__day=1) & Q(last_month__day=1),
                name="payments_stipend_months_first_day",
                violation_error_message="Stipend months are stored as the 1st of the month.",
            ),
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")),
                name="payments_stipend_month_order",
                violation_error_message="The last month cannot be before the first.",
            ),
            models.CheckConstraint(condition=Q(status__in=StipendStatus.values), name="payments_stipend_status_known"),
            models.CheckConstraint(
                condition=Q(status=StipendStatus.ACTIVE, stopped_at__isnull=True, stop_reason="")
                | Q(status=StipendStatus.STOPPED, stopped_at__isnull=False) & ~Q(stop_reason=""),
                name="payments_stipend_stop_recorded",
                violation_error_message="A stopped stipend records when and why it was stopped.",
            ),
            *DuplicateOverride.Meta.constraints,
        ]

    def __str__(self) -> str:
        return f"Stipend {self.amount}/month to {self.payee}, {self.first_month:%b %Y} to {self.last_month:%b %Y}"

    @property
    def is_active(self) -> bool:
        return self.status == StipendStatus.ACTIVE

    @transition(field=status, source=StipendStatus.ACTIVE, target=StipendStatus.STOPPED)
    def stop(self) -> None:
        """No further months are paid. Final: a new schedule is set up if the stipend resumes."""
