"""SLA and timeout rules, the clocks they start on cases and tasks, and the rungs of each
clock's escalation ladder (casework.clocks does the arithmetic; casework.services.clocks every
write). A timeout is an SLA whose last rung closes the case: one mechanism for both."""

from __future__ import annotations

import datetime

import pghistory
from django.contrib.auth.models import Group
from django.contrib.postgres.fields import ArrayField
from django.db import models

from casework.models.calendars import Calendar
from casework.models.cases import Case, CaseType, Queue, Status
from casework.models.work import Task
from core.models import Stamped


class TimeUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", "working hours"
    WORKING_DAYS = "working_days", "working days"
    MINUTES = "minutes", "minutes (calendar)"
    HOURS = "hours", "hours (calendar)"
    DAYS = "days", "days (calendar)"


@pghistory.track()
class SlaRule(Stamped):
    """A target for a case type's cases (or one chevron of them), or for its tasks of one kind,
    on the case's working-time calendar, with its ladder of rungs (amber, exceeded, follow-on).

    A whole-case clock starts when the case opens and stops when it closes; a chevron clock
    starts each time the case moves into the chevron and stops when it leaves; a task clock runs
    from the task's creation to its completion. Any of them pauses while the case is in one of
    the pause statuses (waiting on the applicant)."""

    class Kind(models.TextChoices):
        SLA = "sla", "SLA"
        TIMEOUT = "timeout", "Timeout"

    class AppliesTo(models.TextChoices):
        CASE = "case", "Cases"
        TASK = "task", "Tasks"

    name = models.CharField(max_length=100)
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.SLA,
        help_text="A timeout closes the case at its target; its clocks are swept by the timeout sweep.",
    )
    is_active = models.BooleanField(default=True, help_text="Switched off: no new clocks, open ones stop.")
    case_type = models.ForeignKey(CaseType, on_delete=models.CASCADE, related_name="sla_rules")
    applies_to = models.CharField(max_length=10, choices=AppliesTo.choices, default=AppliesTo.CASE)
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        blank=True,
        help_text="The chevron timed (its clock starts each time a case moves into it); empty: the whole case.",
    )
    start_on_creation = models.BooleanField(
        default=True,
        help_text=(
            "A chevron clock also starts for a case created at that chevron. Off for the draft timeout, "
            "which times only applications sent back to draft."
        ),
    )
    task_kind = models.CharField(
        max_length=20, choices=Task.Kind.choices, blank=True, help_text="For task rules: the kind of task timed."
    )
    target_amount = models.PositiveIntegerField()
    target_unit = models.CharField(max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS)
    pause_statuses = ArrayField(
        models.CharField(max_length=20, choices=Status.choices),
        default=list,
        blank=True,
        help_text="While the case is at one of these chevrons (waiting on the applicant) the clock stops counting.",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["case_type__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "name"],
                name="sla_rule_name_unique",
                violation_error_message="This case type already has a rule of that name.",
            ),
            models.CheckConstraint(
                condition=models.Q(target_amount__gt=0),
                name="sla_rule_target_positive",
                violation_error_message="The target must be more than zero.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def target_label(self) -> str:
        return f"{self.target_amount} {self.get_target_unit_display()}"


@pghistory.track()
class SlaRung(models.Model):
    """One step of a rule's escalation ladder and what happens when a clock reaches it. Amber
    comes its period before the target, exceeded at the target, follow-ons their period after it."""

    class Kind(models.TextChoices):
        AMBER = "amber", "Amber warning"
        EXCEEDED = "exceeded", "Target exceeded"
        FOLLOW_ON = "follow_on", "Follow-on escalation"

    rule = models.ForeignKey(SlaRule, on_delete=models.CASCADE, related_name="rungs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    offset_amount = models.PositiveIntegerField(
        default=0, help_text="Amber: how long before the target. Follow-on: how long after it."
    )
    offset_unit = models.CharField(max_length=20, choices=TimeUnit.choices, blank=True)

    notify_owner = models.BooleanField(default=False, help_text="The case's owner (or its queue's team leads).")
    notify_team_leads = models.BooleanField(default=False, help_text="The leads of the case's team.")
    notify_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A stakeholder group whose members are told.",
    )
    notify_applicant = models.BooleanField(default=False, help_text="Send the applicant the template below.")
    template = models.ForeignKey(
        "communications.Template",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The letter, email or text the applicant is sent.",
    )
    raise_priority = models.BooleanField(default=False, help_text="Make the case urgent.")
    add_escalation_skill = models.BooleanField(
        default=False, help_text="Mark the case escalated: routing offers it only to people with the escalation skill."
    )
    move_to_queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Give the case to a queue."
    )
    close_case = models.BooleanField(default=False, help_text="Close the case as timed out (timeouts only).")

    class Meta:
        ordering = ["rule", "kind", "offset_amount"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "kind"],
                condition=models.Q(kind__in=["amber", "exceeded"]),
                name="sla_rung_one_amber_one_exceeded",
                violation_error_message="A rule has at most one amber warning and one target-exceeded step.",
            ),
            models.UniqueConstraint(
                fields=["rule", "kind", "offset_amount", "offset_unit"],
                name="sla_rung_unique",
                violation_error_message="The rule already has this step.",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.EXCEEDED:
            return str(self.get_kind_display())
        when = "before the target" if self.kind == self.Kind.AMBER else "after the target"
        return f"{self.get_kind_display()} ({self.offset_amount} {self.get_offset_unit_display()} {when})"


class Clock(models.Model):
    """One rule timing one case (or task): when it started, whether it runs, what it has used,
    and when it reaches (or reached) its amber warning and target. `elapsed` and `remaining` are
    as of `measured_at` (each start, pause, resume, stop and sweep); pages add the time since."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        STOPPED = "stopped", "Stopped"

    # No index of their own on the keys: the sweeps update clocks in bulk and each index is
    # written again by every update that cannot stay on its page. The case's and the task's
    # lookups use the indexes below; open clocks by rule use the one-open constraint. Deleting a
    # rule or a calendar (rare: both are protected) reads the table.
    rule = models.ForeignKey(SlaRule, on_delete=models.PROTECT, related_name="clocks", db_index=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks", db_index=False)
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="clocks", db_index=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True, help_text="When the amber warning is (or was) due.")
    target_at = models.DateTimeField(null=True, blank=True, help_text="When the target is (or was) reached.")
    breached_at = models.DateTimeField(null=True, blank=True, help_text="When the target was exceeded, if it was.")
    budget = models.DurationField(help_text="The target as working time.")
    elapsed = models.DurationField(default=datetime.timedelta)
    remaining = models.DurationField(help_text="Negative once exceeded.")
    measured_at = models.DateTimeField()

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "case", "task"],
                condition=~models.Q(state="stopped"),
                nulls_distinct=False,
                name="clock_one_open_per_rule",
            ),
            models.CheckConstraint(
                condition=models.Q(state="paused", paused_at__isnull=False)
                | (~models.Q(state="paused") & models.Q(paused_at__isnull=True)),
                name="clock_paused_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(state="stopped", stopped_at__isnull=False)
                | (~models.Q(state="stopped") & models.Q(stopped_at__isnull=True)),
                name="clock_stopped_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "state"], name="clock_case_state_idx"),
            models.Index(fields=["task"], name="clock_task_idx", condition=models.Q(task__isnull=False)),
            # The supervisors' list of amber and exceeded cases, newest problems first.
            models.Index(fields=["warn_at"], name="clock_open_warn_idx", condition=~models.Q(state="stopped")),
        ]

    def __str__(self) -> str:
        return f"{self.rule} on {self.case_id}"


class ClockPause(models.Model):
    """A stretch the clock stood still (the case was waiting on the applicant)."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, help_text="The chevron that paused it.")

    class Meta:
        ordering = ["clock", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clock"], condition=models.Q(ended_at__isnull=True), name="clock_one_open_pause"
            )
        ]

    def __str__(self) -> str:
        return f"Paused at {self.get_status_display()} from {self.started_at:%Y-%m-%d %H:%M}"


class ClockMilestone(models.Model):
    """A rung of a clock's ladder: when it is due (empty while the clock is paused; a stopped
    clock keeps only the rungs that fired) and when it fired. Unique per clock and rung, and claimed by setting
    `fired_at` under a row lock, so each rung fires once however often (and however many
    workers) the sweep runs. Fired ones are the clock's escalation history."""

    # Unindexed keys, as on Clock: the clock's lookups use the unique (clock, rung) index; a rung
    # removed from a ladder (rare) reads the table to forget it.
    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="milestones", db_index=False)
    rung = models.ForeignKey(SlaRung, null=True, on_delete=models.SET_NULL, related_name="milestones", db_index=False)
    kind = models.CharField(max_length=10, choices=SlaRule.Kind.choices, help_text="The rule's: which sweep.")
    label = models.CharField(max_length=200, help_text="The rung as it was when it fired.")
    due_at = models.DateTimeField(null=True, blank=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    # Set when the rung fired with messages to send: the job that sends them clears it, and the
    # sweep hands it to a new job if a worker died first.
    messages_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["clock", "due_at"]
        constraints = [models.UniqueConstraint(fields=["clock", "rung"], name="clock_milestone_once")]
        indexes = [
            models.Index(
                fields=["kind", "due_at"],
                name="milestone_due_idx",
                condition=models.Q(fired_at__isnull=True, due_at__isnull=False),
            ),
            models.Index(fields=["fired_at"], name="milestone_messages_idx", condition=models.Q(messages_pending=True)),
        ]

    def __str__(self) -> str:
        return self.label


class SweepRun(models.Model):
    """One run of a sweep (SLA, timeout, delay): how much it did and how long it took."""

    kind = models.CharField(max_length=20)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    fired = models.PositiveIntegerField(default=0)
    cases_changed = models.PositiveIntegerField(default=0)
    hostname = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["kind", "-started_at"], name="sweep_run_recent_idx")]

    def __str__(self) -> str:
        return f"{self.kind} sweep at {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def duration_ms(self) -> int | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds() * 1000)
