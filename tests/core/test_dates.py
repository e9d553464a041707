"""core.dates.day_month_year renders what Django's date filter renders for "j M Y"."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from core.dates import day_month_year, time_element

DAYS = [datetime.date(2026, month, day) for month in range(1, 13) for day in (1, 9, 28)]


@pytest.mark.parametrize("language", ["en-gb", "en-us", "fr", "cy", "pl"])
def test_every_month_as_the_date_filter_renders_it(language):
    with translation.override(language):
        for day in DAYS:
            assert day_month_year(day) == date_filter(day, "j M Y")


def test_an_aware_datetime_is_shown_on_the_local_day_as_in_a_template():
    late = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)  # 00:30 on 1 July in London
    in_template = Template('{{ late|date:"j M Y" }}')  # templates convert to local time first
    with timezone.override(zoneinfo.ZoneInfo("Europe/London")):
        assert day_month_year(late) == in_template.render(Context({"late": late})) == "1 Jul 2026"


def test_nothing_is_an_empty_string():
    assert day_month_year(None) == date_filter(None, "j M Y") == ""


PAIR = Template(
    '{% load dates %}<time datetime="{{ v|date:\'c\' }}">{{ v|date:"j M Y H:i" }}</time>|{{ v|time_element }}'
)


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "UTC"])
@pytest.mark.parametrize("language", ["en-gb", "fr", "pl"])
def test_time_element_renders_what_the_two_date_filters_render(zone, language):
    moments = [
        datetime.datetime(2026, 1, 5, 9, 7, tzinfo=datetime.UTC),
        datetime.datetime(2026, 6, 30, 23, 30, 15, 123456, tzinfo=datetime.UTC),  # the next day in London
        datetime.datetime(2026, 10, 25, 0, 59, tzinfo=datetime.UTC),  # the night the clocks go back
    ]
    with timezone.override(zoneinfo.ZoneInfo(zone)), translation.override(language):
        for moment in moments:
            by_filters, by_element = PAIR.render(Context({"v": moment})).split("|")
            assert by_element == by_filters
            date_only = Template('<time datetime="{{ v|date:\'c\' }}">{{ v|date:"j M Y" }}</time>')
            assert time_element(moment, with_time=False) == date_only.render(Context({"v": moment}))


def test_time_element_of_nothing_is_empty():
    assert Template("{% load dates %}[{{ v|time_element }}]").render(Context({"v": None})) == "[]"
