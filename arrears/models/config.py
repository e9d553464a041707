"""What supervisors set without a redeploy: each account kind's rule set (thresholds, windows,
code lists, which rules are on, which accounts are in scope) and its automation switches (per
step, with an allow-list of patches). Every change is audited."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models

from arrears.models.accounts import AccountKind
from arrears.models.reference import ActionCode
from arrears.rules import Classification
from core.models import Stamped


def default_tenures() -> list[str]:
    return ["secure"]


@pghistory.track()
class RuleSet(Stamped):
    """The rules for one kind of account. `overrides` holds only the settings that differ from
    the default rule set (arrears.rules.RuleSettings), so the defaults can improve without
    touching what a supervisor chose. Scope: live accounts of these tenures with a balance over
    `minimum_balance`; when `restrict_patches` is on, only the listed patches and accounts with
    no patch (arrears-rules.md §9)."""

    kind = models.CharField(max_length=20, choices=AccountKind.choices, unique=True)
    overrides = models.JSONField(default=dict, blank=True)
    tenure_types = ArrayField(models.CharField(max_length=30), default=default_tenures)
    minimum_balance = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    restrict_patches = models.BooleanField(default=False)
    patches = models.ManyToManyField("casework.Patch", blank=True, related_name="+")
    breach_tolerance_days = models.PositiveSmallIntegerField(
        default=5, help_text="Days after each due date before a missed instalment breaches an arrangement."
    )
    team = models.ForeignKey(
        "casework.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who gets an account's tasks when its patch has no officer.",
    )
    automation_on = models.BooleanField(
        default=False, help_text="Master switch: no letter or text is sent automatically while this is off."
    )

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} rules"


class Schedule(models.TextChoices):
    NIGHTLY = "nightly", "With each classification (nightly, and after a diary entry)"
    WEEKLY = "weekly", "Weekly nudge (Fridays)"


@pghistory.track()
class AutomatedStep(Stamped):
    """Sending what one classification recommends, automatically: the template, the diary code
    that records it, whether it is on, and the patches it may run in (none listed: none)."""

    Schedule = Schedule

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="steps")
    classification = models.CharField(max_length=50, choices=Classification.choices)
    template = models.ForeignKey("communications.Template", on_delete=models.PROTECT, related_name="+")
    diary_code = models.ForeignKey(ActionCode, on_delete=models.PROTECT, related_name="+")
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.NIGHTLY)
    is_on = models.BooleanField(default=False)
    patches = models.ManyToManyField("casework.Patch", blank=True, related_name="+")

    class Meta:
        ordering = ["rule_set", "classification"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "classification"], name="arrears_one_step_per_classification")
        ]

    def __str__(self) -> str:
        return f"{self.get_classification_display()} ({'on' if self.is_on else 'off'})"
