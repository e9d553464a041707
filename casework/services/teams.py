"""Teams, their members and their work queues, and taking a case from a queue.

Supervisors set teams and queues up; a case owned by a queue waits there until a member of the
queue's team takes it. Every function is one transaction, checks who is acting and runs under an
audit context. actor None means the system (demo data, imports, jobs).
"""

from __future__ import annotations

from django.db import transaction

from casework.models import Case, Queue, Team, TeamMembership
from casework.permissions import can_configure_casework, can_take_from_queue
from casework.services.cases import case_owner_apply, queue_label
from casework.services.common import clean_text, constraint_errors, full_clean, lock_case, require
from core import errors
from core.audit import audited
from core.models import User
from core.permissions import is_staff_member

_CONFIGURE = "Only supervisors can set up teams and queues."

# --- teams and queues ------------------------------------------------------------------------


@transaction.atomic
def team_create(*, actor: User | None, code: str, name: str, email: str = "") -> Team:
    """Add a team (back office, appeals, rents). Who: supervisors and administrators (or the
    system). Raises PermissionDenied, or ValidationError for a blank or malformed field, or a
    code or name already in use."""
    require(actor, can_configure_casework, _CONFIGURE)
    team = Team(code=clean_text(code).lower(), name=clean_text(name), email=(email or "").strip())
    team.stamp(actor)
    full_clean(team)
    with (
        audited(actor=actor, action="team_create"),
        constraint_errors(
            {
                "casework_team_code_key": ("code", "A team with this code already exists."),
                "casework_team_name_key": ("name", "A team with this name already exists."),
            }
        ),
    ):
        team.save()
    return team


@transaction.atomic
def team_member_add(*, actor: User | None, team: Team, user: User) -> TeamMembership:
    """Put a staff member in a team, so they see its referrals and can take its queues' cases.
    Who: supervisors and administrators (or the system). Raises PermissionDenied, or
    ValidationError (field "user") for an applicant or inactive account, or someone already in
    the team."""
    require(actor, can_configure_casework, _CONFIGURE)
    if not is_staff_member(user):
        raise errors.ValidationError(fields={"user": [f"{user} is not an active staff member, so cannot join a team."]})
    if team.members.filter(pk=user.pk).exists():
        raise errors.ValidationError(fields={"user": [f"{user} is already a member of {team}."]})
    membership = TeamMembership(team=team, user=user)
    with (
        audited(actor=actor, action="team_member_add"),
        constraint_errors({"casework_team_member_once": ("user", f"{user} is already a member of {team}.")}),
    ):
        membership.save()
    return membership


@transaction.atomic
def team_member_remove(*, actor: User | None, team: Team, user: User) -> None:
    """Take a staff member out of a team. Cases they already took stay theirs (reassigning them
    is a separate step). Who: supervisors and administrators (or the system). Raises
    PermissionDenied, or ValidationError (field "user") if they are not in the team."""
    require(actor, can_configure_casework, _CONFIGURE)
    membership = TeamMembership.objects.select_for_update().filter(team=team, user=user).first()
    if membership is None:
        raise errors.ValidationError(fields={"user": [f"{user} is not a member of {team}."]})
    with audited(actor=actor, action="team_member_remove"):
        membership.delete()


@transaction.atomic
def queue_create(*, actor: User | None, team: Team, code: str, name: str) -> Queue:
    """Add a work queue to a team. Who: supervisors and administrators (or the system).
    Raises PermissionDenied, or ValidationError for a blank or malformed field or a code already
    in use."""
    require(actor, can_configure_casework, _CONFIGURE)
    queue = Queue(team=team, code=clean_text(code).lower(), name=clean_text(name))
    queue.stamp(actor)
    full_clean(queue, exclude=["team"])
    with (
        audited(actor=actor, action="queue_create"),
        constraint_errors({"casework_queue_code_key": ("code", "A queue with this code already exists.")}),
    ):
        queue.save()
    return queue


# --- case ownership --------------------------------------------------------------------------


@transaction.atomic
def queue_case_take(*, actor: User, case: Case, queue: Queue | None = None) -> Case:
    """`actor` takes an open case waiting in a queue: they become its owner and the queue lets
    it go. Give `queue` (the queue the actor was looking at) to be refused if the case has
    meanwhile moved elsewhere. Who: members of the queue's team. Raises Conflict if the case is
    closed, already owned by a person, or not (or no longer) in the queue; PermissionDenied for
    anyone outside the team."""
    if actor is None:
        raise errors.ValidationError("A case is taken from a queue by a person, not by the system.")
    case = lock_case(case)
    if case.is_closed:
        raise errors.Conflict(f"Case {case.number} is closed, so it cannot be taken from a queue.")
    if case.owner_id is not None:
        raise errors.Conflict(
            f"Case {case.number} is already owned by {case.owner}; ask them or a supervisor to reassign it."
        )
    current = case.owner_queue
    if current is None:
        raise errors.Conflict(f"Case {case.number} is not waiting in a queue.")
    if queue is not None and current.pk != queue.pk:
        raise errors.Conflict(f"Case {case.number} has moved from {queue_label(queue)} to {queue_label(current)}.")
    require(
        actor,
        lambda user: can_take_from_queue(user, current),
        f"Only members of {current.team.name} can take cases from {queue_label(current)}.",
    )
    with audited(actor=actor, action="queue_case_take"):
        case_owner_apply(actor=actor, case=case, owner=actor, reason=f"Taken from {queue_label(current)}")
    return case
