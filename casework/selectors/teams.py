"""Reads of teams, their queues and the cases waiting in a queue, with the permission rules
applied: every staff member sees them all (only the queue's team may take its cases: see
casework.permissions.can_take_from_queue); applicants see none."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet

from casework.models import Case, Priority, Queue, Status, Team
from casework.permissions import can_view_people_and_places
from casework.selectors.cases import case_list_for
from core import errors
from core.models import User


def _is_staff(user) -> bool:
    # Teams and queues are visible to the same people as the caseload: staff.
    return can_view_people_and_places(user)


def team_list_for(*, user) -> QuerySet[Team]:
    """Teams, with their active members and queues loaded; none for anyone who is not staff."""
    if not _is_staff(user):
        return Team.objects.none()
    members = User.objects.filter(is_active=True).order_by("last_name", "first_name", "email")
    return Team.objects.prefetch_related(Prefetch("members", queryset=members), "queues")


def team_choice_list_for(*, user) -> QuerySet[Team]:
    """Teams by name, for a picker: no members or queues loaded. None for anyone but staff."""
    if not _is_staff(user):
        return Team.objects.none()
    return Team.objects.order_by("name", "pk")


def queue_choice_list_for(*, user) -> QuerySet[Queue]:
    """Queues by name, for a picker: no counts of their cases. None for anyone but staff."""
    if not _is_staff(user):
        return Queue.objects.none()
    return Queue.objects.order_by("name", "pk")


def queue_list_for(*, user, team: Team | None = None) -> QuerySet[Queue]:
    """Queues (of `team`, if given) with their team and `open_cases`, the number of open cases
    each one owns; none for anyone who is not staff."""
    if not _is_staff(user):
        return Queue.objects.none()
    queues = (
        Queue.objects.select_related("team")
        .annotate(open_cases=Count("cases", filter=~Q(cases__status=Status.CLOSED)))
        .order_by("team__name", "name", "pk")  # an aggregate drops Meta.ordering
    )
    return queues.filter(team=team) if team is not None else queues


def queue_get(*, user, queue_id: int) -> Queue:
    """The queue, if `user` may see it. Raises NotFound otherwise."""
    queue = queue_list_for(user=user).filter(pk=queue_id).first()
    if queue is None:
        raise errors.NotFound("There is no such queue.")
    return queue


def queue_case_list_for(*, user, queue: Queue) -> QuerySet[Case]:
    """The open cases `queue` owns, as `user` may see them, in the order to work them: urgent
    first, then the oldest. None for anyone who is not staff."""
    if not _is_staff(user):
        return Case.objects.none()
    urgent_first = models.Case(models.When(priority=Priority.URGENT, then=models.Value(0)), default=models.Value(1))
    return (
        case_list_for(user=user)
        .filter(owner_queue=queue)
        .exclude(status=Status.CLOSED)
        .order_by(urgent_first, "created_at", "pk")
    )
