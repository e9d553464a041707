"""A caseworker's saved worktray views: a name and the query string of the worktray's filters and
sort, so a view used every morning ("my urgent arrears in patch N01, oldest first") is one click."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

SAVED_FILTER_NAME_MAX_LENGTH = 60


class SavedFilter(models.Model):
    """One saved worktray view. Personal: only its owner sees, uses or deletes it. Written only by
    casework.services.saved_filters."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(max_length=SAVED_FILTER_NAME_MAX_LENGTH)
    # Only the worktray's own filter and sort parameters, url-encoded (never a page number).
    query = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="casework_saved_filter_name_once"),
        ]

    def __str__(self) -> str:
        return self.name
