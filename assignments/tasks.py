"""Celery jobs for routing: thin wrappers over assignments.routing, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from assignments import routing


@shared_task(name="assignments.routing_sweep", acks_late=True, ignore_result=True)
def routing_sweep() -> int:
    """The safety net behind event-driven routing: time out due offers (their cases go to the
    next person), then offer whatever still waits (routing.sweep). Returns the number of offers made."""
    return routing.sweep(now=timezone.now())
