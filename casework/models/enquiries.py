"""Housing-options enquiries: the forms staff fill in with a customer (questions with types and
options), the advice statements chosen by the answers, and each submitted enquiry with its case
(casework.services.enquiries opens the case, starts its path and compiles the information pack)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from casework.models.cases import Case, CaseType
from casework.models.paths import WorkflowPath
from core.models import Stamped


@pghistory.track()
class EnquiryForm(Stamped):
    """An enquiry form for a case type (a housing-options workflow), and the path its cases start on."""

    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, related_name="enquiry_forms")
    name = models.CharField(max_length=100, unique=True)
    intro = models.TextField(blank=True, help_text="Shown above the questions, and at the top of the pack.")
    path = models.ForeignKey(
        WorkflowPath,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The path the enquiry's case starts on (its tasks), besides any that start on their own.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EnquiryQuestion(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        YES_NO = "yes_no", "Yes or no"
        CHOICE = "choice", "One of the options"
        NUMBER = "number", "Whole number"
        DATE = "date", "Date"

    form = models.ForeignKey(EnquiryForm, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    key = models.SlugField(max_length=40, help_text="How advice conditions name the answer, e.g. homeless_tonight.")
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    options = models.TextField(blank=True, help_text="For “one of the options”: one option a line.")
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="enquiry_question_key_unique"),
            models.UniqueConstraint(fields=["form", "position"], name="enquiry_question_position_unique"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]


@pghistory.track()
class AdviceStatement(Stamped):
    """A piece of advice for the information pack: for one form's enquiries when its condition
    on their answers holds (every line must), or for every enquiry (generic: no form)."""

    form = models.ForeignKey(
        EnquiryForm,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="statements",
        help_text="Empty: a generic statement, in every pack.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the pack.")
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Formatting: # heading, * bullet.")
    condition = models.TextField(
        blank=True,
        help_text="Every line must hold, e.g. “homeless_tonight = yes”, “children > 0”. Empty: always.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class Enquiry(models.Model):
    """A submitted enquiry: its answers, its case, and the information pack made from them."""

    form = models.ForeignKey(EnquiryForm, on_delete=models.PROTECT, related_name="enquiries")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="enquiry")
    answers = models.JSONField(default=dict)
    statements = models.ManyToManyField(AdviceStatement, related_name="+", blank=True)
    pack = models.ForeignKey("casework.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name_plural = "enquiries"

    def __str__(self) -> str:
        return f"{self.form} ({self.case_id})"
