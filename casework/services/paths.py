"""Workflow paths: checking a path's steps, publishing them as a version, and taking a case along
a version: tasks set (the run waits for each to be done), decisions over the case's fields,
delays (a fixed time on the case's calendar, or until a date with a maximum), communications
(sent, or set as a task to send) and completion (the case closes). Runs start when a case opens
(auto-start paths) or by hand; the delay sweep wakes the runs whose delay is over.
"""

from __future__ import annotations

import datetime
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from casework.models import (
    Case,
    CaseActivity,
    PathRun,
    PathStep,
    PathVersion,
    SweepRun,
    Task,
    Team,
    Workflow,
    WorkflowPath,
)
from casework.models.cases import OTHER_OPEN
from casework.selectors.calendars import calendar_for_case
from casework.services.feed import feed_record
from casework.working_time import Duration
from core import errors
from core.audit import audited

K = PathStep.Kind
LIVE = (PathRun.State.RUNNING, PathRun.State.WAITING_TASK, PathRun.State.WAITING_DELAY)
MAX_STEPS_AT_ONCE = 100  # a run that decides in a circle without waiting anywhere is stopped

# --- decisions ------------------------------------------------------------------------------------


def _date_of(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


# What a decision may test, each read from the case (None when the case has no such detail).
FIELDS: dict[str, Callable[[Case], object]] = {
    "priority": lambda case: case.priority,
    "source": lambda case: case.source,
    "status": lambda case: case.status,
    "request_type": lambda case: case.request_type.name if case.request_type else None,
    "request_subtype": lambda case: case.request_subtype.name if case.request_subtype else None,
    "contact.preferred_language": lambda case: case.contact.preferred_language if case.contact else None,
    "tenancy.start_date": lambda case: case.tenancy.start_date if case.tenancy else None,
    "tenancy.end_date": lambda case: case.tenancy.end_date if case.tenancy else None,
    "tenancy.status": lambda case: case.tenancy.status if case.tenancy else None,
    "case.is_escalated": lambda case: "yes" if case.is_escalated else "no",
}
DATE_FIELDS = {"tenancy.start_date", "tenancy.end_date"}
# The comparisons decisions (and advice conditions) may make, by the operator written.
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
_BRANCH = re.compile(
    r"^\s*(?:(?P<else>else)|(?P<field>[a-z_.]+)\s*(?P<op>is set|is empty|!=|<=|>=|=|<|>)\s*(?P<value>.*?))"
    r"\s*->\s*(?P<target>\S.*?)\s*$"
)


@dataclass(frozen=True)
class Branch:
    field: str  # empty for else
    op: str
    value: str
    target: str

    def matches(self, case: Case) -> bool:
        if not self.field:
            return True
        found = FIELDS[self.field](case)
        if self.op == "is set":
            return found not in (None, "")
        if self.op == "is empty":
            return found in (None, "")
        if found in (None, ""):
            return False
        left: object = found
        right: object = self.value
        if self.field in DATE_FIELDS:
            left = _date_of(found)
            right = timezone.localdate() if self.value == "today" else datetime.date.fromisoformat(self.value)
        else:
            left = str(found)
        return bool(COMPARISONS[self.op](left, right))


def parse_branches(text: str) -> tuple[list[Branch], list[str]]:
    """The branches of a decision, and what is wrong with them (each sentence names its line)."""
    branches, problems = [], []
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    for n, line in lines:
        match = _BRANCH.match(line)
        if match is None:
            problems.append(f"Line {n}: write “field = value -> step name” or “else -> step name”.")
            continue
        field, value = match["field"] or "", (match["value"] or "").strip()
        if field and field not in FIELDS:
            problems.append(f"Line {n}: a decision cannot test “{field}”; it can test {', '.join(FIELDS)}.")
            continue
        if field in DATE_FIELDS and match["op"] not in ("is set", "is empty") and value != "today":
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                problems.append(f"Line {n}: compare {field} with “today” or a date such as 2027-01-31.")
        branches.append(Branch(field, match["op"] or "", value, match["target"]))
    if not problems and (not branches or branches[-1].field):
        problems.append("End the decision with “else -> step name”, so that every case has a way on.")
    return branches, problems


# --- checking and publishing ------------------------------------------------------------------------


def _step_problems(step: PathStep, names: set[str], workflow: str) -> list[str]:
    problems = []
    if step.kind == K.TASK:
        if not step.task_subject.strip():
            problems.append("Say what the task is (its subject).")
        if step.assign_to == PathStep.Assign.TEAM and not step.team_id:
            problems.append("Choose the team the task is for.")
    elif step.kind == K.DECISION:
        branches, branch_problems = parse_branches(step.branches)
        problems += branch_problems
        for branch in branches:
            if branch.target not in names:
                problems.append(f"“{branch.target}” is not a step of this path.")
            elif branch.target == step.name:
                problems.append("A decision cannot go to itself.")
    elif step.kind == K.DELAY:
        fixed = bool(step.delay_amount and step.delay_unit)
        if step.until_date:
            if fixed:
                problems.append("Wait either a fixed time or until a date, not both.")
            if not (step.max_amount and step.max_unit):
                problems.append("A wait until a date needs a maximum: the date may never be set.")
        elif not fixed:
            problems.append("Say how long to wait, or the date to wait for.")
    elif step.kind == K.COMMUNICATION:
        if not step.template_id:
            problems.append("Choose the template to send.")
    elif step.kind == K.COMPLETE and workflow in (Workflow.RENTAL_TENANT, Workflow.RENTAL_LANDLORD, Workflow.APPEAL):
        problems.append("Rental applications and appeals close by their own decisions, not by a path.")
    return problems


def path_problems(path: WorkflowPath, steps: list[PathStep]) -> list[str]:
    """What is wrong with a path's steps (unsaved ones included), each sentence naming its step:
    steps missing what they need, decisions that cannot match or go nowhere, waits that may
    never end, steps nothing can reach."""
    if not steps:
        return ["Add at least one step."]
    steps = sorted(steps, key=lambda s: s.position)
    names = {step.name for step in steps}
    workflow = path.case_type.workflow if path.case_type_id else ""
    problems = [f"{step.name}: {sentence}" for step in steps for sentence in _step_problems(step, names, workflow)]
    if problems:
        return problems
    # Reachability: on from the first step, each step leads to the next unless it completes the
    # case; a decision leads to its branches.
    index = {step.name: n for n, step in enumerate(steps)}
    reached, todo = set(), [0]
    while todo:
        n = todo.pop()
        if n in reached or n >= len(steps):
            continue
        reached.add(n)
        step = steps[n]
        if step.kind == K.DECISION:
            todo += [index[branch.target] for branch in parse_branches(step.branches)[0]]
        elif step.kind != K.COMPLETE:
            todo.append(n + 1)
    return [f"{steps[n].name}: no way leads to this step." for n in range(len(steps)) if n not in reached]


_SNAPSHOT_EXCLUDE = ("id", "path")


def _snapshot(steps: list[PathStep]) -> list[dict]:
    return [
        {key: value for key, value in model_to_dict(step).items() if key not in _SNAPSHOT_EXCLUDE}
        for step in sorted(steps, key=lambda s: s.position)
    ]


@transaction.atomic
def path_publish(*, path: WorkflowPath) -> PathVersion:
    """Publish the path's steps as a new version when they differ from the latest (runs already
    going keep theirs). Raises ValidationError when the steps have problems."""
    steps = list(path.steps.all())
    problems = path_problems(path, steps)
    if problems:
        raise errors.ValidationError(fields={"steps": problems})
    latest = path.versions.order_by("-number").first()
    snapshot = _snapshot(steps)
    if latest is not None and latest.steps == snapshot:
        return latest
    return PathVersion.objects.create(path=path, number=(latest.number + 1) if latest else 1, steps=snapshot)


# --- runs -----------------------------------------------------------------------------------------


def path_start(*, actor, case: Case, path: WorkflowPath, now: datetime.datetime | None = None) -> PathRun:
    """Start `path` (its latest version) on `case` and take it as far as it goes now. Who: staff
    (or the system). Raises Conflict when the case is closed, the path is off or has no
    published version, or the case is already on this version."""
    if case.is_closed:
        raise errors.Conflict(f"{case.number} is closed.")
    version = path.versions.order_by("-number").first()
    if not path.is_active or version is None:
        raise errors.Conflict(f"The path “{path}” is switched off or has no published steps.")
    now = now or timezone.now()
    with transaction.atomic(), audited(actor=actor, action="path_start"):
        if PathRun.objects.filter(case=case, version=version, state__in=LIVE).exists():
            raise errors.Conflict(f"{case.number} is already on the path “{path}”.")
        run = PathRun.objects.create(case=case, version=version, started_at=now)
        feed_record(case=case, kind=CaseActivity.Kind.PATH, actor=actor, summary=f"Path “{path}” started")
        return _advance(run, now=now)


def _step(run: PathRun) -> dict | None:
    steps = run.version.steps
    return steps[run.step] if run.step < len(steps) else None


def _record(run: PathRun, summary: str) -> None:
    feed_record(case=run.case, kind=CaseActivity.Kind.PATH, actor=None, summary=summary[:500])


def _finish(run: PathRun, state: str, now: datetime.datetime, summary: str) -> PathRun:
    run.state, run.finished_at, run.task, run.wake_at = state, now, None, None
    run.save()
    _record(run, summary)
    return run


def _set_task(run: PathRun, step: dict, *, subject: str, checklist: list[str]) -> Task | None:
    from casework.services.tasks import task_create

    case = run.case
    assignee, team = None, None
    if step["assign_to"] == PathStep.Assign.TEAM:
        team = Team.objects.filter(pk=step["team"]).first()
    elif case.owner is not None:
        assignee = case.owner
    elif case.owner_queue is not None:
        team = case.owner_queue.team
    if assignee is None and team is None:
        return None
    due = None
    if step.get("due_in_days"):
        calendar = calendar_for_case(case).working_calendar()
        moment = calendar.add(timezone.now(), Duration(step["due_in_days"], "working_days"))
        due = timezone.localdate(moment)
    return task_create(
        actor=None,
        case=case,
        subject=subject,
        kind=step.get("task_kind") or Task.Kind.TODO,
        assignee=assignee,
        assignee_team=team,
        due_date=due,
        checklist=checklist,
    )


def _wake_at(run: PathRun, step: dict) -> datetime.datetime:
    """When a delay that began at the run's step_started_at is over: its fixed time on the
    case's calendar, or the start of the awaited date (as it is now), at the latest its maximum."""
    calendar = calendar_for_case(run.case).working_calendar()
    began = run.step_started_at or run.started_at
    if not step["until_date"]:
        return calendar.add(began, Duration(step["delay_amount"], step["delay_unit"]))
    latest = calendar.add(began, Duration(step["max_amount"], step["max_unit"]))
    value = _until_value(run, step["until_date"])
    if value is None:
        return latest
    return min(datetime.datetime.combine(value, datetime.time(0), tzinfo=calendar.zone), latest)


def _until_value(run: PathRun, field: str) -> datetime.date | None:
    if field == PathStep.DateField.TASK_DUE:
        task = run.case.tasks.exclude(due_date=None).order_by("-created_at").first()
        return task.due_date if task else None
    return _date_of(FIELDS[field](run.case))


def _advance(run: PathRun, *, now: datetime.datetime) -> PathRun:
    """Take the run on from its current step until it waits or ends."""
    from casework.services import cases as case_services
    from casework.services.messages import case_message_send

    for _ in range(MAX_STEPS_AT_ONCE):
        case = Case.objects.select_related("owner", "owner_queue__team", "contact", "tenancy").get(pk=run.case_id)
        run.case = case
        if case.is_closed:
            return _finish(run, PathRun.State.STOPPED, now, f"Path “{run.version.path}” stopped: the case closed")
        step = _step(run)
        if step is None:
            return _finish(run, PathRun.State.COMPLETED, now, f"Path “{run.version.path}” completed")
        kind = step["kind"]
        if kind == K.TASK:
            checklist = [line.strip() for line in step["checklist"].splitlines() if line.strip()]
            task = _set_task(run, step, subject=step["task_subject"], checklist=checklist)
            if task is None:
                return _finish(run, PathRun.State.FAILED, now, f"{step['name']}: nobody to give the task to")
            run.state, run.task = PathRun.State.WAITING_TASK, task
            run.save()
            return run
        if kind == K.DECISION:
            branches, _ = parse_branches(step["branches"])
            chosen = next(branch for branch in branches if branch.matches(case))
            names = [s["name"] for s in run.version.steps]
            _record(run, f"{step['name']}: → {chosen.target}")
            run.step = names.index(chosen.target)
            continue
        if kind == K.DELAY:
            if run.state != PathRun.State.WAITING_DELAY:
                run.step_started_at = now
            # Worked out again on waking: the awaited date may have moved meanwhile.
            wake = _wake_at(run, step)
            if wake > now:
                run.state, run.wake_at = PathRun.State.WAITING_DELAY, wake
                run.save()
                return run
            run.wake_at = None
        elif kind == K.COMMUNICATION:
            from communications.models import Template

            template = Template.objects.get(pk=step["template"])
            if step["mode"] == PathStep.Mode.MANUAL:
                task = _set_task(run, step, subject=f"Send “{template.name}”", checklist=[])
                if task is None:
                    return _finish(run, PathRun.State.FAILED, now, f"{step['name']}: nobody to send it")
                run.state, run.task = PathRun.State.WAITING_TASK, task
                run.save()
                return run
            try:
                case_message_send(actor=None, case=case, template=template, key=f"path-{run.pk}-{run.step}")
            except (errors.ValidationError, errors.Conflict) as exc:
                return _finish(run, PathRun.State.FAILED, now, f"{step['name']}: could not send: {exc}")
        elif kind == K.COMPLETE:
            run.step += 1
            run = _finish(run, PathRun.State.COMPLETED, now, f"Path “{run.version.path}” completed")
            if case.status in OTHER_OPEN:
                case_services.case_transition(
                    actor=None, case=case, transition="resolve", reason=step["outcome"] or str(run.version.path)
                )
            return run
        run.step += 1
        run.state, run.step_started_at = PathRun.State.RUNNING, now
        run.save()
    return _finish(run, PathRun.State.FAILED, now, "The path went round without waiting anywhere; stopped")


def paths_on_case_created(case: Case) -> None:
    for path in WorkflowPath.objects.filter(case_type_id=case.case_type_id, is_active=True, starts_automatically=True):
        if path.versions.exists():
            path_start(actor=None, case=case, path=path, now=case.created_at)


def paths_on_task_finished(task: Task, *, now: datetime.datetime) -> None:
    for run in PathRun.objects.select_for_update().filter(task=task, state=PathRun.State.WAITING_TASK):
        run.state, run.task = PathRun.State.RUNNING, None
        run.step += 1
        run.save()
        _advance(run, now=now)


def on_case_created(sender, case: Case, actor, **kwargs) -> None:
    paths_on_case_created(case)


def on_case_status_changed(sender, case: Case, actor, **kwargs) -> None:
    if case.is_closed:
        paths_on_case_closed(case, now=case.status_changed_at)


def paths_on_case_closed(case: Case, *, now: datetime.datetime) -> None:
    for run in PathRun.objects.select_for_update().filter(case=case, state__in=LIVE):
        run.case = case
        _finish(run, PathRun.State.STOPPED, now, f"Path “{run.version.path}” stopped: the case closed")


def delays_sweep(*, now: datetime.datetime | None = None, chunk: int = 500) -> SweepRun:
    """Wake every run whose delay is over and take it on (claimed with SKIP LOCKED, a chunk a
    transaction, so two workers never take the same run); record the sweep."""
    from casework.services.sweeps import sweep_recorded

    with sweep_recorded("delay") as sweep:
        now = now or sweep.started_at
        while True:
            with transaction.atomic(), audited(actor=None, action="delay_sweep"):
                due = list(
                    PathRun.objects.select_for_update(skip_locked=True)
                    .select_related("version__path")
                    .filter(state=PathRun.State.WAITING_DELAY, wake_at__lte=now)
                    .order_by("wake_at")[:chunk]
                )
                for run in due:
                    before = run.state, run.step
                    _advance(run, now=now)
                    sweep.fired += 1
                    sweep.cases_changed += (run.state, run.step) != before
            if len(due) < chunk:
                break
    return sweep
