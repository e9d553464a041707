"""Representations of the work on cases for the staff API: tasks, notes, the case feed, log
review and notifications. Input serializers only parse; the services hold the rules (and their
messages), so a rule broken here reads the same as anywhere else."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.api.serializers import CaseReferenceSerializer, TeamSummarySerializer, UserSummarySerializer
from casework.models import (
    REVIEW_MAX_LENGTH,
    CaseActivity,
    Document,
    Note,
    Notification,
    Task,
    Team,
)
from core.models import User

# --- small summaries -------------------------------------------------------------------------


# --- tasks -----------------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    case = CaseReferenceSerializer(read_only=True, allow_null=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    assignee_team = TeamSummarySerializer(read_only=True, allow_null=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    completed_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "case",
            "kind",
            "subject",
            "description",
            "assignee",
            "assignee_team",
            "due_date",
            "status",
            "outcome",
            "completed_at",
            "completed_by",
            "created_at",
            "created_by",
            "updated_at",
        ]
        read_only_fields = fields


class TaskListParamsSerializer(serializers.Serializer):
    mine = serializers.BooleanField(required=False, default=False, help_text="Only tasks for me or for a team I am in.")
    team = serializers.IntegerField(required=False, help_text="Only tasks assigned to this team (id).")
    status = serializers.MultipleChoiceField(
        choices=Task.Status.choices, required=False, help_text="Repeat for several."
    )
    case = serializers.IntegerField(required=False, help_text="Only this case's tasks (id).")


class _TaskFieldsSerializer(serializers.Serializer):
    """Blank values pass through to the service, whose messages say what is wrong."""

    subject = serializers.CharField(allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True, default=None, help_text="A staff member (id)."
    )
    assignee_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True, default=None, help_text="A team (id)."
    )


class TaskCreateSerializer(_TaskFieldsSerializer):
    kind = serializers.ChoiceField(
        choices=Task.Kind.choices, default=Task.Kind.TODO, help_text="Not case_review: log a review on the case."
    )


class TaskCreateWithCaseSerializer(TaskCreateSerializer):
    case = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="The case (id), if any.")


class TaskUpdateSerializer(_TaskFieldsSerializer):
    """Send only what changes (use it with partial=True). Giving `assignee` or `assignee_team`
    reassigns the task."""


class TaskCompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(required=False, allow_blank=True, default="", help_text="What was done.")


class TaskCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Why the task is no longer needed.")


# --- notes -----------------------------------------------------------------------------------


class NoteSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True)
    mentions = UserSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Note
        fields = ["id", "case", "author", "body", "created_at", "mentions"]
        read_only_fields = fields


class NoteCreateSerializer(serializers.Serializer):
    body = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text="Mention staff with @handle (the part of their email before the @), or @their@full.email "
        "where several staff share a handle.",
    )


class MentionSerializer(serializers.Serializer):
    handle = serializers.CharField()
    user = UserSummarySerializer()


class UnresolvedMentionSerializer(serializers.Serializer):
    handle = serializers.CharField()
    reason = serializers.CharField()


class NoteCreatedSerializer(NoteSerializer):
    """A new note, with what became of each @handle in it."""

    resolved_mentions = serializers.SerializerMethodField()
    unresolved_mentions = serializers.SerializerMethodField()

    class Meta(NoteSerializer.Meta):
        fields = [*NoteSerializer.Meta.fields, "resolved_mentions", "unresolved_mentions"]
        read_only_fields = fields

    @extend_schema_field(MentionSerializer(many=True))
    def get_resolved_mentions(self, note: Note) -> list[dict]:
        resolved = note.mention_report.resolved  # type: ignore[attr-defined]
        return [{"handle": handle, "user": UserSummarySerializer(user).data} for handle, user in resolved.items()]

    @extend_schema_field(UnresolvedMentionSerializer(many=True))
    def get_unresolved_mentions(self, note: Note) -> list[dict]:
        unresolved = note.mention_report.unresolved  # type: ignore[attr-defined]
        return [{"handle": handle, "reason": reason} for handle, reason in unresolved.items()]


# --- the case feed ---------------------------------------------------------------------------


class FeedNoteSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True)

    class Meta:
        model = Note
        fields = ["id", "body", "author"]
        read_only_fields = fields


class FeedTaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "kind", "subject", "status", "due_date"]
        read_only_fields = fields


class FeedDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "original_name", "category", "content_type", "size"]
        read_only_fields = fields


class CaseActivitySerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor = UserSummarySerializer(read_only=True, allow_null=True)
    note = FeedNoteSerializer(read_only=True, allow_null=True)
    task = FeedTaskSerializer(read_only=True, allow_null=True)
    document = FeedDocumentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CaseActivity
        fields = [
            "id",
            "kind",
            "kind_display",
            "at",
            "actor",
            "summary",
            "from_status",
            "to_status",
            "reason",
            "note",
            "task",
            "document",
            "data",
        ]
        read_only_fields = fields


# --- log review ------------------------------------------------------------------------------


class LastReviewSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="last_reviewed_at")
    by = UserSummarySerializer(source="last_reviewed_by", allow_null=True)
    comment = serializers.CharField(source="last_review_comment")


class CaseReviewSerializer(serializers.Serializer):
    """What the "Log review" form needs: the template to start from, the limit, and the latest
    review (null before the first)."""

    template = serializers.CharField()
    max_length = serializers.IntegerField()
    last_review = LastReviewSerializer(allow_null=True)


class CaseReviewCreateSerializer(serializers.Serializer):
    comment = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=f"At most {REVIEW_MAX_LENGTH} characters."
    )


class CaseReviewLoggedSerializer(serializers.Serializer):
    task = TaskSerializer()
    last_review = LastReviewSerializer()


# --- notifications ---------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    case = CaseReferenceSerializer(read_only=True, allow_null=True)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_display", "message", "case", "task", "note", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationListParamsSerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: only unread; false: only read."
    )


class NotificationsMarkedSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text="How many notifications were unread.")
