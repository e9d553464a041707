"""Writes for the supervisor pages that no other service covers: the backlog snapshots behind the
"backlog over time" chart."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from assignments.models import BacklogSnapshot, CaseRouting, Skill

SNAPSHOT_SLOT = datetime.timedelta(minutes=15)


def snapshot_slot(at: datetime.datetime) -> datetime.datetime:
    """The start of the 15-minute slot `at` falls in (UTC-aligned, so every worker agrees)."""
    epoch = int(at.timestamp())
    seconds = int(SNAPSHOT_SLOT.total_seconds())
    return datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC)


@transaction.atomic
def backlog_snapshot_take(*, now: datetime.datetime | None = None) -> int:
    """Record the backlog as it is now, for the slot `now` falls in: one row per skill set (cases
    awaiting assignment, the longest wait) and one total row. Running it again in the same slot
    writes nothing (a unique constraint, so two workers cannot both write a slot).

    Who: the system (the periodic job); there is no actor. Returns the number of rows it tried
    to write (0 when the slot was already recorded)."""
    now = now or timezone.now()
    slot = snapshot_slot(now)
    if BacklogSnapshot.objects.filter(taken_at=slot).exists():
        return 0  # the cheap common case of a rerun; the constraint below settles any race
    # Grouped by the skill-id array as stored: the router writes it sorted and de-duplicated.
    rows = list(
        CaseRouting.objects.filter(state=CaseRouting.State.AWAITING)
        .order_by()
        .values("skill_ids")
        .annotate(cases=Count("pk"), oldest=Min("waiting_since"))
    )
    wanted = {pk for row in rows for pk in row["skill_ids"]}
    codes = dict(Skill.objects.filter(pk__in=wanted).values_list("pk", "code"))

    def wait(oldest: datetime.datetime | None) -> int:
        return max(0, int((now - oldest).total_seconds())) if oldest else 0

    grouped: dict[str, tuple[int, datetime.datetime | None]] = {}
    for row in rows:
        # A case needing no particular skill gets "-", so it never collides with the total row.
        key = ", ".join(sorted({codes.get(pk, f"#{pk}") for pk in row["skill_ids"]})) or "-"
        cases, oldest = grouped.get(key, (0, None))
        grouped[key] = (cases + row["cases"], min(filter(None, [oldest, row["oldest"]]), default=None))
    total_oldest = min((oldest for _, oldest in grouped.values() if oldest), default=None)
    snapshots = [
        BacklogSnapshot(taken_at=slot, skill_set=key, cases=cases, oldest_wait_seconds=wait(oldest))
        for key, (cases, oldest) in sorted(grouped.items())
    ]
    snapshots.append(
        BacklogSnapshot(
            taken_at=slot,
            skill_set=BacklogSnapshot.TOTAL,
            cases=sum(cases for cases, _ in grouped.values()),
            oldest_wait_seconds=wait(total_oldest),
        )
    )
    BacklogSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
    return len(snapshots)
