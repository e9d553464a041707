"""Checks on working-time calendars, shared by the admin and anything else that writes them:
a calendar that could never count time (no working hours, an unknown zone or holiday region,
overlapping periods) is refused with a sentence saying why."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from casework.models import Weekday


def calendar_settings_problems(*, time_zone: str, country: str, subdivision: str) -> dict[str, list[str]]:
    """What is wrong with a calendar's zone and holiday region, by field; {} when nothing is."""
    problems: dict[str, list[str]] = {}
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems["time_zone"] = [f"“{time_zone}” is not a time zone: use an IANA name such as Europe/London."]
    if subdivision and not country:
        problems["holiday_country"] = ["Give the country the holiday region belongs to."]
    elif country:
        supported = holidays.list_supported_countries()  # {country: [its subdivisions]}
        if country not in supported:
            problems["holiday_country"] = [f"There is no holiday list for the country “{country}”."]
        elif subdivision and subdivision not in supported[country]:
            problems["holiday_subdivision"] = [f"“{subdivision}” is not a holiday region of {country}."]
    return problems


def working_period_problems(periods: Iterable[tuple[int, datetime.time, datetime.time]]) -> list[str]:
    """What is wrong with a calendar's weekly working periods (weekday, starts, ends): none at
    all, or two on one day that overlap. [] when nothing is."""
    by_day: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
    for weekday, starts, ends in periods:
        by_day.setdefault(weekday, []).append((starts, ends))
    if not by_day:
        return ["Give the calendar at least one working period: without one no time ever counts."]
    problems = []
    for weekday, ranges in sorted(by_day.items()):
        ordered = sorted(ranges)
        for (_start, end), (next_start, _next_end) in itertools.pairwise(ordered):
            if end == datetime.time(0) or next_start < end:
                problems.append(f"{Weekday(weekday).label}'s working periods overlap.")
                break
    return problems
