"""Celery jobs for routing: thin wrappers over assignments.routing, safe to run twice."""

from celery import shared_task
from django.utils import timezone

from assignments import routing
from assignments.services_supervisor import backlog_snapshot_take


@shared_task(name="assignments.routing_sweep", acks_late=True, ignore_result=True)
def routing_sweep() -> int:
    """The safety net behind event-driven routing: time out due offers (their cases go to the
    next person), then offer whatever still waits (routing.sweep). Returns the number of offers made."""
    return routing.sweep(now=timezone.now())


@shared_task(name="assignments.backlog_snapshot", acks_late=True, ignore_result=True)
def backlog_snapshot() -> int:
    """Record the routing backlog for the supervisor charts, once per 15-minute slot (a rerun in
    the same slot writes nothing)."""
    return backlog_snapshot_take(now=timezone.now())
