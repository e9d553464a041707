"""Which working-time calendar a case's clocks count on: the calendar of the team whose queue
holds the case, else its case type's (the programme's), else the default one."""

from __future__ import annotations

from casework.models import Calendar, Case


def calendar_for_case(case: Case) -> Calendar:
    """Raises Calendar.DoesNotExist only if the default calendar was deleted."""
    queue = case.owner_queue if case.owner_queue_id else None
    team = queue.team if queue is not None and queue.team_id else None
    chosen = (team.calendar if team is not None else None) or case.case_type.calendar
    return chosen or Calendar.objects.get(is_default=True)
