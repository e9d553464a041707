"""`{{ value|day_month_year }}`: core.dates.day_month_year, for a date on every row of a list."""

from django import template

from core.dates import day_month_year

register = template.Library()
register.filter("day_month_year", day_month_year)
