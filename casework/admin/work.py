"""Admin for the work on cases. Tasks are seen here and moved only through the services (the
"Mark complete" and "Cancel" actions call them, so the feed, notifications and audit trail are
the same as anywhere else); their status is never edited. Notes and notifications are records:
read-only here."""

from __future__ import annotations

from django.contrib import admin

from casework.models import Note, Notification, Task
from casework.services import tasks as task_services
from core.admin import STAMP_FIELDS, ReadOnlyAdmin, StampedAdmin, action_with_text


def _describe(task: Task) -> str:
    return f"{task.subject} ({task.case.number}, {task.get_status_display()})" if task.case else task.subject


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin, StampedAdmin):
    list_display = ("subject", "case", "kind", "status", "assignee", "assignee_team", "due_date", "completed_at")
    list_filter = ("status", "kind", "assignee_team", "due_date")
    list_select_related = ("case", "assignee", "assignee_team")
    search_fields = ("subject", "case__number")
    date_hierarchy = "due_date"
    fields = (
        "case",
        "kind",
        "subject",
        "description",
        ("assignee", "assignee_team"),
        "due_date",
        "status",
        "outcome",
        ("completed_at", "completed_by"),
        *STAMP_FIELDS,
    )
    # Tasks are set and changed through the services (API, worktray), status only by its
    # transitions: the form is view-only and the actions below call the services.
    readonly_fields = ("status",)
    actions = ["mark_complete", "cancel"]

    @admin.action(description="Mark complete")
    def mark_complete(self, request, queryset):
        return action_with_text(
            self,
            request,
            queryset.select_related("case"),
            title="Mark complete",
            intro="Complete these tasks? Their creators are told.",
            label="Outcome (optional): what was done",
            required=False,
            service=lambda task, text: task_services.task_complete(actor=request.user, task=task, outcome=text),
            describe=_describe,
        )

    @admin.action(description="Cancel")
    def cancel(self, request, queryset):
        return action_with_text(
            self,
            request,
            queryset.select_related("case"),
            title="Cancel tasks",
            intro="Cancel these tasks?",
            label="Reason for cancelling",
            required=True,
            service=lambda task, text: task_services.task_cancel(actor=request.user, task=task, reason=text),
            describe=_describe,
        )


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
    list_display = ("case", "author", "created_at", "excerpt")
    list_select_related = ("case", "author")
    list_filter = ("created_at",)
    search_fields = ("case__number", "body", "author__email")
    date_hierarchy = "created_at"
    fields = ("case", "author", "created_at", "body", "mentioned")
    readonly_fields = fields

    @admin.display(description="Note")
    def excerpt(self, note: Note) -> str:
        return note.body if len(note.body) <= 80 else note.body[:79] + "…"

    @admin.display(description="Mentions")
    def mentioned(self, note: Note) -> str:
        return ", ".join(str(user) for user in note.mentions.all()) or "-"


class ReadFilter(admin.SimpleListFilter):
    title = "read"
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("yes", "Read"), ("no", "Unread")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(read_at__isnull=self.value() == "no")
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("recipient", "kind", "message", "case", "created_at", "read_at", "emailed_at")
    list_select_related = ("recipient", "case")
    list_filter = ("kind", ReadFilter, "created_at")
    search_fields = ("recipient__email", "message", "case__number")
    date_hierarchy = "created_at"
