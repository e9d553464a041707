"""The worktray's case list as a django-tables2 table, in one module so other apps can extend it.

Extending: the arrears app will add court and eviction dates (seed 001: arrears officers work
by patch with those dates on the list). It subclasses WorktrayTable, adding its columns, e.g.

    class ArrearsWorktrayTable(WorktrayTable):
        court_date = tables.DateColumn(verbose_name=_("Court date"), accessor="court_date")
        class Meta(WorktrayTable.Meta):
            sequence = (*WorktrayTable.Meta.sequence, "court_date")

and annotates the same names onto casework.selectors.worktray.worktray_case_list_for's queryset
(annotations, never per-row lookups: the page's query count must stay constant). The view
builds whichever class `worktray_table_class` returns.
"""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from casework.selectors.worktray import days_since

NOTHING = "\u2013"  # an en dash for an empty cell
PRIORITY_TAG_CLASSES = {"urgent": "govuk-tag--red", "high": "govuk-tag--orange", "low": "govuk-tag--grey"}


class WorktrayTable(tables.Table):
    number = tables.Column(
        verbose_name=_("Case"),
        linkify=lambda record: reverse("staff-case", args=[record.pk]),
        attrs={"a": {"class": "govuk-link"}},
    )
    case_type = tables.Column(verbose_name=_("Type"), accessor="case_type__name", order_by=("case_type__name", "pk"))
    status = tables.Column(verbose_name=_("Chevron"), order_by=("status", "pk"))
    priority = tables.Column(verbose_name=_("Priority"), order_by=("priority_rank", "created_at", "pk"))
    contact = tables.Column(verbose_name=_("Contact"), orderable=False, default=NOTHING)
    patch = tables.Column(verbose_name=_("Patch"), accessor="patch_code", orderable=False, default=NOTHING)
    days_on_chevron = tables.Column(
        verbose_name=_("Days on this chevron"),
        accessor="status_changed_at",
        # Ascending days means most recently moved first.
        order_by=("-status_changed_at", "-pk"),
    )
    created_at = tables.Column(verbose_name=_("Opened"), order_by=("created_at", "pk"))
    updated_at = tables.Column(verbose_name=_("Last updated"), order_by=("updated_at", "pk"))

    class Meta:
        sequence = (
            "number",
            "case_type",
            "status",
            "priority",
            "contact",
            "patch",
            "days_on_chevron",
            "created_at",
            "updated_at",
        )
        attrs = {"id": "my-cases", "class": "app-worktray-table"}
        empty_text = _("You have no open cases matching these filters.")

    def render_status(self, record):
        return record.get_status_display()

    def render_priority(self, record):
        classes = PRIORITY_TAG_CLASSES.get(record.priority)
        if classes is None:  # normal priority: plain words, no tag to draw the eye
            return record.get_priority_display()
        return format_html('<strong class="govuk-tag {}">{}</strong>', classes, record.get_priority_display())

    def render_contact(self, value):
        return value.full_name

    def render_days_on_chevron(self, value):
        days = days_since(value)
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}

    def render_created_at(self, value):
        local = timezone.localtime(value)
        return format_html('<time datetime="{}">{}</time>', local.isoformat(), date_format(local, "j M Y"))

    def render_updated_at(self, value):
        return self.render_created_at(value)


def worktray_table_class() -> type[WorktrayTable]:
    """The table the worktray shows; the place an app's extension is chosen (see above)."""
    return WorktrayTable


__all__ = ["WorktrayTable", "worktray_table_class"]
