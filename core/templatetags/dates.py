"""`{{ value|day_month_year }}` and `{{ value|time_element }}`: core.dates's, for a date or a
moment on every row of a list."""

from django import template

from core.dates import day_month_year, time_element

register = template.Library()
register.filter("day_month_year", day_month_year)
register.filter("time_element", time_element)
