"""Calendars in the admin: working periods and closure days inline, refused when they could
never count time, and the stored calendar doing the same arithmetic as casework.working_time."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from casework.models import Calendar, ClosureDay, WorkingPeriod
from casework.working_time import Duration

pytestmark = pytest.mark.django_db

ADD = "/admin/casework/calendar/add/"


def _form(periods: list[tuple[int, str, str]], **fields) -> dict:
    data = {
        "code": "housing-options",
        "name": "Housing options",
        "time_zone": "Europe/London",
        "holiday_country": "gb",
        "holiday_subdivision": "eng",
        "periods-TOTAL_FORMS": str(len(periods)),
        "periods-INITIAL_FORMS": "0",
        "periods-MIN_NUM_FORMS": "0",
        "periods-MAX_NUM_FORMS": "1000",
        "closures-TOTAL_FORMS": "1",
        "closures-INITIAL_FORMS": "0",
        "closures-MIN_NUM_FORMS": "0",
        "closures-MAX_NUM_FORMS": "1000",
        "closures-0-day": "2026-11-23",
        "closures-0-reason": "Training day",
    }
    for n, (weekday, starts, ends) in enumerate(periods):
        data |= {f"periods-{n}-weekday": str(weekday), f"periods-{n}-starts": starts, f"periods-{n}-ends": ends}
    return data | fields


WEEK = [(day, "09:00", "17:00") for day in range(5)]


def test_a_supervisor_sets_up_a_calendar_that_counts_working_time(client, supervisor):
    client.force_login(supervisor)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, _form(WEEK))
    assert response.status_code == 302, response.content.decode()[:3000]
    calendar = Calendar.objects.get(code="housing-options")
    assert (calendar.holiday_country, calendar.holiday_subdivision) == ("GB", "ENG")
    assert WorkingPeriod.objects.filter(calendar=calendar).count() == 5
    assert ClosureDay.objects.get(calendar=calendar).day == datetime.date(2026, 11, 23)
    london = ZoneInfo("Europe/London")
    friday = datetime.datetime(2026, 11, 20, 16, tzinfo=london)
    # Monday 23rd is the closure day: two working hours from Friday 4pm end on Tuesday at 10.
    expected = datetime.datetime(2026, 11, 24, 10, tzinfo=london)
    assert calendar.working_calendar().add(friday, Duration(2, "working_hours")) == expected


@pytest.mark.parametrize(
    ("periods", "fields", "message"),
    [
        ([], {}, "Give the calendar at least one working period"),
        ([(0, "09:00", "13:00"), (0, "12:00", "17:00")], {}, "Monday&#x27;s working periods overlap."),
        ([(0, "17:00", "09:00")], {}, "A working period must start before it ends."),
        (WEEK, {"time_zone": "Europe/Londres"}, "is not a time zone"),
        (WEEK, {"holiday_subdivision": "XX"}, "“XX” is not a holiday region of GB."),
        (WEEK, {"holiday_country": "ZZ", "holiday_subdivision": ""}, "There is no holiday list for the country “ZZ”."),
    ],
)
def test_a_calendar_that_could_never_count_time_is_refused(client, supervisor, periods, fields, message):
    client.force_login(supervisor)
    response = client.post(ADD, _form(periods, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Calendar.objects.filter(code="housing-options").exists()


def test_a_case_counts_on_its_team_then_its_case_type_then_the_default_calendar():
    from casework.selectors.calendars import calendar_for_case
    from tests.casework.factories import CaseFactory, QueueFactory, TeamFactory

    case = CaseFactory()
    default = calendar_for_case(case)  # made when first needed: office hours, England and Wales
    assert default.is_default and default.working_calendar().hours[0] == ((datetime.time(9), datetime.time(17)),)
    assert calendar_for_case(case) == default and Calendar.objects.filter(is_default=True).count() == 1
    boston = Calendar.objects.create(code="boston", name="Boston", time_zone="America/New_York")
    case.case_type.calendar = boston
    case.case_type.save()
    assert calendar_for_case(case) == boston
    night = Calendar.objects.create(code="night", name="Night team", holiday_country="")
    team = TeamFactory(calendar=night)
    case.owner_queue = QueueFactory(team=team)
    case.save()
    assert calendar_for_case(case) == night


def test_only_one_calendar_is_the_default():
    from django.db import IntegrityError, transaction

    from casework.selectors.calendars import default_calendar

    default_calendar()
    with pytest.raises(IntegrityError), transaction.atomic():
        Calendar.objects.create(code="second", name="Second", is_default=True)
