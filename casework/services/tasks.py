"""Tasks: a caseworker's to-dos, on a case or on their own, for a person or a team. Rework
("kickback") and appeal reviews are tasks of those kinds assigned to a person, not status moves.

Every function is one transaction under an audit context. A task on a case locks the case first
(then the task), records itself on the case feed, and is refused on a closed case for anyone but
a supervisor. A task's status moves only through its state machine (Task.start/complete/cancel).
actor None means the system (demo data, jobs).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from casework.models import Case, CaseActivity, Notification, Task, Team
from casework.services.clocks import clocks_on_task_created, clocks_on_task_finished
from casework.services.common import clean_text, ensure_case_open, lock_case, raise_if, require
from casework.services.feed import feed_record
from casework.services.notifications import notify
from casework.services.paths import paths_on_task_finished
from core import errors
from core.audit import audited
from core.models import User
from core.permissions import is_staff_member

SUBJECT_MAX_LENGTH: int = Task._meta.get_field("subject").max_length or 200
_STAFF_ONLY = "Only staff can work with tasks."


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset()  # task_update: "leave this field as it is"


def actor_name(actor: User | None) -> str:
    return str(actor) if actor is not None else "The system"


def _where(case: Case | None) -> str:
    return f" on {case.number}" if case is not None else ""


def _assigned_to(assignee: User | None, team: Team | None) -> str:
    return str(assignee) if assignee is not None else f"{team} (team)"


# --- validation ------------------------------------------------------------------------------


def _check_subject(subject: str, field_errors: dict[str, list[str]]) -> str:
    subject = clean_text(subject)
    if not subject:
        field_errors["subject"] = ["Enter a subject for the task."]
    elif len(subject) > SUBJECT_MAX_LENGTH:
        field_errors["subject"] = [
            f"The subject can be at most {SUBJECT_MAX_LENGTH} characters (you entered {len(subject)})."
        ]
    return subject


def _check_due_date(due_date: datetime.date | None, field_errors: dict[str, list[str]]) -> None:
    if due_date is not None and due_date < timezone.localdate():
        field_errors["due_date"] = ["The due date cannot be in the past."]


def _check_assignment(assignee: User | None, team: Team | None, field_errors: dict[str, list[str]]) -> None:
    if assignee is not None and team is not None:
        field_errors["assignee"] = ["Assign the task to a person or to a team, not both."]
    elif assignee is None and team is None:
        field_errors["assignee"] = ["Choose who the task is for: a person or a team."]
    elif assignee is not None and not is_staff_member(assignee):
        field_errors["assignee"] = [f"{assignee} is not an active staff member, so cannot be given tasks."]


def _assignment_recipients(task: Task) -> list[User]:
    """Who hears of a new assignment: the person, or every active member of the team."""
    if task.assignee is not None:
        return [task.assignee]
    if task.assignee_team is None:
        return []
    return list(task.assignee_team.members.filter(is_active=True, kind=User.Kind.STAFF))


def _notify_assigned(actor: User | None, task: Task, case: Case | None) -> None:
    due = f", due {task.due_date:%d %b %Y}" if task.due_date else ""
    whom = "you" if task.assignee is not None else f"{task.assignee_team} (your team)"
    notify(
        # Nobody is told about a task they just gave themselves.
        recipients=[user for user in _assignment_recipients(task) if actor is None or user.pk != actor.pk],
        kind=Notification.Kind.TASK_ASSIGNED,
        message=f"{actor_name(actor)} set a task for {whom}{_where(case)}: “{task.subject}”{due}.",
        case=case,
        task=task,
    )


# --- locking ---------------------------------------------------------------------------------


def _lock(task: Task) -> tuple[Task, Case | None]:
    """Lock the task's case (if any), then the task, and return fresh copies of both. Always in
    that order, like every other service that touches a case, so two of them never deadlock."""
    case = lock_case(task.case) if task.case_id else None
    locked = (
        Task.objects.select_for_update(of=("self",))
        .select_related("assignee", "assignee_team", "created_by")
        .get(pk=task.pk)
    )
    locked.case = case
    return locked, case


def _ensure_can(task: Task, transition, doing: str) -> None:
    if not can_proceed(transition):
        raise errors.TransitionNotAllowed(
            f"The task “{task.subject}” is {task.get_status_display().lower()}, so you cannot {doing}."
        )


def _record(case: Case | None, *, kind: str, actor: User | None, summary: str, task: Task, reason: str = "") -> None:
    if case is not None:
        feed_record(case=case, kind=kind, actor=actor, summary=summary, task=task, reason=reason)


# --- services --------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor: User | None,
    subject: str,
    description: str = "",
    kind: str = Task.Kind.TODO,
    assignee: User | None = None,
    assignee_team: Team | None = None,
    due_date: datetime.date | None = None,
    case: Case | None = None,
    checklist: list[str] | None = None,
) -> Task:
    """Set a task for one staff member (`assignee`) or a team (`assignee_team`), optionally on
    a case, and notify whoever it is for (the person, or every member of the team; never the
    actor). Case reviews are logged with casework.services.reviews.case_review_log instead.

    Who: staff (or the system). Raises PermissionDenied; ValidationError (per field) for a blank
    or over-long subject, an unknown kind, a due date in the past, no assignee, both a person and
    a team, or an assignee who is not active staff; Conflict on a closed case (unless the actor
    is a supervisor)."""
    require(actor, is_staff_member, _STAFF_ONLY)
    field_errors: dict[str, list[str]] = {}
    subject = _check_subject(subject, field_errors)
    if kind == Task.Kind.CASE_REVIEW:
        field_errors["kind"] = ["Case reviews are logged with “Log review” on the case, not set as tasks."]
    elif kind not in Task.Kind.values:
        field_errors["kind"] = [f"{kind!r} is not a kind of task."]
    _check_due_date(due_date, field_errors)
    _check_assignment(assignee, assignee_team, field_errors)
    raise_if(field_errors)

    if case is not None:
        case = lock_case(case)
        ensure_case_open(actor, case, doing="add a task to it")
    task = Task(
        case=case,
        kind=kind,
        subject=subject,
        description=(description or "").strip(),
        assignee=assignee,
        assignee_team=assignee_team,
        due_date=due_date,
        checklist=[{"text": item, "done": False} for item in checklist or []],
    )
    task.stamp(actor)
    with audited(actor=actor, action="task_create"):
        task.save()
        clocks_on_task_created(task, now=task.created_at)
        _record(
            case,
            kind=CaseActivity.Kind.TASK_CREATED,
            actor=actor,
            summary=f"Task “{subject}” set for {_assigned_to(assignee, assignee_team)}",
            task=task,
        )
        _notify_assigned(actor, task, case)
    return task


@transaction.atomic
def task_update(
    *,
    actor: User | None,
    task: Task,
    subject: str | _Unset = UNSET,
    description: str | _Unset = UNSET,
    due_date: datetime.date | _Unset | None = UNSET,
    assignee: User | _Unset | None = UNSET,
    assignee_team: Team | _Unset | None = UNSET,
) -> Task:
    """Change a task's subject, description, due date or assignment. Arguments left UNSET keep
    their value; giving `assignee` or `assignee_team` reassigns the task (the other one is
    cleared) and notifies the new assignee. The kind and status never change here.

    Who: staff (or the system). Raises PermissionDenied; Conflict when the task is completed or
    cancelled, or its case is closed (unless the actor is a supervisor); ValidationError (per
    field) as for task_create."""
    require(actor, is_staff_member, _STAFF_ONLY)
    task, case = _lock(task)
    if task.is_finished:
        raise errors.Conflict(
            f"The task “{task.subject}” is {task.get_status_display().lower()}, so it can no longer be changed."
        )
    if case is not None:
        ensure_case_open(actor, case, doing="change its tasks")

    field_errors: dict[str, list[str]] = {}
    changes: dict[str, object] = {}
    if not isinstance(subject, _Unset):
        changes["subject"] = _check_subject(subject, field_errors)
    if not isinstance(description, _Unset):
        changes["description"] = (description or "").strip()
    if not isinstance(due_date, _Unset):
        if due_date != task.due_date:
            _check_due_date(due_date, field_errors)
        changes["due_date"] = due_date
    if not (isinstance(assignee, _Unset) and isinstance(assignee_team, _Unset)):
        new_assignee = None if isinstance(assignee, _Unset) else assignee
        new_team = None if isinstance(assignee_team, _Unset) else assignee_team
        _check_assignment(new_assignee, new_team, field_errors)
        changes["assignee"], changes["assignee_team"] = new_assignee, new_team
    raise_if(field_errors)

    changed = [name for name, value in changes.items() if getattr(task, name) != value]
    if not changed:
        return task
    reassigned = "assignee" in changed or "assignee_team" in changed
    for name in changed:
        setattr(task, name, changes[name])
    task.stamp(actor)
    with audited(actor=actor, action="task_update"):
        task.save(update_fields=[*changed, "updated_at", "updated_by"])
        summary = f"Task “{task.subject}” changed ({', '.join(sorted(n.replace('_', ' ') for n in changed))})"
        if reassigned:
            summary = f"Task “{task.subject}” reassigned to {_assigned_to(task.assignee, task.assignee_team)}"
        _record(case, kind=CaseActivity.Kind.TASK_UPDATED, actor=actor, summary=summary, task=task)
        if reassigned:
            _notify_assigned(actor, task, case)
    return task


def _move(
    actor: User | None,
    task: Task,
    *,
    transition: str,
    doing: str,
    past: str,
    closed_doing: str | None,
    outcome: str | None = None,
) -> tuple[Task, Case | None]:
    """Lock the task, check the `transition` may run (and, with `closed_doing`, that the case
    is open), run it, keep `outcome` (finishing transitions), save and put it on the feed."""
    task, case = _lock(task)
    _ensure_can(task, getattr(task, transition), doing)
    if case is not None and closed_doing:
        ensure_case_open(actor, case, doing=closed_doing)
    fields = ["status", "updated_at", "updated_by"]
    if outcome is None:
        getattr(task, transition)()
    else:
        getattr(task, transition)(actor=actor)
        task.outcome = outcome
        fields += ["completed_at", "completed_by", "outcome"]
    task.stamp(actor)
    with audited(actor=actor, action=f"task_{transition}"):
        task.save(update_fields=fields)
        if task.completed_at is not None:
            clocks_on_task_finished(task, now=task.completed_at)
            if transition == "complete":
                paths_on_task_finished(task, now=task.completed_at)
        _record(
            case,
            kind=CaseActivity.Kind.TASK_UPDATED,
            actor=actor,
            summary=f"Task “{task.subject}” {past} by {actor_name(actor)}",
            task=task,
            reason=outcome or "",
        )
    return task, case


@transaction.atomic
def task_start(*, actor: User | None, task: Task) -> Task:
    """Mark an open task as in progress.

    Who: staff (or the system). Raises PermissionDenied; TransitionNotAllowed (409) unless the
    task is open; Conflict when its case is closed (unless the actor is a supervisor)."""
    require(actor, is_staff_member, _STAFF_ONLY)
    task, _ = _move(actor, task, transition="start", doing="start it", past="started", closed_doing="work on its tasks")
    return task


@transaction.atomic
def task_checklist_set(*, actor: User | None, task: Task, done: list[int]) -> Task:
    """Tick the checklist items numbered in `done` (0-based) and untick the rest.

    Who: staff (or the system). Raises PermissionDenied; ValidationError (field "done") for an
    item the checklist does not have; Conflict when the task is finished or its case closed
    (unless the actor is a supervisor)."""
    require(actor, is_staff_member, _STAFF_ONLY)
    task, case = _lock(task)
    if task.is_finished:
        raise errors.Conflict(f"The task “{task.subject}” is {task.get_status_display().lower()}.")
    if case is not None:
        ensure_case_open(actor, case, doing="work on its tasks")
    unknown = sorted(set(done) - set(range(len(task.checklist))))
    if unknown:
        raise errors.ValidationError(fields={"done": ["The checklist has no such item."]})
    task.checklist = [{"text": item["text"], "done": n in done} for n, item in enumerate(task.checklist)]
    task.stamp(actor)
    with audited(actor=actor, action="task_checklist_set"):
        task.save(update_fields=["checklist", "updated_at", "updated_by"])
    return task


@transaction.atomic
def task_complete(*, actor: User | None, task: Task, outcome: str = "") -> Task:
    """Complete an open or in-progress task, recording what was done (`outcome`, optional), and
    notify the task's creator unless they completed it themselves.

    Who: staff (or the system). Raises PermissionDenied; TransitionNotAllowed (409) when the task
    is already completed or cancelled; Conflict when its case is closed (unless the actor is a
    supervisor) or its checklist is not all ticked."""
    require(actor, is_staff_member, _STAFF_ONLY)
    left = sum(not item["done"] for item in Task.objects.get(pk=task.pk).checklist)
    if left:
        raise errors.Conflict(f"Tick every item of the task's checklist before completing it ({left} left).")
    task, case = _move(
        actor,
        task,
        transition="complete",
        doing="complete it",
        past="completed",
        closed_doing="complete its tasks",
        outcome=(outcome or "").strip(),
    )
    creator = task.created_by
    if creator is not None and (actor is None or creator.pk != actor.pk):
        notify(
            recipients=[creator],
            kind=Notification.Kind.TASK_COMPLETED,
            message=f"{actor_name(actor)} completed the task you set{_where(case)}: “{task.subject}”.",
            case=case,
            task=task,
        )
    return task


@transaction.atomic
def task_cancel(*, actor: User | None, task: Task, reason: str) -> Task:
    """Cancel an open or in-progress task, saying why (kept as its outcome). Allowed on a closed
    case too, so that work left open when a case closed can be cleared from worktrays.

    Who: staff (or the system). Raises PermissionDenied; ValidationError (field "reason") when no
    reason is given; TransitionNotAllowed (409) when the task is already completed or cancelled."""
    require(actor, is_staff_member, _STAFF_ONLY)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationError(fields={"reason": ["Give a reason for cancelling the task."]})
    task, _ = _move(
        actor, task, transition="cancel", doing="cancel it", past="cancelled", closed_doing=None, outcome=reason
    )
    return task
