"""`{% path_to 'name' id %}`: core.paths.path_to in a template, for links on every row of a list
(`{% url %}` reverses each one in full)."""

from django import template

from core.paths import path_to

register = template.Library()
register.simple_tag(path_to, name="path_to")
