"""What an applicant may do about an appointment on their application, from the portal: cancel
it, or ask for it to be rearranged, both only up to the notice period before it starts
(settings.PORTAL_APPOINTMENT_CHANGE_NOTICE_HOURS; nearer the time they call us). Moving an
appointment is staff work: the applicant's request becomes a call-back task for the person
they are meeting, else the case's owner, else its queue's team."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from casework.models import Appointment, Case, CaseActivity, Notification, Task, Team
from casework.permissions import is_case_applicant
from casework.services import appointments as casework_appointments
from casework.services.clocks import clocks_on_task_created
from casework.services.common import lock_case
from casework.services.feed import feed_record
from casework.services.notifications import notify
from core import errors
from core.audit import audited
from core.models import User
from core.permissions import is_staff_member
from portal.selectors.status import OPEN_TASK, notice_hours

PREFERRED_MAX_LENGTH = 500
REASON_MAX_LENGTH = 1000


def _notice() -> datetime.timedelta:
    return datetime.timedelta(hours=notice_hours())


def _ensure_changeable(actor: User, appointment: Appointment, *, doing: str) -> None:
    """Refuse anyone but the case's applicant, a closed case, and an appointment that is not
    scheduled, has started, or is nearer than the notice period. Call with the case locked."""
    case = appointment.case
    if case is None or not is_case_applicant(actor, case):
        raise errors.PermissionDenied(f"Only the applicant can {doing} this appointment.")
    if case.is_closed:
        raise errors.Conflict(f"Application {case.number} is closed, so its appointments cannot be changed.")
    if appointment.status != Appointment.Status.SCHEDULED:
        raise errors.TransitionNotAllowed(f"This appointment is {appointment.get_status_display().lower()}.")
    if appointment.starts_at - timezone.now() < _notice():
        raise errors.Conflict("This appointment is too soon to be changed online.")


@transaction.atomic
def appointment_applicant_cancel(*, actor: User, appointment: Appointment, reason: str = "") -> Appointment:
    """The applicant cancels a scheduled appointment on their open application, at least the
    notice period before it starts (casework.services.appointments.appointment_cancel does the
    cancelling, feed entry and audit, and checks the notice again under its lock).
    Who: the case's applicant (or someone granted the case). Raises PermissionDenied,
    Conflict (closed case, too soon), TransitionNotAllowed (not scheduled), ValidationError
    (reason too long)."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise errors.ValidationError(fields={"reason": [f"Use at most {REASON_MAX_LENGTH} characters."]})
    if appointment.case_id is None or not is_case_applicant(actor, appointment.case):
        raise errors.PermissionDenied("Only the applicant can cancel this appointment.")
    return casework_appointments.appointment_cancel(
        actor=actor,
        appointment=appointment,
        reason=f"Cancelled by the applicant: {reason}" if reason else "Cancelled by the applicant.",
        applicant_notice=_notice(),
    )


def _who_rearranges(appointment: Appointment, case: Case) -> tuple[User | None, Team | None]:
    """(person, team) to give the request to: the member of staff the appointment is with, else
    the case's owner, else the team of the queue that owns the case; (None, None) if nobody."""
    if appointment.with_user is not None and is_staff_member(appointment.with_user):
        return appointment.with_user, None
    if case.owner is not None and is_staff_member(case.owner):
        return case.owner, None
    if case.owner_queue is not None:
        return None, case.owner_queue.team
    return None, None


@transaction.atomic
def appointment_rearrange_request(*, actor: User, appointment: Appointment, preferred: str, reason: str) -> Task:
    """The applicant asks for a scheduled appointment to be moved: one open call-back task with
    their preferred dates and times and their reason, for whoever will rearrange it
    (_who_rearranges; notified), and an entry on the case feed. One request at a time: while
    one is open another is refused. The appointment itself does not change until staff move it.
    Who: the case's applicant (or someone granted the case), at least the notice period before
    it starts. Raises PermissionDenied, ValidationError (nothing preferred, too long), Conflict
    (closed case, too soon, already asked), TransitionNotAllowed (not scheduled)."""
    preferred, reason = (preferred or "").strip(), (reason or "").strip()
    field_errors: dict[str, list[str]] = {}
    if not preferred:
        field_errors["preferred"] = ["Say which days and times would suit you."]
    elif len(preferred) > PREFERRED_MAX_LENGTH:
        field_errors["preferred"] = [f"Use at most {PREFERRED_MAX_LENGTH} characters."]
    if len(reason) > REASON_MAX_LENGTH:
        field_errors["reason"] = [f"Use at most {REASON_MAX_LENGTH} characters."]
    if field_errors:
        raise errors.ValidationError(fields=field_errors)
    if appointment.case_id is None:
        raise errors.PermissionDenied("Only the applicant can rearrange this appointment.")
    case = lock_case(appointment.case)
    appointment = Appointment.objects.select_for_update(of=("self",)).select_related("with_user").get(pk=appointment.pk)
    appointment.case = case
    _ensure_changeable(actor, appointment, doing="rearrange")
    already = CaseActivity.objects.filter(
        case=case,
        kind=CaseActivity.Kind.APPOINTMENT,
        data__appointment_id=appointment.pk,
        data__rearrange_request=True,
        task__status__in=OPEN_TASK,
    ).exists()
    if already:
        raise errors.Conflict("You have already asked for this appointment to be rearranged.")
    assignee, team = _who_rearranges(appointment, case)
    when = timezone.localtime(appointment.starts_at).strftime("%d %b %Y %H:%M")
    task = Task(
        case=case,
        kind=Task.Kind.CALLBACK,
        subject=f"Rearrange the appointment on {when}: the applicant asked"[:200],
        description=f"Preferred days and times: {preferred}\nReason: {reason or '(none given)'}",
        assignee=assignee,
        assignee_team=team,
        due_date=timezone.localdate(appointment.starts_at),
    )
    task.stamp(actor)
    with audited(actor=actor, action="appointment_rearrange_request"):
        task.save()
        clocks_on_task_created(task, now=task.created_at)
        feed_record(
            case=case,
            kind=CaseActivity.Kind.APPOINTMENT,
            actor=actor,
            summary=f"The applicant asked to rearrange the appointment on {when}",
            reason=reason,
            task=task,
            data={"appointment_id": appointment.pk, "rearrange_request": True, "preferred": preferred},
        )
        recipients = [assignee] if assignee is not None else list(team.members.all()) if team is not None else []
        if recipients:
            notify(
                recipients=recipients,
                kind=Notification.Kind.TASK_ASSIGNED,
                message=task.subject,
                case=case,
                task=task,
            )
    return task
