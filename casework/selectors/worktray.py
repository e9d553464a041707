"""Reads behind a caseworker's worktray (/staff/): their open cases with what the list shows
(patch, priority rank), the cases per chevron, their tasks due, where they were @mentioned and
their saved views. Each read is one or two queries whatever the number of rows, so the page's
query count stays constant (tests/casework/test_worktray_views.py checks it at 10 and 1,000)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.db.models import Case as When_
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from casework.models import Case, NoteMention, SavedFilter, Status, Task
from casework.selectors.cases import case_list_for
from casework.selectors.work import task_list_for
from core import errors
from core.permissions import is_staff_member

# Urgent work first. Priority is a text field, so sorting it alphabetically would put "normal"
# before "urgent": the rank below is what "sort by priority" sorts on. Levels the model does not
# (yet) have are skipped; a level missing here sorts last rather than breaking the page.
PRIORITY_ORDER = ("urgent", "high", "normal", "low")
PRIORITY_RANK = {value: rank for rank, value in enumerate(v for v in PRIORITY_ORDER if v in Case.Priority.values)}

# The query parameters that make a worktray view (what "Save this view" saves). Never the page.
WORKTRAY_PARAMS = ("status", "case_type", "priority", "patch", "sort")

# The columns the worktray reads. An app adding a column to WorktrayTable adds its field here or,
# better, annotates it (see casework/views/worktray_table.py).
WORKTRAY_CASE_FIELDS = [
    "id",
    "number",
    "workflow",
    "status",
    "status_changed_at",
    "priority",
    "owner_id",
    "created_at",
    "updated_at",
    "case_type__id",
    "case_type__name",
    "contact__id",
    "contact__first_name",
    "contact__last_name",
]

OPEN_STATUSES = [status for status in Status.values if status != Status.CLOSED]


def priority_rank() -> When_:
    return When_(
        *(When(priority=value, then=Value(rank)) for value, rank in PRIORITY_RANK.items()),
        default=Value(len(PRIORITY_RANK)),
        output_field=IntegerField(),
    )


def worktray_case_list_for(*, user) -> QuerySet[Case]:
    """`user`'s open cases (owned by them in person, not through a queue), with the case type and
    contact loaded and annotated with `priority_rank` (0 = most urgent, what "sort by priority"
    sorts on). Oldest first: the order work is done in unless the caseworker sorts otherwise.
    Anyone but staff gets none. Patches: patch_filter and case_patch_codes."""
    if not is_staff_member(user):
        return Case.objects.none()
    return (
        case_list_for(user=user)
        .filter(owner=user)
        .exclude(status=Status.CLOSED)
        .select_related(None)
        .select_related("case_type", "contact")
        # What the list shows, and no more: a contact row carries an encrypted identity number
        # that would be decrypted for every row, and a case has dozens of columns.
        .only(*WORKTRAY_CASE_FIELDS)
        .annotate(priority_rank=priority_rank())
        .order_by("created_at", "pk")
    )


def patch_filter(patch) -> Q:
    """Cases in `patch`: the property's patch, else (no property, or one not yet placed in a
    patch) the tenancy's property's; the same rule as case_patch_codes."""
    return Q(property__patch=patch) | Q(property__patch__isnull=True, tenancy__property__patch=patch)


def case_patch_codes(case_ids: list[int]) -> dict[int, str]:
    """The patch code of each case (see patch_filter), in one small query for the rows shown:
    joining four more tables into the list and count queries cost more (planning) than this."""
    if not case_ids:
        return {}
    rows = (
        Case.objects.filter(pk__in=case_ids)
        .order_by()
        .values_list("pk", Coalesce(F("property__patch__code"), F("tenancy__property__patch__code")))
    )
    return {pk: code for pk, code in rows if code}


def chevron_counts(cases: QuerySet[Case], *, current: str = "") -> list[dict]:
    """How many of `cases` sit on each chevron, in the chevrons' own order (one GROUP BY query):
    [{"status", "label", "count", "current"}], only chevrons with cases (and the current one)."""
    counts = {row["status"]: row["n"] for row in cases.order_by().values("status").annotate(n=Count("pk"))}
    return [
        {"status": status, "label": Status(status).label, "count": counts.get(status, 0), "current": status == current}
        for status in OPEN_STATUSES
        if counts.get(status) or status == current
    ]


def worktray_task_list_for(*, user, limit: int = 15) -> dict:
    """`user`'s own open tasks (assigned to them in person, not to a team), due today or earlier
    first (soonest first), then upcoming, then those with no due date; at most `limit`, with the
    counts of all of them. One query."""
    today = timezone.localdate()
    tasks = task_list_for(user=user, status=[Task.Status.OPEN, Task.Status.IN_PROGRESS]).filter(assignee=user)
    # The counts of all of them ride on the rows shown (window aggregates run before the LIMIT).
    shown = list(
        tasks.select_related(None)
        .select_related("case")
        .only("id", "subject", "due_date", "status", "case__id", "case__number")
        .annotate(total=Window(Count("pk")), due_total=Window(Count("pk", filter=Q(due_date__lte=today))))[:limit]
    )
    return {
        "due": [task for task in shown if task.due_date is not None and task.due_date <= today],
        "upcoming": [task for task in shown if task.due_date is None or task.due_date > today],
        "total": shown[0].total if shown else 0,
        "due_count": shown[0].due_total if shown else 0,
        "today": today,
    }


def mention_list_for(*, user, limit: int = 10) -> dict:
    """Notes where `user` was @mentioned, newest first, with the note, its author and its case
    loaded; at most `limit`, with the count of all of them. Staff only (notes are internal).
    One query."""
    if not is_staff_member(user):
        return {"mentions": [], "total": 0}
    shown = list(
        NoteMention.objects.filter(user=user)
        .select_related("note__author", "note__case")
        .only(
            "id",
            "note__id",
            "note__body",
            "note__created_at",
            "note__case__id",
            "note__case__number",
            "note__author__id",
            "note__author__first_name",
            "note__author__last_name",
            "note__author__email",
        )
        .annotate(total=Window(Count("pk")))  # all of them, counted before the LIMIT
        .order_by("-note__created_at", "-pk")[:limit]
    )
    total = shown[0].total if shown else 0
    return {"mentions": shown, "total": total}


def saved_filter_list_for(*, user) -> QuerySet[SavedFilter]:
    """`user`'s own saved worktray views, by name."""
    if not is_staff_member(user):
        return SavedFilter.objects.none()
    return SavedFilter.objects.filter(user=user).order_by("name", "pk")


def saved_filter_get(*, user, saved_filter_id: int) -> SavedFilter:
    """One of `user`'s saved views. Raises NotFound for anyone else's (or none)."""
    found = saved_filter_list_for(user=user).filter(pk=saved_filter_id).first()
    if found is None:
        raise errors.NotFound("There is no such saved view.")
    return found


def worktray_query(params: QueryDict, **changes: str | None) -> str:
    """The url-encoded worktray view in `params` (only the worktray's own parameters, empty ones
    dropped, in a fixed order so equal views give equal strings), with `changes` applied (None
    removes a parameter)."""
    values = {key: params.get(key, "") for key in WORKTRAY_PARAMS}
    values.update({key: value or "" for key, value in changes.items()})
    return urlencode([(key, values[key]) for key in WORKTRAY_PARAMS if values[key]])


def days_since(moment: datetime.datetime | None) -> int | None:
    if moment is None:
        return None
    return (timezone.localdate() - timezone.localtime(moment).date()).days
