"""SLA and timeout clocks: which rules time a case, starting, pausing, resuming and stopping
their clocks as the case moves, re-projecting them when a rule or calendar changes.

Called by the case and task services inside their transactions (so a clock's changes commit or
roll back with the move that caused them). The sweeps that fire the rungs are in
casework.services.sweeps. Arithmetic is in casework.clocks.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Prefetch

from casework import clocks as arithmetic
from casework.models import (
    WORKFLOWS,
    Case,
    Clock,
    ClockMilestone,
    ClockPause,
    SlaRule,
    SlaRung,
    Status,
    Task,
)
from casework.models.cases import transition_sources
from casework.selectors.calendars import CalendarCache, calendar_for_case, default_calendar
from casework.working_time import Duration, NoWorkingTime, WorkingCalendar

State = Clock.State
OPEN_STATES = (State.RUNNING, State.PAUSED)


# --- rules: what may be saved ---------------------------------------------------------------------


def _family(unit: str) -> str:
    return "working" if unit.startswith("working_") else "calendar"


def _rung_problems(rule: SlaRule, rung: SlaRung, calendar: WorkingCalendar, now: datetime.datetime) -> list[str]:
    problems = []
    kinds = SlaRung.Kind
    if rung.kind == kinds.EXCEEDED:
        if rung.offset_amount:
            problems.append("The target-exceeded step happens at the target: leave its period empty.")
    elif not rung.offset_amount or not rung.offset_unit:
        when = "before the target" if rung.kind == kinds.AMBER else "after the target"
        problems.append(f"Say how long {when} the {rung.get_kind_display().lower()} comes.")
    elif _family(rung.offset_unit) != _family(rule.target_unit):
        problems.append(
            f"Count this step in {'working' if _family(rule.target_unit) == 'working' else 'calendar'} time, "
            f"like the target ({rule.target_label})."
        )
    elif rung.kind == kinds.AMBER:
        target = Duration(rule.target_amount, rule.target_unit)
        offset = Duration(rung.offset_amount, rung.offset_unit)
        counting = arithmetic.counting_calendar(calendar, rule.target_unit)
        if arithmetic.span(counting, now, offset) >= arithmetic.span(counting, now, target):
            problems.append(
                f"An amber warning {rung.offset_amount} {rung.get_offset_unit_display()} before a target of "
                f"{rule.target_label} would come at once: make it shorter than the target."
            )
    does_something = (
        rung.notify_owner
        or rung.notify_team_leads
        or rung.notify_group_id
        or rung.notify_applicant
        or rung.raise_priority
        or rung.add_escalation_skill
        or rung.move_to_queue_id
        or rung.close_case
    )
    if not does_something:
        problems.append("This step does nothing: choose who is told or what changes.")
    if rung.notify_applicant and not rung.template_id:
        problems.append("Choose the template the applicant is sent.")
    if rung.template_id and not rung.notify_applicant:
        problems.append("A template is only sent to the applicant: tick “tell the applicant” or remove it.")
    if rung.close_case:
        if rule.kind != SlaRule.Kind.TIMEOUT:
            problems.append("Only a timeout closes cases; make the rule a timeout or untick “close the case”.")
        elif rung.kind != kinds.EXCEEDED:
            problems.append("A timeout closes the case when its target is reached: tick “close” on that step.")
    if rung.notify_applicant and rule.applies_to == SlaRule.AppliesTo.TASK:
        problems.append("Task clocks tell staff, not the applicant.")
    return problems


def sla_rule_problems(rule: SlaRule, rungs: Iterable[SlaRung]) -> dict[str, list[str]]:
    """What is wrong with `rule` and its ladder `rungs` (unsaved ones included): rules that could
    never fire or contradict themselves. {"field": [sentences]}, "__all__" for the whole rule,
    "rungs" for its steps (each sentence names the step)."""
    problems: dict[str, list[str]] = defaultdict(list)
    rungs = list(rungs)
    chevrons = WORKFLOWS.get(rule.case_type.workflow, ()) if rule.case_type_id else ()
    open_chevrons = [status for status in chevrons if status != Status.CLOSED]
    label = {value: str(name) for value, name in Status.choices}
    if rule.applies_to == SlaRule.AppliesTo.TASK:
        if not rule.task_kind:
            problems["task_kind"].append("Choose the kind of task this rule times.")
        if rule.status:
            problems["status"].append(
                "A task rule times the task from creation to completion: leave the chevron empty."
            )
    elif rule.task_kind:
        problems["task_kind"].append("Only task rules name a kind of task.")
    if rule.status and rule.status not in open_chevrons:
        problems["status"].append(f"{label.get(rule.status, rule.status)} is not an open chevron of this case type.")
    unknown = [s for s in rule.pause_statuses if s not in open_chevrons]
    if unknown:
        problems["pause_statuses"].append(
            f"Not open chevrons of this case type: {', '.join(label.get(s, s) for s in unknown)}."
        )
    if rule.status and rule.status in rule.pause_statuses:
        problems["pause_statuses"].append(
            f"The clock starts at {label[rule.status]}: pausing there too means it would never count."
        )
    if open_chevrons and set(open_chevrons) <= set(rule.pause_statuses):
        problems["pause_statuses"].append("Pausing at every chevron means the clock would never count.")
    if rule.kind == SlaRule.Kind.TIMEOUT:
        if rule.applies_to != SlaRule.AppliesTo.CASE or not rule.status:
            problems["status"].append("A timeout times a case at one chevron: choose it.")
        elif rule.status not in transition_sources("time_out"):
            allowed = ", ".join(label[s] for s in sorted(transition_sources("time_out")))
            problems["status"].append(f"Cases can only time out from {allowed}.")
        if not any(r.close_case for r in rungs):
            problems["rungs"].append("A timeout needs a target-exceeded step that closes the case.")
    if not rungs:
        problems["rungs"].append("Add at least one step (an amber warning, target exceeded, a follow-on).")
    calendar = (rule.case_type.calendar if rule.case_type_id else None) or default_calendar()
    try:
        working = calendar.working_calendar()
        now = datetime.datetime.now(datetime.UTC)
        for rung in rungs:
            for sentence in _rung_problems(rule, rung, working, now):
                problems["rungs"].append(f"{rung.get_kind_display()}: {sentence}")
    except NoWorkingTime:
        problems["__all__"].append(f"The calendar “{calendar}” has no working time to count on.")
    return dict(problems)


# --- clocks: projection ---------------------------------------------------------------------------


def _rules_for(case_type_id: int) -> list[SlaRule]:
    return list(
        SlaRule.objects.filter(case_type_id=case_type_id, is_active=True).prefetch_related(
            Prefetch("rungs", queryset=SlaRung.objects.all())
        )
    )


def _rungs_of(rule: SlaRule) -> list[arithmetic.Rung]:
    return [
        arithmetic.Rung(
            key=rung.pk,
            kind=rung.kind,
            offset=Duration(rung.offset_amount, rung.offset_unit) if rung.kind != SlaRung.Kind.EXCEEDED else None,
        )
        for rung in rule.rungs.all()
    ]


def clock_project(
    clock: Clock,
    *,
    now: datetime.datetime,
    pauses: list[ClockPause] | None = None,
    calendars: CalendarCache | None = None,
) -> Clock:
    """Recompute and save what `clock` has used and when it reaches each rung (from its start
    and pauses, on its rule and calendar as they are now); rungs already fired keep their
    history, the others get their new due moment (none while paused or once stopped)."""
    rule = clock.rule
    if pauses is None:
        pauses = list(clock.pauses.order_by("started_at"))
    counting = arithmetic.counting_calendar((calendars or CalendarCache())(clock.calendar_id), rule.target_unit)
    budget, thresholds = arithmetic.thresholds(
        counting, clock.started_at, Duration(rule.target_amount, rule.target_unit), _rungs_of(rule)
    )
    ledger = arithmetic.Ledger.of(clock, pauses)
    measured = min(now, clock.stopped_at) if clock.stopped_at else now
    clock.budget = budget
    clock.elapsed = arithmetic.consumed(counting, ledger, measured)
    clock.remaining = budget - clock.elapsed
    clock.measured_at = now
    clock.target_at = arithmetic.reached_at(counting, ledger, budget)
    amber = next((r for r in rule.rungs.all() if r.kind == SlaRung.Kind.AMBER), None)
    clock.warn_at = arithmetic.reached_at(counting, ledger, thresholds[amber.pk]) if amber else None
    if clock.target_at is not None and clock.target_at <= measured and clock.elapsed >= budget:
        clock.breached_at = clock.breached_at or clock.target_at
    clock.save()

    existing = {m.rung_id: m for m in clock.milestones.all()}
    to_create, to_update = [], []
    for rung in rule.rungs.all():
        due = arithmetic.reached_at(counting, ledger, thresholds[rung.pk]) if ledger.is_running else None
        milestone = existing.pop(rung.pk, None)
        if milestone is None:
            to_create.append(ClockMilestone(clock=clock, rung=rung, kind=rule.kind, label=str(rung), due_at=due))
        elif milestone.fired_at is None and (milestone.due_at != due or milestone.label != str(rung)):
            milestone.due_at, milestone.label = due, str(rung)
            to_update.append(milestone)
    if clock.state == State.STOPPED:
        # A stopped clock's history is the rungs it fired; the rest never will.
        ClockMilestone.objects.filter(clock=clock, fired_at__isnull=True).delete()
        return clock
    ClockMilestone.objects.bulk_create(to_create)
    ClockMilestone.objects.bulk_update(to_update, ["due_at", "label"])
    # Steps since removed from the rule: forget the ones that never fired.
    ClockMilestone.objects.filter(pk__in=[m.pk for m in existing.values() if m.fired_at is None]).delete()
    return clock


def _start(rule: SlaRule, case: Case, *, now: datetime.datetime, task: Task | None = None) -> Clock | None:
    if Clock.objects.filter(rule=rule, case=case, task=task).exclude(state=State.STOPPED).exists():
        return None
    paused = case.status in rule.pause_statuses
    clock = Clock(
        rule=rule,
        case=case,
        task=task,
        calendar=calendar_for_case(case),
        state=State.PAUSED if paused else State.RUNNING,
        started_at=now,
        paused_at=now if paused else None,
        budget=datetime.timedelta(0),
        remaining=datetime.timedelta(0),
        measured_at=now,
    )
    clock.save()
    pauses = [ClockPause.objects.create(clock=clock, started_at=now, status=case.status)] if paused else []
    return clock_project(clock, now=now, pauses=pauses)


def _open_clocks(case: Case) -> list[Clock]:
    return list(
        Clock.objects.filter(case=case, state__in=OPEN_STATES)
        .select_related("rule", "calendar")
        .prefetch_related("rule__rungs", "milestones")
        .select_for_update(of=("self",))
    )


def _stop(clock: Clock, *, now: datetime.datetime, calendars: CalendarCache | None = None) -> None:
    ClockPause.objects.filter(clock=clock, ended_at__isnull=True).update(ended_at=now)
    clock.state, clock.stopped_at, clock.paused_at = State.STOPPED, now, None
    clock_project(clock, now=now, calendars=calendars)


def _follow_status(clock: Clock, status: str, *, now: datetime.datetime) -> None:
    """Pause a running clock at one of its pause chevrons; resume a paused one elsewhere."""
    waiting = status in clock.rule.pause_statuses
    if waiting and clock.state == State.RUNNING:
        ClockPause.objects.create(clock=clock, started_at=now, status=status)
        clock.state, clock.paused_at = State.PAUSED, now
        clock_project(clock, now=now)
    elif not waiting and clock.state == State.PAUSED:
        ClockPause.objects.filter(clock=clock, ended_at__isnull=True).update(ended_at=now)
        clock.state, clock.paused_at = State.RUNNING, None
        clock_project(clock, now=now)


def clocks_on_case_created(case: Case, *, now: datetime.datetime) -> None:
    """Start the case's whole-case clocks, and the clocks of the chevron it starts at where the
    rule says so."""
    for rule in _rules_for(case.case_type_id):
        if rule.applies_to != SlaRule.AppliesTo.CASE:
            continue
        if not rule.status or (rule.status == case.status and rule.start_on_creation):
            _start(rule, case, now=now)


def clocks_on_status_changed(case: Case, *, from_status: str, now: datetime.datetime) -> None:
    """The case moved chevron: stop the clocks of the chevron it left (every clock, if it
    closed), pause or resume the rest, and start the clocks of the chevron it entered."""
    for clock in _open_clocks(case):
        rule = clock.rule
        if case.is_closed or (rule.status and rule.status != case.status) or not rule.is_active:
            _stop(clock, now=now)
        else:
            _follow_status(clock, case.status, now=now)
    if case.is_closed:
        return
    for rule in _rules_for(case.case_type_id):
        if rule.applies_to == SlaRule.AppliesTo.CASE and rule.status == case.status:
            _start(rule, case, now=now)


def clocks_on_task_created(task: Task, *, now: datetime.datetime) -> None:
    case = task.case
    if case is None or case.is_closed:
        return
    for rule in _rules_for(case.case_type_id):
        if rule.applies_to == SlaRule.AppliesTo.TASK and rule.task_kind == task.kind:
            _start(rule, case, now=now, task=task)


def clocks_on_task_finished(task: Task, *, now: datetime.datetime) -> None:
    for clock in Clock.objects.filter(task=task, state__in=OPEN_STATES).select_related("rule", "calendar"):
        _stop(clock, now=now)


def clocks_recalculate(*, rule_id: int | None = None, calendar_id: int | None = None, chunk: int = 500) -> int:
    """Re-project every open clock of a rule (after it was edited or switched off) or counting on
    a calendar (after its hours or closures changed). A rule switched off stops its clocks; a
    rule newly switched on starts none for cases already past their start. Returns how many
    clocks were touched. Runs in chunks, each its own transaction."""
    query = Clock.objects.filter(state__in=OPEN_STATES)
    if rule_id is not None:
        query = query.filter(rule_id=rule_id)
    if calendar_id is not None:
        query = query.filter(calendar_id=calendar_id)
    touched, last = 0, 0
    calendars = CalendarCache()
    while True:
        with transaction.atomic():
            now = datetime.datetime.now(datetime.UTC)
            batch = _locked_for_projection(query.filter(pk__gt=last).order_by("pk")[:chunk])
            if not batch:
                return touched
            for clock in batch:
                _reproject(clock, now=now, calendars=calendars)
            touched += len(batch)
            last = batch[-1].pk


def clocks_reproject(*, clock_ids: list[int]) -> int:
    """Re-project the given clocks (stopped ones too: the sweep stops a timed-out case's clocks
    in bulk and leaves what they used to be worked out here). Returns how many."""
    with transaction.atomic():
        now = datetime.datetime.now(datetime.UTC)
        clocks = _locked_for_projection(Clock.objects.filter(pk__in=clock_ids))
        calendars = CalendarCache()
        for clock in clocks:
            _reproject(clock, now=now, calendars=calendars)
    return len(clocks)


def _locked_for_projection(query) -> list[Clock]:
    """The clocks locked, with what projecting them reads (rule, rungs, milestones, pauses)."""
    return list(
        query.select_related("rule", "calendar")
        .prefetch_related("rule__rungs", "milestones", "pauses")
        .select_for_update(of=("self",))
    )


def _reproject(clock: Clock, *, now: datetime.datetime, calendars: CalendarCache) -> None:
    """Project a clock afresh; an open clock whose rule was switched off stops."""
    if clock.state != State.STOPPED and not clock.rule.is_active:
        _stop(clock, now=now, calendars=calendars)
        return
    pauses = sorted(clock.pauses.all(), key=lambda p: p.started_at)
    clock_project(clock, now=now, pauses=pauses, calendars=calendars)


def on_case_created(sender, case: Case, actor, **kwargs) -> None:
    clocks_on_case_created(case, now=case.created_at)


def on_case_status_changed(sender, case: Case, actor, from_status: str, **kwargs) -> None:
    clocks_on_status_changed(case, from_status=from_status, now=case.status_changed_at)


# --- the rental-assistance timeouts every programme starts with -------------------------------------

_REMINDERS = {
    "timeout-draft-reminder": (
        "Reminder: your application needs you",
        "Application {{ case.number }}: we need more from you",
        "Dear {{ recipient.name }},\n\nWe sent your application {{ case.number }} back to you because we need "
        "more information. If you do not send it back to us within 3 days, it will be closed.\n\n"
        "You can update it in the applicant portal.",
    ),
    "timeout-match-reminder": (
        "Reminder: your landlord has not applied",
        "Application {{ case.number }}: waiting for your landlord",
        "Dear {{ recipient.name }},\n\nYour application {{ case.number }} is waiting for your landlord's "
        "application. Please remind them to apply using your application code. If they have not applied "
        "within 3 days, your application will be closed.",
    ),
}

# name, chevron, days, start on creation, reminder template key
_TIMEOUTS = (
    ("Sent back to draft: 14 days to resubmit", Status.DRAFT, 14, False, "timeout-draft-reminder"),
    ("Waiting for the landlord: 21 days", Status.APPLICATION_MATCH, 21, True, "timeout-match-reminder"),
)


def timeout_rules_install(case_type) -> list[SlaRule]:
    """Give a tenant-application case type its two timeouts (each with a reminder to the
    applicant 3 days before), unless it has them: an application sent back to draft closes after
    14 days without resubmission; one waiting in Application match for its landlord, after 21.
    Supervisors can switch either off or change it per programme. Returns the rules added."""
    from communications.models import Template
    from communications.services import template_save

    if case_type.workflow != "rental_tenant":
        return []
    added = []
    for name, status, days, on_creation, template_key in _TIMEOUTS:
        if SlaRule.objects.filter(case_type=case_type, kind=SlaRule.Kind.TIMEOUT, status=status).exists():
            continue
        template = Template.objects.filter(key=template_key).first()
        if template is None:
            title, subject, body = _REMINDERS[template_key]
            template = template_save(
                actor=None, key=template_key, channel="email", name=title, subject=subject, body=body
            )
        rule = SlaRule.objects.create(
            name=name,
            kind=SlaRule.Kind.TIMEOUT,
            case_type=case_type,
            status=status,
            start_on_creation=on_creation,
            target_amount=days,
            target_unit="days",
        )
        SlaRung.objects.create(
            rule=rule,
            kind=SlaRung.Kind.AMBER,
            offset_amount=3,
            offset_unit="days",
            notify_applicant=True,
            template=template,
        )
        SlaRung.objects.create(rule=rule, kind=SlaRung.Kind.EXCEEDED, close_case=True)
        added.append(rule)
    return added
