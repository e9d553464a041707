"""Notices: alerts supervisors post for applicants (an office closure, a programme pausing), shown
on the portal's home page while they are live. A notice with no regions, patches or programmes is
for everyone, including visitors on the start page; otherwise it is for applicants with an
application matching any of them (portal.selectors.notices_for)."""

from __future__ import annotations

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import Stamped


class NoticeLevel(models.TextChoices):
    INFORMATION = "information", "Information"
    IMPORTANT = "important", "Important"


@pghistory.track()
class Notice(Stamped):
    """One alert. The body is plain text: the portal escapes it and keeps its line breaks."""

    Level = NoticeLevel

    title = models.CharField(max_length=120, help_text="A short heading, e.g. “Our Northgate office is closed”.")
    body = models.TextField(help_text="Plain text, shown as written (line breaks kept, no HTML).")
    level = models.CharField(max_length=12, choices=NoticeLevel.choices, default=NoticeLevel.INFORMATION)
    shown_from = models.DateTimeField(default=timezone.now)
    shown_until = models.DateTimeField(null=True, blank=True, help_text="Empty: until it is taken down.")
    regions = models.ManyToManyField(
        "casework.Region",
        blank=True,
        related_name="portal_notices",
        help_text="Applicants whose property is in one of these regions.",
    )
    patches = models.ManyToManyField(
        "casework.Patch",
        blank=True,
        related_name="portal_notices",
        help_text="Applicants whose property is in one of these patches.",
    )
    programmes = models.ManyToManyField(
        "casework.CaseType",
        blank=True,
        related_name="portal_notices",
        help_text="Applicants with an application to one of these programmes.",
    )

    class Meta:
        ordering = ["-shown_from", "-id"]
        indexes = [models.Index(fields=["shown_from", "shown_until"], name="portal_notice_window_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(shown_until__isnull=True) | Q(shown_until__gt=models.F("shown_from")),
                name="portal_notice_until_after_from",
                violation_error_message="A notice must end after it starts.",
            ),
            models.CheckConstraint(condition=Q(level__in=NoticeLevel.values), name="portal_notice_level_known"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.shown_from and self.shown_until and self.shown_until <= self.shown_from:
            raise ValidationError({"shown_until": "Make this later than when the notice starts showing."})

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.shown_from <= now and (self.shown_until is None or now < self.shown_until)
