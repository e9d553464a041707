"""How routing follows casework: connected to casework.signals in AssignmentsConfig.ready, so
casework never imports assignments. Each receiver runs inside the casework service's
transaction: the routing bookkeeping and any offers it makes commit or roll back with it."""

from __future__ import annotations

from django.utils import timezone

from assignments import routing
from assignments.models import CaseRouting
from casework.models import Case


def on_case_created(sender, case, actor, **kwargs) -> None:
    """A new case owned by someone (its creator, by default) or by a team queue is outside
    dynamic routing; an unowned one is offered now if its first chevron is routed. Most new
    cases start on a chevron nobody is routed to (a draft, an enquiry logged by its owner):
    those cost one query here, and get a routing row only when they reach a routed chevron."""
    if routing.required_skill_ids(case) is None:
        return
    now = timezone.now()
    if case.owner_id:
        routing.case_assigned_by_hand(case, case.owner_id, now=now)
    elif case.owner_queue_id:
        routing.case_queued(case, now=now)
    else:
        routing.case_refresh(case, now=now)
        if CaseRouting.objects.filter(pk=case.pk, state=CaseRouting.State.AWAITING).exists():
            routing.route_after(now=now, case_ids=[case.pk])


def on_case_status_changed(sender, case, actor, **kwargs) -> None:
    """A new chevron is routed afresh with its own skills (rule 9), even if it was assigned by
    hand on the last one (rule 8); whoever held it gets the capacity back."""
    now = timezone.now()
    freed = routing.case_refresh(case, now=now)
    routing.route_after(now=now, case_ids=[case.pk], freed_user_ids=freed)


def on_case_owner_changed(sender, case, actor, **kwargs) -> None:
    if routing.routing_write.get():
        return  # the router's own write (an accepted offer)
    now = timezone.now()
    if case.owner_id:
        freed = routing.case_assigned_by_hand(case, case.owner_id, now=now)
        routing.route_after(now=now, freed_user_ids=freed)
    elif case.owner_queue_id:
        routing.route_after(now=now, freed_user_ids=routing.case_queued(case, now=now))
    else:
        freed = routing.case_released(case, now=now)
        routing.route_after(now=now, case_ids=[case.pk], freed_user_ids=freed)


def on_cases_changed_by_rules(sender, case_ids, now, **kwargs) -> None:
    """SLA and timeout rules changed cases in bulk (made urgent, escalated, moved to a queue,
    timed out). Only the cases the router holds need anything: most timed clocks are on cases
    nobody is routed (drafts, queues), and those cost this one query."""
    held = list(
        CaseRouting.objects.filter(pk__in=case_ids)
        .exclude(state=CaseRouting.State.NOT_ROUTABLE)
        .values_list("pk", flat=True)
    )
    if not held:
        return
    freed: list[int] = []
    reroute: list[int] = []
    for case in Case.objects.filter(pk__in=held).select_related("property__patch", "contact").order_by("pk"):
        if case.is_closed:
            freed += routing.case_refresh(case, now=now)
        elif case.owner_queue_id:
            freed += routing.case_queued(case, now=now)
        else:
            freed += routing.case_escalated(case, now=now)
            reroute.append(case.pk)
    routing.route_after(now=now, case_ids=reroute, freed_user_ids=freed)
