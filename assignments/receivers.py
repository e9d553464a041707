"""How routing follows casework: connected to casework.signals in AssignmentsConfig.ready, so
casework never imports assignments. Each receiver runs inside the casework service's
transaction: the routing bookkeeping and any offers it makes commit or roll back with it."""

from __future__ import annotations

from django.utils import timezone

from assignments import routing
from assignments.services import _route_after


def on_case_created(sender, case, actor, **kwargs) -> None:
    now = timezone.now()
    freed = routing.case_refresh(case, now=now)
    if case.owner_id:
        freed += routing.case_assigned_by_hand(case, case.owner_id, now=now)
    elif case.owner_queue_id:
        freed += routing.case_queued(case, now=now)
    _route_after(now=now, case_ids=[case.pk], freed_user_ids=freed)


def on_case_status_changed(sender, case, actor, **kwargs) -> None:
    """A new chevron is routed afresh with its own skills (rule 9), even if it was assigned by
    hand on the last one (rule 8); whoever held it gets the capacity back."""
    now = timezone.now()
    freed = routing.case_refresh(case, now=now)
    _route_after(now=now, case_ids=[case.pk], freed_user_ids=freed)


def on_case_owner_changed(sender, case, actor, **kwargs) -> None:
    if routing.routing_write.get():
        return  # the router's own write (an accepted offer)
    now = timezone.now()
    if case.owner_id:
        freed = routing.case_assigned_by_hand(case, case.owner_id, now=now)
        _route_after(now=now, freed_user_ids=freed)
    elif case.owner_queue_id:
        _route_after(now=now, freed_user_ids=routing.case_queued(case, now=now))
    else:
        freed = routing.case_released(case, now=now)
        _route_after(now=now, case_ids=[case.pk], freed_user_ids=freed)
