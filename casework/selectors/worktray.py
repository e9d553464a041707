"""Reads behind a caseworker's worktray (/staff/): their open cases with what the list shows
(patch, priority rank), the cases per chevron, their tasks due, where they were @mentioned and
their saved views. Each read is one or two queries whatever the number of rows, so the page's
query count stays constant (tests/casework/test_worktray_views.py checks it at 10 and 1,000)."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.db.models import Case as When_
from django.db.models import Count, F, IntegerField, Q, QuerySet, Value, When
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

OPEN_STATUSES = [status for status in Status.values if status != Status.CLOSED]


def priority_rank() -> When_:
    return When_(
        *(When(priority=value, then=Value(rank)) for value, rank in PRIORITY_RANK.items()),
        default=Value(len(PRIORITY_RANK)),
        output_field=IntegerField(),
    )


def worktray_case_list_for(*, user) -> QuerySet[Case]:
    """`user`'s open cases (owned by them in person, not through a queue), with the case type and
    contact loaded and annotated with `patch_id`/`patch_code` (the property's patch, else the
    tenancy's property's) and `priority_rank` (0 = most urgent). Urgent first, then oldest.
    Anyone but staff gets none."""
    if not is_staff_member(user):
        return Case.objects.none()
    return (
        case_list_for(user=user)
        .filter(owner=user)
        .exclude(status=Status.CLOSED)
        .select_related(None)
        .select_related("case_type", "contact")
        .annotate(
            patch_id=Coalesce(F("property__patch_id"), F("tenancy__property__patch_id")),
            patch_code=Coalesce(F("property__patch__code"), F("tenancy__property__patch__code")),
            priority_rank=priority_rank(),
        )
        .order_by("priority_rank", "created_at", "pk")
    )


def chevron_counts(cases: QuerySet[Case], *, current: str = "") -> list[dict]:
    """How many of `cases` sit on each chevron, in the chevrons' own order (one GROUP BY query):
    [{"status", "label", "count", "current"}], only chevrons with cases (and the current one)."""
    counts = {row["status"]: row["n"] for row in cases.order_by().values("status").annotate(n=Count("pk"))}
    return [
        {"status": status, "label": Status(status).label, "count": counts.get(status, 0), "current": status == current}
        for status in OPEN_STATUSES
        if counts.get(status) or status == current
    ]


def worktray_task_list_for(*, user, limit: int = 20) -> dict:
    """`user`'s own open tasks (assigned to them in person, not to a team), due today or earlier
    first (soonest first), then upcoming, then those with no due date; at most `limit`, with the
    counts of all of them. Two queries."""
    today = timezone.localdate()
    tasks = task_list_for(user=user, status=[Task.Status.OPEN, Task.Status.IN_PROGRESS]).filter(assignee=user)
    totals = tasks.order_by().aggregate(total=Count("pk"), due=Count("pk", filter=Q(due_date__lte=today)))
    shown = list(tasks.select_related(None).select_related("case")[:limit]) if totals["total"] else []
    return {
        "due": [task for task in shown if task.due_date is not None and task.due_date <= today],
        "upcoming": [task for task in shown if task.due_date is None or task.due_date > today],
        "total": totals["total"],
        "due_count": totals["due"],
        "today": today,
    }


def mention_list_for(*, user, limit: int = 10) -> dict:
    """Notes where `user` was @mentioned, newest first, with the note, its author and its case
    loaded; at most `limit`, with the count of all of them. Staff only (notes are internal).
    Two queries."""
    if not is_staff_member(user):
        return {"mentions": [], "total": 0}
    mentions = NoteMention.objects.filter(user=user)
    total = mentions.count()
    shown = (
        list(
            mentions.select_related("note__author", "note__case__case_type").order_by("-note__created_at", "-pk")[
                :limit
            ]
        )
        if total
        else []
    )
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
