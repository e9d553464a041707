"""The duplicate-benefit check's data (payments.services.duplicates): programme caps, the most a
programme pays one household over a rolling window of months, which supervisors set in the admin
(history kept by pghistory); and the override a supervisor records on a payment or a stipend
schedule to pay despite the check."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import Stamped


@pghistory.track()
class ProgrammeCap(Stamped):
    """The most the programme (case type) `case_type` pays to one household in any `window_months`
    months, counting every payment not rejected, voided, failed, returned, recouped or refunded."""

    case_type = models.OneToOneField("casework.CaseType", on_delete=models.PROTECT, related_name="payment_cap")
    max_total = models.DecimalField(max_digits=12, decimal_places=2, help_text="The most paid to one household.")
    window_months = models.PositiveSmallIntegerField(
        default=12, help_text="Over how many months, counted back from the end of the period a payment covers."
    )

    class Meta:
        ordering = ["case_type__name"]
        constraints = [
            models.CheckConstraint(condition=Q(max_total__gt=0), name="payments_cap_positive"),
            models.CheckConstraint(
                condition=Q(window_months__gte=1) & Q(window_months__lte=120), name="payments_cap_window_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}: {self.max_total} per household in {self.window_months} months"


class DuplicateOverride(models.Model):
    """A supervisor's decision to pay despite the duplicate-benefit check: who, when and why. All
    empty unless the check was overridden."""

    override_reason = models.TextField(blank=True, editable=False)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    override_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(override_reason="", override_by__isnull=True, override_at__isnull=True)
                | (~Q(override_reason="") & Q(override_by__isnull=False, override_at__isnull=False)),
                name="%(app_label)s_%(class)s_override_recorded",
                violation_error_message="An override needs who, when and a reason.",
            ),
        ]

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_reason)
