"""core.dates.day_month_year renders what Django's date filter renders for "j M Y"."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from core.dates import day_month_year

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
