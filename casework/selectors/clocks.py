"""Reads of SLA and timeout clocks for the staff pages: the badge a case shows (on track, amber,
exceeded, paused, with the time to or since its target), a case's clocks with their pauses and
escalation history, the supervisors' list of amber and exceeded cases; and a case's workflow
paths (its runs, and the paths it can be started on)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil

from casework import clocks as arithmetic
from casework.models import Case, Clock, ClockMilestone, PathRun, SlaRule, WorkflowPath
from casework.selectors.calendars import CalendarCache
from casework.selectors.cases import case_list_for
from core import errors
from core.permissions import is_staff_member, is_supervisor


@dataclass(frozen=True)
class SlaBadge:
    state: str  # on_track, amber, exceeded, paused
    target_at: datetime.datetime | None
    now: datetime.datetime

    LABELS = {"on_track": "On track", "amber": "Amber", "exceeded": "Exceeded", "paused": "Paused"}
    CLASSES = {
        "on_track": "govuk-tag--green",
        "amber": "govuk-tag--yellow",
        "exceeded": "govuk-tag--red",
        "paused": "govuk-tag--grey",
    }

    @property
    def label(self) -> str:
        return self.LABELS[self.state]

    @property
    def tag_class(self) -> str:
        return self.CLASSES[self.state]

    @property
    def when(self) -> str:
        """The time to the target, or since it passed ("due in 3 hours", "2 days over")."""
        if self.target_at is None:
            return "waiting on the applicant"
        if self.state == "exceeded":
            return f"{timesince(self.target_at, self.now, depth=1)} over"
        return f"due in {timeuntil(self.target_at, self.now, depth=1)}"


def sla_badge(
    *, warn_at: datetime.datetime | None, target_at: datetime.datetime | None, paused: bool, now=None
) -> SlaBadge | None:
    """The badge for a case's most pressing SLA clock (None when it has no open one)."""
    now = now or timezone.now()
    if target_at is None:
        return SlaBadge("paused", None, now) if paused else None
    if target_at <= now:
        return SlaBadge("exceeded", target_at, now)
    if warn_at is not None and warn_at <= now:
        return SlaBadge("amber", target_at, now)
    return SlaBadge("on_track", target_at, now)


def _open_sla_clocks():
    return Clock.objects.filter(rule__kind=SlaRule.Kind.SLA).exclude(state=Clock.State.STOPPED)


def sla_annotations() -> dict:
    """Annotations that give a case query its most pressing open SLA clock (the running one
    with the nearest target) and whether one is paused: three small subqueries on the clocks'
    case index, so lists stay one query."""
    pressing = _open_sla_clocks().filter(case=OuterRef("pk"), state=Clock.State.RUNNING).order_by("target_at")
    return {
        "sla_warn_at": Subquery(pressing.values("warn_at")[:1]),
        "sla_target_at": Subquery(pressing.values("target_at")[:1]),
        "sla_paused": Exists(_open_sla_clocks().filter(case=OuterRef("pk"), state=Clock.State.PAUSED)),
    }


def badge_of(case) -> SlaBadge | None:
    """The badge of a case read with sla_annotations()."""
    return sla_badge(warn_at=case.sla_warn_at, target_at=case.sla_target_at, paused=case.sla_paused)


def case_sla_badges(case_ids: list[int]) -> dict[int, SlaBadge]:
    """The badge of each of the cases shown (one query for a page of rows)."""
    if not case_ids:
        return {}
    now = timezone.now()
    rows = Case.objects.filter(pk__in=case_ids).order_by().annotate(**sla_annotations())
    badges = {}
    fields = ("pk", "sla_warn_at", "sla_target_at", "sla_paused")
    for pk, warn_at, target_at, paused in rows.values_list(*fields):
        badge = sla_badge(warn_at=warn_at, target_at=target_at, paused=paused, now=now)
        if badge is not None:
            badges[pk] = badge
    return badges


@dataclass(frozen=True)
class ClockView:
    clock: Clock
    badge: SlaBadge | None
    elapsed: datetime.timedelta
    remaining: datetime.timedelta
    history: list[ClockMilestone]

    @property
    def elapsed_label(self) -> str:
        return hours_label(self.elapsed)

    @property
    def remaining_label(self) -> str:
        return hours_label(self.remaining)


def hours_label(delta: datetime.timedelta) -> str:
    """A duration as hours and minutes ("12h 05m"; negative once a target has passed)."""
    minutes = round(abs(delta).total_seconds() / 60)
    text = f"{minutes // 60}h {minutes % 60:02d}m"
    return f"-{text}" if delta < datetime.timedelta(0) else text


def case_clock_list_for(*, user, case_id: int) -> list[ClockView]:
    """Every clock of a case the user can see, newest first, with what it has used and has
    left as of now (worked out on its calendar) and the rungs it has fired."""
    if not case_list_for(user=user).filter(pk=case_id).exists():
        raise errors.NotFound("There is no such case.")

    clocks = list(
        Clock.objects.filter(case_id=case_id)
        .select_related("rule", "task")
        .prefetch_related(
            "pauses",
            Prefetch("milestones", ClockMilestone.objects.filter(fired_at__isnull=False).order_by("fired_at")),
        )
        .order_by("-started_at", "-pk")
    )
    now = timezone.now()
    calendars = CalendarCache()
    views = []
    for clock in clocks:
        if clock.state == Clock.State.STOPPED:
            elapsed = clock.elapsed
        else:
            counting = arithmetic.counting_calendar(calendars(clock.calendar_id), clock.rule.target_unit)
            elapsed = arithmetic.consumed(counting, arithmetic.Ledger.of(clock, clock.pauses.all()), now)
        badge = None
        if clock.state != Clock.State.STOPPED and clock.rule.kind == SlaRule.Kind.SLA:
            badge = sla_badge(
                warn_at=clock.warn_at, target_at=clock.target_at, paused=clock.state == Clock.State.PAUSED, now=now
            )
        views.append(ClockView(clock, badge, elapsed, clock.budget - elapsed, list(clock.milestones.all())))
    return views


def sla_problem_list_for(*, user, state: str = "", case_type_id: int | None = None) -> QuerySet[Clock]:
    """Open SLA clocks past their amber warning (state "amber": not yet exceeded; "exceeded":
    past the target; empty: both), most overdue first, on cases the user can see. Who:
    supervisors. Raises PermissionDenied."""
    if not is_supervisor(user):
        raise errors.PermissionDenied("Only supervisors can see every case's SLAs.")
    now = timezone.now()
    clocks = (
        _open_sla_clocks()
        .filter(state=Clock.State.RUNNING, warn_at__lte=now, case__in=case_list_for(user=user))
        .select_related("rule", "case", "case__case_type", "case__owner", "case__owner_queue")
        .order_by("target_at", "pk")
    )
    if state == "amber":
        clocks = clocks.filter(target_at__gt=now)
    elif state == "exceeded":
        clocks = clocks.filter(target_at__lte=now)
    if case_type_id:
        clocks = clocks.filter(case__case_type_id=case_type_id)
    return clocks


def path_run_list_for(*, user, case_id: int) -> list[PathRun]:
    """The case's workflow-path runs, newest first, with the step each is at."""
    if not case_list_for(user=user).filter(pk=case_id).exists():
        raise errors.NotFound("There is no such case.")
    runs = list(PathRun.objects.filter(case_id=case_id).select_related("version__path").order_by("-started_at"))
    for run in runs:
        steps = run.version.steps
        run.step_name = steps[run.step]["name"] if run.step < len(steps) else ""  # type: ignore[attr-defined]
    return runs


def startable_path_list_for(*, user, case) -> list[WorkflowPath]:
    """The paths of the case's type that staff may start on it by hand now: active, published,
    and not already running on it."""
    if case.is_closed or not is_staff_member(user):
        return []
    live = PathRun.objects.filter(case=case, state__in=["running", "waiting_task", "waiting_delay"]).values(
        "version__path_id"
    )
    return list(
        WorkflowPath.objects.filter(case_type_id=case.case_type_id, is_active=True, versions__isnull=False)
        .exclude(pk__in=live)
        .distinct()
        .order_by("name")
    )
