"""Working-time calendars: weekly working hours in a time zone, closed on a country's (or
region's) bank holidays and on local closure days. SLA clocks and workflow delays count time
on them (casework.working_time does the arithmetic)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pghistory
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.working_time import WorkingCalendar
from core.models import Stamped


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


@pghistory.track()
class Calendar(Stamped):
    """A team's or programme's working time. Holidays come from the `holidays` package:
    England and Wales are GB / ENG, Massachusetts (with the US federal holidays) US / MA."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    time_zone = models.CharField(
        max_length=60, default="Europe/London", help_text=_("An IANA zone, e.g. America/New_York.")
    )
    holiday_country = models.CharField(
        max_length=2, blank=True, default="GB", help_text=_("ISO country code for bank holidays; empty for none.")
    )
    is_default = models.BooleanField(
        default=False, help_text=_("Used when neither the case's team nor its case type names a calendar.")
    )
    holiday_subdivision = models.CharField(
        max_length=10, blank=True, default="ENG", help_text=_("e.g. ENG (England and Wales), SCT, MA (Massachusetts).")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_calendar",
                violation_error_message="Another calendar is the default already.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def working_calendar(self) -> WorkingCalendar:
        """This calendar for the arithmetic (reads its periods and closures: two queries, or
        none when they were prefetched)."""
        hours: dict[int, list] = {}
        for period in sorted(self.periods.all(), key=lambda p: (p.weekday, p.starts)):
            hours.setdefault(period.weekday, []).append((period.starts, period.ends))
        return WorkingCalendar(
            zone=ZoneInfo(self.time_zone),
            hours={weekday: tuple(ranges) for weekday, ranges in hours.items()},
            country=self.holiday_country,
            subdivision=self.holiday_subdivision,
            closures=frozenset(closure.day for closure in self.closures.all()),
        )


class WorkingPeriod(models.Model):
    """One stretch of working time on a weekday, e.g. Monday 09:00-17:00 (an end of 00:00 is
    midnight at the end of the day). A split day has two."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField(help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        ordering = ["calendar", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts__lt=models.F("ends")) | models.Q(ends="00:00"),
                name="working_period_starts_before_it_ends",
                violation_error_message="A working period must start before it ends.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class ClosureDay(models.Model):
    """A day the calendar's team or programme is closed on top of the bank holidays (a training
    day, an office move)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="closures")
    day = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["calendar", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "day"],
                name="closure_day_once",
                violation_error_message="That day is already closed.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day:%d %b %Y}"
