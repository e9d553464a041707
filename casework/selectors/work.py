"""Reads of the work on cases, with the permission rules applied: tasks, notes, the case feed
and each user's notifications. Tasks, notes and the feed are staff-only (notes are internal);
a notification is seen only by its recipient."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from casework.models import Case, CaseActivity, Note, Notification, Task, Team, TeamMembership
from casework.selectors.cases import case_get
from core import errors
from core.permissions import is_staff_member


def _id(value) -> int:
    return getattr(value, "pk", value)


def _staff_case(user, case: Case | int, what: str) -> Case:
    """The case if `user` may see it (NotFound otherwise, as case_get), and only for staff."""
    found = case_get(user=user, case_id=case)
    if not is_staff_member(user):
        raise errors.PermissionDenied(f"{what} is for staff.")
    return found


# --- tasks -----------------------------------------------------------------------------------


def task_list_for(
    *,
    user,
    mine: bool = False,
    team: Team | int | None = None,
    status: str | Iterable[str] | None = None,
    case: Case | int | None = None,
) -> QuerySet[Task]:
    """Tasks `user` may see (staff see every task; anyone else none), soonest due first (no due
    date last), then oldest. `mine`: tasks assigned to the user or to a team they belong to.
    `team`: tasks assigned to that team. `status`: one status or several. `case`: that case's."""
    if not is_staff_member(user):
        return Task.objects.none()
    tasks = Task.objects.select_related("case", "assignee", "assignee_team", "created_by", "completed_by")
    if mine:
        my_teams = TeamMembership.objects.filter(user=user).values("team_id")
        tasks = tasks.filter(Q(assignee=user) | Q(assignee_team__in=my_teams))
    if team is not None:
        tasks = tasks.filter(assignee_team=_id(team))
    if status:
        tasks = tasks.filter(status__in=[status] if isinstance(status, str) else list(status))
    if case is not None:
        tasks = tasks.filter(case=_id(case))
    return tasks.order_by("due_date", "created_at", "pk")  # ascending dates put nulls last in PostgreSQL


def task_get(*, user, task_id: int) -> Task:
    """The task, if `user` may see it. Raises NotFound otherwise."""
    task = task_list_for(user=user).filter(pk=task_id).first()
    if task is None:
        raise errors.NotFound("There is no such task.")
    return task


# --- notes and the feed ----------------------------------------------------------------------


def note_list_for(*, user, case: Case | int) -> QuerySet[Note]:
    """The case's notes, newest first, with author and mentioned staff loaded. Raises NotFound
    for a case the user may not see, PermissionDenied for anyone but staff."""
    found = _staff_case(user, case, "The notes on a case are")
    notes = Note.objects.filter(case=found).select_related("author").prefetch_related("mentions")
    return notes.order_by("-created_at", "-pk")


def case_feed(*, user, case: Case | int) -> QuerySet[CaseActivity]:
    """The case's timeline, newest first, with the actor and any note (and its author), task or
    document loaded. Raises NotFound for a case the user may not see (checked by case_get), and
    PermissionDenied for anyone but staff: the feed holds internal notes."""
    found = _staff_case(user, case, "The case feed")
    return (
        CaseActivity.objects.filter(case=found)
        .select_related("actor", "note__author", "task__assignee", "task__assignee_team", "document")
        .prefetch_related("note__mentions")
        .order_by("-at", "-id")
    )


# --- notifications ---------------------------------------------------------------------------


def notification_list_for(*, user, unread: bool | None = None) -> QuerySet[Notification]:
    """`user`'s own notifications, unread first, then newest first. `unread` True: only unread;
    False: only read. Anyone not signed in has none."""
    if not (user and user.is_authenticated and user.is_active):
        return Notification.objects.none()
    notifications = Notification.objects.filter(recipient=user).select_related("case", "task", "note")
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    unread_first = models.Case(
        models.When(read_at__isnull=True, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )
    return notifications.order_by(unread_first, "-created_at", "-pk")


def notification_unread_count(*, user) -> int:
    return notification_list_for(user=user, unread=True).count()


# --- people to mention or assign -------------------------------------------------------------

MENTION_SUGGESTIONS = 8


def staff_choice_list_for(*, user, case: Case) -> QuerySet:
    """The people a task or appointment on `case` can be given to, by name: `user`, the case's
    owner, and the active staff of `user`'s teams and of the team whose queue holds the case.
    Deliberately not all staff: a picker of thousands is unusable, and work for another team
    goes to it as a referral. None for anyone but staff."""
    from core.models import User

    if not is_staff_member(user):
        return User.objects.none()
    my_teams = TeamMembership.objects.filter(user_id=user.pk).values("team_id")
    shares_a_team = TeamMembership.objects.filter(user_id=models.OuterRef("pk")).filter(
        models.Q(team_id__in=my_teams) | models.Q(team__queues__pk=case.owner_queue_id or 0)
    )
    return User.objects.filter(
        models.Q(pk=user.pk) | models.Q(pk=case.owner_id or 0) | models.Exists(shares_a_team),
        kind=User.Kind.STAFF,
        is_active=True,
    ).order_by("first_name", "last_name", "email")


def mention_suggestion_list_for(*, user, search: str, limit: int = MENTION_SUGGESTIONS) -> list:
    """Active staff whose handle (email local part), email or name starts with `search`, for the
    note form's @mention autocomplete. Each carries `mention`: what to type after "@" so that
    casework.services.notes resolves it to them (the handle, or the full email when several staff
    share the handle). One query; none for anyone but staff or for an empty search."""
    from core.models import User

    search = (search or "").strip().lstrip("@")
    if not is_staff_member(user) or not search:
        return []
    split = models.Func(models.F("email"), models.Value("@"), models.Value(1), function="split_part")
    handle = Lower(models.ExpressionWrapper(split, output_field=models.CharField()))
    staff = User.objects.filter(kind=User.Kind.STAFF, is_active=True)
    sharing = (
        staff.annotate(other_handle=handle)
        .filter(other_handle=models.OuterRef("handle"))
        .values("other_handle")
        .annotate(n=models.Count("pk"))
        .values("n")
    )
    matches = (
        staff.annotate(handle=handle, sharing=models.Subquery(sharing[:1]))
        .filter(Q(email__istartswith=search) | Q(first_name__istartswith=search) | Q(last_name__istartswith=search))
        .order_by("first_name", "last_name", "email")[:limit]
    )
    people = list(matches)
    for person in people:
        mention = person.handle if (person.sharing or 0) <= 1 else person.email.lower()
        person.mention = mention  # type: ignore[attr-defined]  # what to type after "@"
    return people
