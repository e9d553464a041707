"""Working-time arithmetic: nights, weekends, bank holidays (England and Wales; Massachusetts),
local closures, split days and daylight-saving changes, and the law that ties `add` to
`working_between`."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.working_time import Duration, NoWorkingTime, WorkingCalendar

LONDON = ZoneInfo("Europe/London")
BOSTON = ZoneInfo("America/New_York")
NINE_TO_FIVE = ((datetime.time(9), datetime.time(17)),)


def office(zone=LONDON, country="GB", subdivision="ENG", hours=NINE_TO_FIVE, closures=()) -> WorkingCalendar:
    return WorkingCalendar(
        zone=zone,
        hours=dict.fromkeys(range(5), hours),
        country=country,
        subdivision=subdivision,
        closures=frozenset(closures),
    )


ALWAYS = WorkingCalendar(zone=LONDON, hours={d: ((datetime.time(0), datetime.time(0)),) for d in range(7)})


def at(zone, *parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=zone)


def hours(n: int) -> Duration:
    return Duration(n, "working_hours")


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        # Friday afternoon, over the night and the weekend.
        (at(LONDON, 2026, 11, 20, 16), hours(2), at(LONDON, 2026, 11, 23, 10)),
        # Christmas Eve: Christmas Day, the weekend and Boxing Day (observed Monday 28th) are closed.
        (at(LONDON, 2026, 12, 24, 16), hours(3), at(LONDON, 2026, 12, 29, 11)),
        # From outside working hours, counting starts at the next working moment.
        (at(LONDON, 2026, 11, 21, 12), hours(1), at(LONDON, 2026, 11, 23, 10)),
        (at(LONDON, 2026, 11, 23, 7, 30), hours(8), at(LONDON, 2026, 11, 23, 17)),
        # Exactly at the end of a day: that day's last moment, not the next morning.
        (at(LONDON, 2026, 11, 23, 9), hours(8), at(LONDON, 2026, 11, 23, 17)),
        # Working days: the same point in the Nth working day (Christmas closures skipped).
        (at(LONDON, 2026, 12, 23, 10), Duration(2, "working_days"), at(LONDON, 2026, 12, 29, 10)),
        (at(LONDON, 2026, 11, 21, 12), Duration(1, "working_days"), at(LONDON, 2026, 11, 24, 9)),
        # Easter 2027: Good Friday and Easter Monday closed.
        (at(LONDON, 2027, 3, 25, 15), Duration(1, "working_days"), at(LONDON, 2027, 3, 30, 15)),
        # Friday in summer time to Monday in winter time (clocks went back on Sunday 25 October).
        (at(LONDON, 2026, 10, 23, 16), hours(2), at(LONDON, 2026, 10, 26, 10)),
        # Calendar units: a day across the spring change is 23 hours, but 12:00 to 12:00.
        (at(LONDON, 2027, 3, 27, 12), Duration(1, "days"), at(LONDON, 2027, 3, 28, 12)),
        (at(LONDON, 2027, 3, 27, 12), Duration(24, "hours"), at(LONDON, 2027, 3, 28, 13)),
    ],
)
def test_adding_working_time_in_england(start, duration, expected):
    assert office().add(start, duration) == expected.astimezone(datetime.UTC)


def test_massachusetts_closes_for_patriots_day_in_its_own_time_zone():
    boston = office(zone=BOSTON, country="US", subdivision="MA")
    # Friday 16 April 2027, 4pm: Monday 19 April is Patriots' Day.
    assert boston.add(at(BOSTON, 2027, 4, 16, 16), hours(2)) == at(BOSTON, 2027, 4, 20, 10).astimezone(datetime.UTC)
    assert boston.add(at(BOSTON, 2027, 4, 16, 16), hours(2)).hour == 14  # 10:00 EDT is 14:00 UTC


def test_local_closures_and_split_days():
    split = office(hours=((datetime.time(8), datetime.time(12)), (datetime.time(13), datetime.time(17))))
    assert split.add(at(LONDON, 2026, 11, 23, 11, 30), hours(1)) == at(LONDON, 2026, 11, 23, 13, 30).astimezone(
        datetime.UTC
    )
    closed = office(closures=[datetime.date(2026, 11, 23)])  # a staff training day
    assert closed.add(at(LONDON, 2026, 11, 20, 16), hours(2)) == at(LONDON, 2026, 11, 24, 10).astimezone(datetime.UTC)


def test_working_time_between_two_moments():
    cal = office()
    assert cal.working_between(at(LONDON, 2026, 11, 20, 16), at(LONDON, 2026, 11, 23, 10)) == datetime.timedelta(
        hours=2
    )
    assert cal.working_between(at(LONDON, 2026, 12, 24, 9), at(LONDON, 2026, 12, 30, 9)) == datetime.timedelta(
        hours=16
    )  # 24th and 29th only
    assert cal.working_between(at(LONDON, 2026, 11, 23, 10), at(LONDON, 2026, 11, 23, 9)) == datetime.timedelta(0)


def test_a_day_with_a_clock_change_is_23_or_25_hours_of_round_the_clock_time():
    spring = ALWAYS.working_between(at(LONDON, 2027, 3, 27, 12), at(LONDON, 2027, 3, 28, 12))
    autumn = ALWAYS.working_between(at(LONDON, 2026, 10, 24, 12), at(LONDON, 2026, 10, 25, 12))
    assert (spring, autumn) == (datetime.timedelta(hours=23), datetime.timedelta(hours=25))
    # 24 working hours round the clock from Saturday noon, over the spring change, is Sunday 13:00.
    assert ALWAYS.add(at(LONDON, 2027, 3, 27, 12), hours(24)) == at(LONDON, 2027, 3, 28, 13).astimezone(datetime.UTC)


def test_a_calendar_without_working_time_says_so():
    never = WorkingCalendar(zone=LONDON, hours={})
    with pytest.raises(NoWorkingTime):
        never.add(at(LONDON, 2026, 11, 23, 9), hours(1))
    with pytest.raises(ValueError, match="aware"):
        office().add(datetime.datetime(2026, 11, 23, 9), hours(1))
    with pytest.raises(ValueError, match="unit"):
        Duration(1, "fortnights")


@settings(max_examples=150, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime.datetime(2026, 1, 1), max_value=datetime.datetime(2027, 12, 31), timezones=st.just(LONDON)
    ),
    amount=st.integers(min_value=0, max_value=200),
)
def test_the_working_time_between_a_start_and_start_plus_n_hours_is_n_hours(start, amount):
    cal = office(hours=((datetime.time(8, 30), datetime.time(12)), (datetime.time(13), datetime.time(17, 30))))
    end = cal.add(start, hours(amount))
    assert cal.working_between(start, end) == datetime.timedelta(hours=amount)
    assert end >= start
