"""The work done on a case: tasks (a caseworker's to-dos), notes with @mentions, in-app
notifications, documents, referrals to teams, appointments, related organisations, and the case
feed that puts them all on one timeline. Fields and constraints only; writes go through
casework.services."""

from __future__ import annotations

import uuid

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from casework.models.cases import Case, Status, Team
from casework.models.people import Organisation
from core.models import Stamped

REVIEW_MAX_LENGTH = 1000
REVIEW_TEMPLATE = "Current Status:\nPending Action Items:\nPending Action Owner:\n"
NOTE_MAX_LENGTH = 10_000


@pghistory.track()
class Task(FSMModelMixin, Stamped):
    """A caseworker's to-do, on a case or on its own, for a person or a team. Rework
    ("kickback") and appeal reviews are tasks, not status moves; a logged review is a completed
    task with the subject "Case Review"."""

    class Kind(models.TextChoices):
        TODO = "todo", "To-do"
        REWORK = "rework", "Rework (kickback)"
        APPEAL_REVIEW = "appeal_review", "Appeal review"
        CASE_REVIEW = "case_review", "Case review"
        CALLBACK = "callback", "Call back"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TODO)
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    assignee_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    due_date = models.DateField(null=True, blank=True)
    status = FSMField(max_length=20, choices=Status.choices, default=Status.OPEN, protected=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.TextField(blank=True, help_text="What was done (or why it was cancelled).")
    # A workflow path's script or checklist: [{"text": "…", "done": false}, …], ticked as it is worked.
    checklist = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignee__isnull=True) | models.Q(assignee_team__isnull=True),
                name="casework_task_one_assignee",
                violation_error_message="A task is assigned to a person or a team, not both.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["completed", "cancelled"], completed_at__isnull=False)
                | (~models.Q(status__in=["completed", "cancelled"]) & models.Q(completed_at__isnull=True)),
                name="casework_task_finished_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["assignee", "status"], name="task_assignee_status_idx"),
            models.Index(fields=["assignee_team", "status"], name="task_team_status_idx"),
            models.Index(fields=["case", "status"], name="task_case_status_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    def _finish(self, actor) -> None:
        self.completed_at = timezone.now()
        self.completed_by = actor

    @transition(field=status, source=Status.OPEN, target=Status.IN_PROGRESS)
    def start(self) -> None:
        pass

    @transition(field=status, source=[Status.OPEN, Status.IN_PROGRESS], target=Status.COMPLETED)
    def complete(self, actor=None) -> None:
        self._finish(actor)

    @transition(field=status, source=[Status.OPEN, Status.IN_PROGRESS], target=Status.CANCELLED)
    def cancel(self, actor=None) -> None:
        self._finish(actor)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.COMPLETED, self.Status.CANCELLED)


class Note(models.Model):
    """A note on a case's feed. Notes are never edited or deleted: a correction is a new note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, through="NoteMention", related_name="mentioned_in")

    class Meta:
        ordering = ["-created_at"]
        # Never edited; deleted only with its case (erasure), so only updates are refused.
        triggers = [pgtrigger.Protect(name="note_never_edited", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"Note on {self.case} by {self.author}"


class NoteMention(models.Model):
    note = models.ForeignKey(Note, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "user"], name="casework_mention_once")]

    def __str__(self) -> str:
        return f"{self.user} mentioned in {self.note}"


class Notification(models.Model):
    """An entry in a user's in-app notification list; also emailed (emailed_at records that the
    email went, so a retried job never sends it twice)."""

    class Kind(models.TextChoices):
        MENTION = "mention", "Mentioned in a note"
        TASK_ASSIGNED = "task_assigned", "Task assigned"
        TASK_COMPLETED = "task_completed", "Task completed"
        REFERRAL = "referral", "Referral"
        CASE_SENT_BACK = "case_sent_back", "Application returned for action"
        CASE_UPDATE = "case_update", "Case update"
        SLA = "sla", "SLA warning or escalation"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=500)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.message


def _document_path(document: Document, filename: str) -> str:
    # The stored name never reuses the uploader's file name (which may hold personal data or
    # path tricks); the original is kept in a column for display and download.
    return f"cases/{document.case_id}/{uuid.uuid4().hex}"


def _document_storage():
    from django.core.files.storage import storages

    return storages["documents"]


class Document(models.Model):
    """A file on a case. Its type was sniffed from the content when it was uploaded."""

    class Category(models.TextChoices):
        IDENTITY = "identity", "Proof of identity"
        TENANCY = "tenancy", "Tenancy agreement or lease"
        INCOME = "income", "Proof of income"
        ARREARS = "arrears", "Arrears or rent statement"
        OWNERSHIP = "ownership", "Proof of ownership"
        TAX = "tax", "Tax or payee verification"
        CORRESPONDENCE = "correspondence", "Letter or correspondence"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    file = models.FileField(upload_to=_document_path, storage=_document_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


@pghistory.track()
class ReferralReason(models.Model):
    """Why a case is referred to a team (primary reason), configured per team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="referral_reasons")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["team_id", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="casework_referral_reason_unique")]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class ReferralSubtype(models.Model):
    reason = models.ForeignKey(ReferralReason, on_delete=models.CASCADE, related_name="subtypes")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["reason_id", "name"]
        constraints = [models.UniqueConstraint(fields=["reason", "name"], name="casework_referral_subtype_unique")]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Referral(FSMModelMixin, Stamped):
    """A case referred to another team (a "case assignment" in the support SOP), with its own
    status: open until the team accepts it, completed when their part is done."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        COMPLETED = "completed", "Completed"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals")
    reason = models.ForeignKey(ReferralReason, on_delete=models.PROTECT, related_name="+")
    subtype = models.ForeignKey(ReferralSubtype, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    comments = models.TextField(blank=True)
    status = FSMField(max_length=20, choices=Status.choices, default=Status.OPEN, protected=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["team", "status"], name="referral_team_status_idx")]

    def __str__(self) -> str:
        return f"{self.case} to {self.team}"

    @transition(field=status, source=Status.OPEN, target=Status.ACCEPTED)
    def accept(self, actor=None) -> None:
        self.accepted_at = timezone.now()
        self.accepted_by = actor

    @transition(field=status, source=Status.ACCEPTED, target=Status.COMPLETED)
    def complete(self, actor=None) -> None:
        self.completed_at = timezone.now()
        self.completed_by = actor


@pghistory.track()
class Appointment(Stamped):
    """A meeting or call about a case or a task. Applicants see their cases' appointments."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Phone call"
        VIDEO = "video", "Video call"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"
        MISSED = "missed", "Missed"

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="appointments")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="appointments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    mode = models.CharField(max_length=10, choices=Mode.choices)
    location = models.CharField(max_length=300, blank=True, help_text="Address, or the number to call.")
    with_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    with_name = models.CharField(max_length=200, blank=True, help_text="Who the meeting is with, if not staff.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(task__isnull=False),
                name="casework_appointment_has_subject",
                violation_error_message="An appointment belongs to a case or a task.",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=models.F("starts_at")),
                name="casework_appointment_ends_after_start",
                violation_error_message="The appointment must end after it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} at {self.starts_at:%Y-%m-%d %H:%M}"


@pghistory.track()
class CaseOrganisation(Stamped):
    """An organisation involved in a case, and in what role."""

    class Role(models.TextChoices):
        LANDLORD = "landlord", "Landlord"
        INSTALLER = "installer", "Installer"
        CONTRACTOR = "contractor", "Contractor"
        AGENCY = "agency", "Agency"
        ADVOCATE = "advocate", "Advocate"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="organisations")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="case_links")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["role", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "organisation", "role"],
                name="casework_case_organisation_once",
                violation_error_message="This organisation already has that role on the case.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class CaseActivity(models.Model):
    """One entry on a case's timeline. Services write one for every change worth showing
    (status, owner, note, task, document, review, referral, letter); other apps add theirs
    through casework.services.feed.feed_record. Append-only: history is never rewritten."""

    class Kind(models.TextChoices):
        CREATED = "created", "Case created"
        STATUS_CHANGED = "status_changed", "Status changed"
        OWNER_CHANGED = "owner_changed", "Owner changed"
        UPDATED = "updated", "Details changed"
        NOTE = "note", "Note"
        TASK_CREATED = "task_created", "Task created"
        TASK_UPDATED = "task_updated", "Task updated"
        DOCUMENT_ADDED = "document_added", "Document added"
        DOCUMENT_REQUESTED = "document_requested", "Document requested"
        REVIEW_LOGGED = "review_logged", "Review logged"
        REFERRAL = "referral", "Referral"
        MATCHED = "matched", "Applications matched"
        APPEAL = "appeal", "Appeal"
        FLAG = "flag", "Flag changed"
        APPOINTMENT = "appointment", "Appointment"
        LETTER = "letter", "Letter"
        MESSAGE = "message", "Email or text message"
        SLA = "sla", "SLA or timeout"
        PATH = "path", "Workflow path"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(max_length=500)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    reason = models.TextField(blank=True)
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["case", "-at"], name="case_activity_timeline_idx"),
            # The supervisors' "time in each chevron" reads status changes over a recent window.
            models.Index(fields=["kind", "at"], name="case_activity_kind_at_idx"),
        ]
        triggers = [pgtrigger.Protect(name="case_activity_append_only", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return self.summary
