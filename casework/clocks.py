"""SLA and timeout clock arithmetic, pure (no database): how much working time a clock has
used, and when it reaches each rung of its ladder.

A clock runs from its start, stops for its pauses (the case waiting on the applicant) and ends
when stopped. It consumes the working time of its calendar while running. Its rule's target
is a budget of that working time, measured once from the clock's start ("5 working days" is the
working time of the 5 working days after the start); each rung of the ladder is a threshold:

- amber: the budget less the amber period (the warning comes that long before the target);
- exceeded: the budget;
- follow-on: the budget plus the rung's period.

A rule in calendar units (hours, days) counts on an always-open calendar in the same zone, so
paused time is still left out. Keeping the budget in working time (not a fixed deadline) is what
makes pauses simple: a paused clock consumes nothing, and when it resumes the remaining time is
counted on from there. The moments are recomputed from the start and the pauses, so a changed
rule or calendar re-projects every open clock exactly.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from casework.working_time import Duration, WorkingCalendar

ZERO = datetime.timedelta(0)

AMBER, EXCEEDED, FOLLOW_ON = "amber", "exceeded", "follow_on"


def counting_calendar(calendar: WorkingCalendar, unit: str) -> WorkingCalendar:
    """The calendar a duration in `unit` counts on: working units on the calendar itself,
    calendar units on every hour of every day."""
    return calendar if unit.startswith("working_") else calendar.always_open()


def span(calendar: WorkingCalendar, start: datetime.datetime, duration: Duration) -> datetime.timedelta:
    """How much of `calendar`'s working time `duration` is, measured from `start`."""
    return calendar.working_between(start, calendar.add(start, duration))


@dataclass(frozen=True)
class Rung:
    key: object  # whatever identifies the rung to the caller (its id)
    kind: str  # AMBER, EXCEEDED or FOLLOW_ON
    offset: Duration | None  # the amber period, or how long after the target; None for exceeded


def thresholds(
    calendar: WorkingCalendar, started_at: datetime.datetime, target: Duration, rungs: Sequence[Rung]
) -> tuple[datetime.timedelta, dict[object, datetime.timedelta]]:
    """The clock's budget, and the consumed time at which each rung fires."""
    budget = span(calendar, started_at, target)
    result = {}
    for rung in rungs:
        offset = span(calendar, started_at, rung.offset) if rung.offset is not None else ZERO
        if rung.kind == AMBER:
            result[rung.key] = max(budget - offset, ZERO)
        elif rung.kind == FOLLOW_ON:
            result[rung.key] = budget + offset
        else:
            result[rung.key] = budget
    return budget, result


@dataclass(frozen=True)
class Ledger:
    """A clock's history: when it started, its pauses (the last may still be open) and when it
    stopped, if it has."""

    started_at: datetime.datetime
    pauses: tuple[tuple[datetime.datetime, datetime.datetime | None], ...] = ()
    stopped_at: datetime.datetime | None = None

    def running_segments(self) -> list[tuple[datetime.datetime, datetime.datetime | None]]:
        """The stretches the clock ran, in order; the last one open (None) if it runs now."""
        segments: list[tuple[datetime.datetime, datetime.datetime | None]] = []
        start: datetime.datetime | None = self.started_at
        for paused, resumed in sorted(self.pauses, key=lambda p: p[0]):
            if start is not None and paused > start:
                segments.append((start, paused))
            start = resumed
        if start is not None:
            end = self.stopped_at
            if end is None or end > start:
                segments.append((start, end))
        return segments

    @classmethod
    def of(cls, clock, pauses) -> Ledger:
        """The ledger of a Clock row and its ClockPause rows."""
        return cls(
            started_at=clock.started_at,
            pauses=tuple((pause.started_at, pause.ended_at) for pause in pauses),
            stopped_at=clock.stopped_at,
        )

    @property
    def is_running(self) -> bool:
        segments = self.running_segments()
        return bool(segments) and segments[-1][1] is None


def consumed(calendar: WorkingCalendar, ledger: Ledger, now: datetime.datetime) -> datetime.timedelta:
    """The working time the clock has used by `now`."""
    total = ZERO
    for start, end in ledger.running_segments():
        total += calendar.working_between(start, min(end, now) if end is not None else now)
    return total


def reached_at(calendar: WorkingCalendar, ledger: Ledger, threshold: datetime.timedelta) -> datetime.datetime | None:
    """When the clock's used time reaches `threshold`: a past moment if it already has, a future
    one if the clock runs now and will, None if it is paused or stopped short of it."""
    used = ZERO
    for start, end in ledger.running_segments():
        if end is None:
            return calendar.add_working_time(start, threshold - used)
        stretch = calendar.working_between(start, end)
        if used + stretch >= threshold:
            return min(calendar.add_working_time(start, threshold - used), end)
        used += stretch
    return None
