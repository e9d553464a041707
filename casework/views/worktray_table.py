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
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from casework.selectors.clocks import case_sla_badges
from casework.selectors.worktray import case_patch_codes, days_since
from core.dates import time_element
from core.paths import path_to

NOTHING = "\u2013"  # an en dash for an empty cell
PRIORITY_TAG_CLASSES = {"urgent": "govuk-tag--red", "high": "govuk-tag--orange", "low": "govuk-tag--grey"}


class WorktrayTable(tables.Table):
    """My cases. Columns, headers, sorting and pagination are django-tables2's; the rows are
    rendered by `rows_html` (each column's `cell_<name>(record)`, or its value escaped), because
    tables2's per-cell machinery (a signature inspection per cell) cost more than the whole
    rest of the page. An added column brings a `cell_<name>` method when its value needs markup."""

    number = tables.Column(verbose_name=_("Case"))
    case_type = tables.Column(verbose_name=_("Type"), accessor="case_type__name", order_by=("case_type__name", "pk"))
    status = tables.Column(verbose_name=_("Chevron"), order_by=("status", "pk"))
    priority = tables.Column(verbose_name=_("Priority"), order_by=("priority_rank", "created_at", "pk"))
    contact = tables.Column(verbose_name=_("Contact"), orderable=False, default=NOTHING)
    patch = tables.Column(verbose_name=_("Patch"), accessor="pk", orderable=False, default=NOTHING)
    sla = tables.Column(verbose_name=_("SLA"), accessor="pk", orderable=False, default=NOTHING)
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
            "sla",
            "days_on_chevron",
            "created_at",
            "updated_at",
        )
        attrs = {"id": "my-cases", "class": "app-worktray-table"}
        template_name = "casework/worktray_table.html"
        empty_text = _("You have no open cases matching these filters.")

    def rows_html(self) -> list[str]:
        cells = []
        for column in self.columns:
            method = getattr(self, f"cell_{column.name}", None)
            if method is None:
                accessor = column.accessor
                method = lambda record, accessor=accessor: accessor.resolve(record, quiet=True)  # noqa: E731
            cells.append((method, column.default))
        records = [row.record for row in self.page.object_list]
        self.patch_codes = case_patch_codes([record.pk for record in records])
        self.sla_badges = case_sla_badges([record.pk for record in records])
        rows = []
        for record in records:
            values = []
            for method, default in cells:
                value = method(record)
                values.append(default if value is None or value == "" else value)
            first, *rest = values
            rows.append(
                format_html(
                    '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>{}</tr>',
                    first,
                    format_html_join("", '<td class="govuk-table__cell">{}</td>', ((value,) for value in rest)),
                )
            )
        return rows

    def cell_number(self, record):
        return format_html('<a class="govuk-link" href="{}">{}</a>', path_to("staff-case", record.pk), record.number)

    def cell_case_type(self, record):
        return record.case_type.name

    def cell_status(self, record):
        return record.get_status_display()

    def cell_priority(self, record):
        classes = PRIORITY_TAG_CLASSES.get(record.priority)
        if classes is None:  # normal priority: plain words, no tag to draw the eye
            return record.get_priority_display()
        return format_html('<strong class="govuk-tag {}">{}</strong>', classes, record.get_priority_display())

    def cell_contact(self, record):
        return record.contact.full_name if record.contact is not None else None

    def cell_patch(self, record):
        return self.patch_codes.get(record.pk)

    def cell_sla(self, record):
        badge = self.sla_badges.get(record.pk)
        if badge is None:
            return None
        return format_html(
            '<strong class="govuk-tag {}">{}</strong> <span class="govuk-body-s">{}</span>',
            badge.tag_class,
            badge.label,
            badge.when,
        )

    def cell_days_on_chevron(self, record):
        days = days_since(record.status_changed_at)
        return ngettext("%(days)d day", "%(days)d days", days) % {"days": days}

    def cell_created_at(self, record):
        return time_element(record.created_at, with_time=False)

    def cell_updated_at(self, record):
        return time_element(record.updated_at, with_time=False)


def worktray_table_class() -> type[WorktrayTable]:
    """The table the worktray shows; the place an app's extension is chosen (see above)."""
    return WorktrayTable


__all__ = ["WorktrayTable", "worktray_table_class"]
