"""Celery jobs for routing: thin wrappers over assignments.routing, safe to run twice."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from assignments import routing


@shared_task(name="assignments.routing_sweep", acks_late=True, ignore_result=True)
def routing_sweep() -> int:
    """The safety net behind event-driven routing: time out due offers (their cases go to the
    next person), then offer whatever still waits. Returns the number of offers made."""
    now = timezone.now()
    with transaction.atomic():
        case_ids, freed = routing.offers_expire(now=now)
    made = routing.route(now=now, case_ids=case_ids) if case_ids else 0
    for user_id in dict.fromkeys(freed):
        made += routing.route(now=now, for_user_id=user_id)
    return made + routing.route(now=now)
