"""Which working-time calendar a case's clocks count on: the calendar of the team whose queue
holds the case, else its case type's (the programme's), else the default one."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction

from casework.models import Calendar, Case, WorkingPeriod
from casework.working_time import WorkingCalendar


def default_calendar() -> Calendar:
    """The default calendar; the first time it is needed (no supervisor has marked one), office
    hours Monday to Friday 09:00-17:00 in England and Wales, which supervisors can then change."""
    found = Calendar.objects.filter(is_default=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            calendar = Calendar.objects.create(
                code="office-hours",
                name="Office hours (England and Wales)",
                time_zone="Europe/London",
                holiday_country="GB",
                holiday_subdivision="ENG",
                is_default=True,
            )
            WorkingPeriod.objects.bulk_create(
                WorkingPeriod(calendar=calendar, weekday=day, starts=datetime.time(9), ends=datetime.time(17))
                for day in range(5)
            )
    except IntegrityError:  # made meanwhile by another request (or the code is taken)
        return Calendar.objects.get(is_default=True)
    return calendar


def calendar_for_case(case: Case) -> Calendar:
    queue = case.owner_queue if case.owner_queue_id else None
    team = queue.team if queue is not None and queue.team_id else None
    chosen = (team.calendar if team is not None else None) or case.case_type.calendar
    return chosen or default_calendar()


class CalendarCache:
    """Each calendar's arithmetic, read once per batch of clocks (two queries a calendar)."""

    def __init__(self) -> None:
        self._found: dict[int, WorkingCalendar] = {}

    def __call__(self, calendar_id: int) -> WorkingCalendar:
        found = self._found.get(calendar_id)
        if found is None:
            calendar = Calendar.objects.prefetch_related("periods", "closures").get(pk=calendar_id)
            found = self._found[calendar_id] = calendar.working_calendar()
        return found
