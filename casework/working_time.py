"""Working-time arithmetic for SLA clocks and workflow delays: "N working hours (or days) after
T" and "working time between A and B", on a calendar of weekly working hours in a time zone,
closed on bank/public holidays (the `holidays` package) and local closure days.

Everything is computed day by day in the calendar's local time and converted to UTC at the
edges, so a working day is the same wall-clock hours either side of a daylight-saving change
(the night the clocks change is simply shorter or longer, and nights are not working time).

Durations:
- working hours: that much working time, counted from T (or from the next working moment when T
  is outside working hours);
- working days: the same point in the working day on the Nth working day after T's (a day
  closed all day does not count); from outside working hours, counting starts at the next working
  moment;
- minutes, hours and days: calendar time (days in local wall-clock time, so "1 day" across a clock change
  is 23 or 25 hours).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

MAX_DAYS = 3 * 366  # how far any calculation looks ahead: a calendar must open within this

UNITS = ("working_hours", "working_days", "minutes", "hours", "days")


class NoWorkingTime(ValueError):
    """The calendar has no working time within MAX_DAYS of the moment asked about."""


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # one of UNITS

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"{self.unit!r} is not a unit of time: use one of {', '.join(UNITS)}.")
        if self.amount < 0:
            raise ValueError("A duration cannot be negative.")


@lru_cache(maxsize=64)
def public_holidays(country: str, subdivision: str, year: int) -> frozenset[datetime.date]:
    """The bank/public holidays of a country (ISO code) and subdivision (e.g. GB/ENG for England
    and Wales, US/MA for Massachusetts) in a year, observed days included."""
    if not country:
        return frozenset()
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


@dataclass(frozen=True)
class WorkingCalendar:
    """`hours`: for each weekday (Monday 0 … Sunday 6), the working ranges as (start, end) local
    times, start < end, not overlapping. `closures`: local closure days on top of the holidays."""

    zone: ZoneInfo
    hours: dict[int, tuple[tuple[datetime.time, datetime.time], ...]]
    country: str = ""
    subdivision: str = ""
    closures: frozenset[datetime.date] = field(default_factory=frozenset)

    def is_closed(self, day: datetime.date) -> bool:
        return day in self.closures or day in public_holidays(self.country, self.subdivision, day.year)

    def _local(self, moment: datetime.datetime) -> datetime.datetime:
        if moment.tzinfo is None:
            raise ValueError("Working time needs aware datetimes (with a time zone).")
        return moment.astimezone(self.zone)

    def _at(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        """`time` on `day` in the calendar's zone, in UTC. A wall-clock time that does not exist
        (the spring-forward gap) is the moment the clocks jumped to; one that exists twice (the
        autumn fold) is its first occurrence."""
        return datetime.datetime.combine(day, time, tzinfo=self.zone).astimezone(datetime.UTC)

    def day_periods(self, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """The working periods of a local date, in UTC (arithmetic on UTC datetimes is real
        elapsed time; on same-zone local ones Python ignores the offsets); none on a closed day."""
        if self.is_closed(day):
            return []
        periods = []
        for start, end in self.hours.get(day.weekday(), ()):
            end_day = day + datetime.timedelta(days=1) if end == datetime.time(0) else day
            periods.append((self._at(day, start), self._at(end_day, end)))
        return periods

    def periods_from(self, moment: datetime.datetime) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """The working periods from `moment` on (the first one cut at `moment`), in order, UTC.
        Raises NoWorkingTime if there are none within MAX_DAYS."""
        day = self._local(moment).date()
        moment = moment.astimezone(datetime.UTC)
        found = False
        for offset in range(MAX_DAYS):
            for start, end in self.day_periods(day + datetime.timedelta(days=offset)):
                if end > moment:
                    found = True
                    yield max(start, moment), end
        if not found:
            raise NoWorkingTime("The calendar has no working time in the next three years.")

    def next_working_moment(self, moment: datetime.datetime) -> datetime.datetime:
        """`moment` if it is working time, else the start of the next working period (UTC)."""
        return next(self.periods_from(moment))[0]

    def add(self, moment: datetime.datetime, duration: Duration) -> datetime.datetime:
        """The moment `duration` after `moment` (see the module for each unit's meaning), UTC."""
        local = self._local(moment)
        if duration.unit == "minutes":
            return moment.astimezone(datetime.UTC) + datetime.timedelta(minutes=duration.amount)
        if duration.unit == "hours":
            return moment.astimezone(datetime.UTC) + datetime.timedelta(hours=duration.amount)
        if duration.unit == "days":
            wall = local.replace(tzinfo=None) + datetime.timedelta(days=duration.amount)
            return self._at(wall.date(), wall.time())
        if duration.unit == "working_hours":
            return self.add_working_time(moment, datetime.timedelta(hours=duration.amount))
        return self._add_working_days(moment, duration.amount)

    def add_working_time(self, moment: datetime.datetime, left: datetime.timedelta) -> datetime.datetime:
        """The moment `left` of working time after `moment` (the next working moment for zero)."""
        for start, end in self.periods_from(moment):
            if end - start >= left:
                return start + left
            left -= end - start
        raise NoWorkingTime("The calendar has no working time in the next three years.")  # pragma: no cover

    def _add_working_days(self, moment: datetime.datetime, days: int) -> datetime.datetime:
        start = self.next_working_moment(moment)
        start_day = self._local(start).date()
        # How far into its working day the start is: the same working time into the target day.
        into_day = self.working_between(self._at(start_day, datetime.time(0)), start)
        day, counted = start_day, 0
        while counted < days:
            day += datetime.timedelta(days=1)
            if (day - start_day).days > MAX_DAYS:
                raise NoWorkingTime("The calendar has no working time in the next three years.")
            if self.day_periods(day):
                counted += 1
        day_start = self._at(day, datetime.time(0))
        if into_day == datetime.timedelta(0):
            return self.next_working_moment(day_start)
        return self.add_working_time(day_start, into_day)

    def always_open(self) -> WorkingCalendar:
        """Every hour of every day in this calendar's zone: what calendar units count on."""
        return WorkingCalendar(zone=self.zone, hours={day: ((datetime.time(0), datetime.time(0)),) for day in range(7)})

    def working_between(self, start: datetime.datetime, end: datetime.datetime) -> datetime.timedelta:
        """Working time from `start` to `end` (zero if end is not after start)."""
        total = datetime.timedelta(0)
        start, end = start.astimezone(datetime.UTC), end.astimezone(datetime.UTC)
        if end <= start:
            return total
        day, last = self._local(start).date(), self._local(end).date()
        while day <= last:
            for period_start, period_end in self.day_periods(day):
                overlap = min(period_end, end) - max(period_start, start)
                if overlap > datetime.timedelta(0):
                    total += overlap
            day += datetime.timedelta(days=1)
        return total
