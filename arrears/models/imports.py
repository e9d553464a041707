"""A record of each import of accounts or transactions from a housing system's CSV export: who ran
it (nobody for the nightly command), when, what it did to how many rows, and which rows it
rejected and why. Written by arrears.services.imports; read-only in the admin."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportKind(models.TextChoices):
    ACCOUNTS = "accounts", "Accounts"
    TRANSACTIONS = "transactions", "Transactions"


class ImportRun(models.Model):
    """One import. `finished_at` is empty while it runs (or if it stopped halfway: the batches
    before the stop are kept, and importing the file again completes it). `report` holds the
    first REPORT_LIMIT rejected rows as {line, field, message}; `rejected` counts them all."""

    REPORT_LIMIT = 1000
    Kind = ImportKind

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(max_length=255)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the import ran as a command (the nightly export).",
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    classified = models.PositiveIntegerField(default=0, help_text="Accounts re-classified after the import.")
    report = models.JSONField(default=list, blank=True, help_text="The first rejected rows: line, field, message.")
    error = models.TextField(blank=True, help_text="Why the import stopped before the end of the file, if it did.")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "import run"
        indexes = [models.Index(fields=["-started_at"], name="arrears_importrun_started_idx")]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()} from {self.file_name} at {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"
        )

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected
