"""Workflow paths: a case type's ordered steps (task, decision, delay, communication, complete),
edited by supervisors as rows on the path and published as immutable versions, and the runs that
take a case along a version (casework.services.paths drives them)."""

from __future__ import annotations

import pghistory
from django.db import models

from casework.models.cases import Case, CaseType, Team
from casework.models.clocks import TimeUnit
from casework.models.work import Task
from core.models import Stamped


@pghistory.track()
class WorkflowPath(Stamped):
    """A path of steps for a case type's cases. Auto-start paths start when a case of the type
    opens (an automated case type's path runs it from open to closed with nobody involved);
    the others are started by hand from the case page."""

    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="paths")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True, help_text="Switched off: no new runs; running cases carry on.")
    starts_automatically = models.BooleanField(default=True, help_text="Start when a case of the type opens.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["case_type__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "name"],
                name="workflow_path_name_unique",
                violation_error_message="This case type already has a path of that name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PathStep(models.Model):
    """One step of a path as supervisors edit it. Saving the path publishes the steps as a new
    version when they changed; runs follow the version they started on."""

    class Kind(models.TextChoices):
        TASK = "task", "Task"
        DECISION = "decision", "Decision"
        DELAY = "delay", "Delay"
        COMMUNICATION = "communication", "Communication"
        COMPLETE = "complete", "Complete (close the case)"

    class Assign(models.TextChoices):
        OWNER = "owner", "The case's owner (or its queue's team)"
        TEAM = "team", "A team"

    class Mode(models.TextChoices):
        AUTOMATIC = "automatic", "Send automatically"
        MANUAL = "manual", "Set a task to send it"

    class DateField(models.TextChoices):
        TENANCY_END = "tenancy.end_date", "Tenancy end date"
        TENANCY_START = "tenancy.start_date", "Tenancy start date"
        TASK_DUE = "task.due_date", "Due date of the path's last task"

    path = models.ForeignKey(WorkflowPath, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100, help_text="Decisions name the step they go to.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # task
    task_subject = models.CharField(max_length=200, blank=True)
    task_kind = models.CharField(max_length=20, choices=Task.Kind.choices, default=Task.Kind.TODO)
    assign_to = models.CharField(max_length=10, choices=Assign.choices, default=Assign.OWNER)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_in_days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Working days.")
    checklist = models.TextField(blank=True, help_text="The script or checklist the person ticks: one item a line.")
    # decision
    branches = models.TextField(
        blank=True,
        help_text=(
            "One branch a line, the first that matches wins: “priority = urgent -> Escalate”, "
            "“contact.preferred_language != en -> Interpreter”, and last “else -> Step name”."
        ),
    )
    # delay
    delay_amount = models.PositiveIntegerField(null=True, blank=True)
    delay_unit = models.CharField(max_length=20, choices=TimeUnit.choices, blank=True)
    until_date = models.CharField(
        max_length=30, choices=DateField.choices, blank=True, help_text="Or wait until this date is reached…"
    )
    max_amount = models.PositiveIntegerField(null=True, blank=True, help_text="…for at most this long.")
    max_unit = models.CharField(max_length=20, choices=TimeUnit.choices, blank=True)
    # communication
    template = models.ForeignKey(
        "communications.Template", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.AUTOMATIC)
    # complete
    outcome = models.CharField(max_length=200, blank=True, help_text="The reason recorded when the case closes.")

    class Meta:
        ordering = ["path", "position"]
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="path_step_position_unique"),
            models.UniqueConstraint(fields=["path", "name"], name="path_step_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class PathVersion(models.Model):
    """A published, never-changed copy of a path's steps (`steps`: a list of each step's fields)."""

    path = models.ForeignKey(WorkflowPath, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    steps = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path", "-number"]
        constraints = [models.UniqueConstraint(fields=["path", "number"], name="path_version_unique")]

    def __str__(self) -> str:
        return f"{self.path} v{self.number}"


class PathRun(models.Model):
    """A case going along a path version: the step it is at, whether it waits (on a task, or until
    `wake_at` for a delay) and how it ended."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        WAITING_TASK = "waiting_task", "Waiting for a task"
        WAITING_DELAY = "waiting_delay", "Waiting (delay)"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped (the case closed)"
        FAILED = "failed", "Failed (see the case's feed)"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="path_runs")
    version = models.ForeignKey(PathVersion, on_delete=models.PROTECT, related_name="runs")
    state = models.CharField(max_length=20, choices=State.choices, default=State.RUNNING)
    step = models.PositiveSmallIntegerField(default=0, help_text="The index in the version's steps.")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    wake_at = models.DateTimeField(null=True, blank=True)
    step_started_at = models.DateTimeField(null=True, blank=True, help_text="When the current step began.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "version"],
                condition=models.Q(state__in=["running", "waiting_task", "waiting_delay"]),
                name="path_run_one_live_per_case",
            )
        ]
        indexes = [
            models.Index(fields=["wake_at"], name="path_run_due_idx", condition=models.Q(state="waiting_delay")),
            models.Index(fields=["task"], name="path_run_task_idx", condition=models.Q(state="waiting_task")),
        ]

    def __str__(self) -> str:
        return f"{self.version} on {self.case_id}"
