"""Appointments on cases and tasks: book, change, cancel, complete, mark missed.

An appointment is in person (at a place), by phone (on a number) or by video, with a member of
staff or a named person. Booked appointments are "scheduled"; each of the three endings is
final. Every change to an appointment on a case is written to the case's feed; a closed case's
appointments are read-only except to supervisors. Applicants see their cases' appointments
(casework.selectors.appointments); the only change they may make is cancelling one on their own
open case, through the portal, which gives its notice period (portal.services.appointments)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from casework.models import Appointment, Case, CaseActivity, Task
from casework.permissions import can_work_case, is_case_applicant
from casework.services.common import (
    NON_FIELD,
    clean_text,
    ensure_case_open,
    full_clean,
    lock_case,
    raise_if,
    validate_phone,
)
from casework.services.feed import feed_record
from core import errors
from core.audit import audited
from core.models import User
from core.permissions import is_staff_member

Mode = Appointment.Mode
AppointmentStatus = Appointment.Status

# The fields appointment_update may change.
EDITABLE_FIELDS = ("starts_at", "ends_at", "mode", "location", "with_user", "with_name", "notes")


@dataclass
class _Details:
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    mode: str
    location: str
    with_user: User | None
    with_name: str
    notes: str


def _clean_details(details: _Details) -> _Details:
    """Validate what, when, where and with whom; raises ValidationError listing every problem."""
    field_errors: dict[str, list[str]] = {}
    details.location = clean_text(details.location)
    details.with_name = clean_text(details.with_name)
    details.notes = (details.notes or "").strip()
    if details.starts_at is None:
        field_errors["starts_at"] = ["Give the date and time the appointment starts."]
    elif timezone.is_naive(details.starts_at):
        field_errors["starts_at"] = ["Give the start time with its time zone."]
    if details.ends_at is not None:
        if timezone.is_naive(details.ends_at):
            field_errors["ends_at"] = ["Give the end time with its time zone."]
        elif details.starts_at is not None and "starts_at" not in field_errors and details.ends_at <= details.starts_at:
            field_errors["ends_at"] = ["The appointment must end after it starts."]
    if details.mode not in Mode.values:
        field_errors["mode"] = [f"Choose how the appointment happens: one of {', '.join(Mode.values)}."]
    elif details.mode == Mode.PHONE:
        if not details.location:
            field_errors["location"] = ["A phone appointment needs the number to call."]
        else:
            phone_errors: dict[str, list[str]] = {}
            details.location = validate_phone(details.location, phone_errors)
            if phone_errors:
                field_errors["location"] = ["Enter the number to call using digits, spaces and an optional +."]
    elif details.mode == Mode.IN_PERSON and not details.location:
        field_errors["location"] = ["An in-person appointment needs a place: an address or an office."]
    if details.with_user is not None and not is_staff_member(details.with_user):
        field_errors["with_user"] = ["Choose a member of staff, or give the person's name instead."]
    if details.with_user is None and not details.with_name:
        field_errors[NON_FIELD] = ["Say who the appointment is with: a member of staff or a person's name."]
    raise_if(field_errors)
    return details


def _describe(appointment: Appointment) -> str:
    when = timezone.localtime(appointment.starts_at).strftime("%d %b %Y %H:%M")
    who = str(appointment.with_user) if appointment.with_user else appointment.with_name
    return f"{appointment.get_mode_display().lower()} on {when} with {who}"


def _ensure_may_change(actor: User | None, case: Case | None, *, doing: str) -> None:
    if actor is not None and not is_staff_member(actor):
        raise errors.PermissionDenied("Only staff can arrange or change appointments.")
    if case is not None:
        if actor is not None and not can_work_case(actor, case):
            raise errors.PermissionDenied("You cannot change this case's appointments.")
        ensure_case_open(actor, case, doing=doing)


def _record(appointment: Appointment, *, actor, summary: str, reason: str = "") -> None:
    case = appointment.case
    if case is None:
        return
    feed_record(
        case=case,
        kind=CaseActivity.Kind.APPOINTMENT,
        actor=actor,
        summary=summary,
        reason=reason,
        task=appointment.task,
        data={"appointment_id": appointment.pk, "status": appointment.status, "mode": appointment.mode},
    )


@transaction.atomic
def appointment_create(
    *,
    actor: User | None,
    case: Case | None = None,
    task: Task | None = None,
    starts_at: datetime.datetime | None,
    mode: str,
    ends_at: datetime.datetime | None = None,
    location: str = "",
    with_user: User | None = None,
    with_name: str = "",
    notes: str = "",
) -> Appointment:
    """Book an appointment on a case, or on a task (which puts it on the task's case too).

    Who: staff (or the system); not on a closed case, except supervisors. Raises PermissionDenied,
    Conflict (closed case, finished task), or ValidationError: no case or task, a task on another
    case, an end not after the start, a phone appointment without a valid number, an in-person one
    without a place, or nobody to meet."""
    if task is not None:
        if case is not None and task.case_id != case.pk:
            raise errors.ValidationError(fields={"task": ["That task belongs to a different case."]})
        if task.case_id is not None:
            case = task.case
        if task.is_finished:
            raise errors.Conflict(f"The task “{task.subject}” is {task.get_status_display().lower()}.")
    if case is None and task is None:
        raise errors.ValidationError(fields={NON_FIELD: ["An appointment belongs to a case or a task."]})
    if case is not None:
        case = lock_case(case)
    _ensure_may_change(actor, case, doing="book appointments on it")
    details = _clean_details(_Details(starts_at, ends_at, mode, location, with_user, with_name, notes))
    appointment = Appointment(case=case, task=task, status=AppointmentStatus.SCHEDULED, **vars(details))
    appointment.stamp(actor)
    full_clean(appointment)
    with audited(actor=actor, action="appointment_create"):
        appointment.save()
        _record(appointment, actor=actor, summary=f"Appointment booked: {_describe(appointment)}")
    return appointment


def _lock(appointment: Appointment) -> tuple[Appointment, Case | None]:
    """Lock the appointment's case (first, like every case change) and then the appointment."""
    case = lock_case(appointment.case) if appointment.case_id else None
    locked = (
        Appointment.objects.select_for_update(of=("self",)).select_related("with_user", "task").get(pk=appointment.pk)
    )
    if case is not None:
        locked.case = case
    return locked, case


def _ensure_scheduled(appointment: Appointment) -> None:
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise errors.TransitionNotAllowed(
            f"This appointment is already {appointment.get_status_display().lower()}: only a scheduled "
            "appointment can be changed, cancelled, completed or marked as missed."
        )


@transaction.atomic
def appointment_update(*, actor: User | None, appointment: Appointment, **changes) -> Appointment:
    """Change a scheduled appointment's time, mode, place, who it is with, or notes (any of
    EDITABLE_FIELDS; others are refused). Who: staff (or the system); not on a closed case, except
    supervisors. Raises PermissionDenied, Conflict (closed case; the appointment already ended),
    or ValidationError as appointment_create."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise errors.ValidationError(fields={name: ["This cannot be changed here."] for name in sorted(unknown)})
    appointment, case = _lock(appointment)
    _ensure_may_change(actor, case, doing="change its appointments")
    _ensure_scheduled(appointment)
    current = {name: getattr(appointment, name) for name in EDITABLE_FIELDS}
    details = _clean_details(_Details(**{**current, **changes}))
    changed = sorted(name for name, value in vars(details).items() if value != current[name])
    if not changed:
        return appointment
    for name in changed:
        setattr(appointment, name, getattr(details, name))
    appointment.stamp(actor)
    full_clean(appointment)
    with audited(actor=actor, action="appointment_update"):
        appointment.save()
        moved = "Appointment moved" if {"starts_at", "ends_at"} & set(changed) else "Appointment changed"
        _record(appointment, actor=actor, summary=f"{moved}: {_describe(appointment)}")
    return appointment


# The three endings: (feed summary, audit action). Each is final.
_ENDINGS: dict[str, tuple[str, str]] = {
    AppointmentStatus.CANCELLED: ("Appointment cancelled", "appointment_cancel"),
    AppointmentStatus.COMPLETED: ("Appointment held", "appointment_complete"),
    AppointmentStatus.MISSED: ("Appointment missed", "appointment_mark_missed"),
}


def _finish(
    actor: User | None,
    appointment: Appointment,
    status: str,
    reason: str,
    *,
    applicant_notice: datetime.timedelta | None = None,
) -> Appointment:
    summary, action = _ENDINGS[status]
    appointment, case = _lock(appointment)
    if applicant_notice is not None and case is not None and actor is not None and is_case_applicant(actor, case):
        if case.is_closed:
            raise errors.Conflict(f"Case {case.number} is closed, so its appointments cannot be changed.")
        if appointment.starts_at - timezone.now() < applicant_notice:
            raise errors.Conflict("This appointment is too soon to be cancelled online.")
    else:
        _ensure_may_change(actor, case, doing="change its appointments")
    _ensure_scheduled(appointment)
    if status == AppointmentStatus.MISSED and appointment.starts_at > timezone.now():
        raise errors.Conflict("This appointment has not started yet, so it cannot have been missed.")
    appointment.status = status
    reason = (reason or "").strip()
    if reason:
        appointment.notes = f"{appointment.notes}\n{reason}".strip()
    appointment.stamp(actor)
    with audited(actor=actor, action=action):
        appointment.save()
        _record(appointment, actor=actor, summary=f"{summary}: {_describe(appointment)}", reason=reason)
    return appointment


@transaction.atomic
def appointment_cancel(
    *,
    actor: User | None,
    appointment: Appointment,
    reason: str = "",
    applicant_notice: datetime.timedelta | None = None,
) -> Appointment:
    """Cancel a scheduled appointment, with an optional reason (added to its notes and the feed).
    Who: staff (or the system); not on a closed case, except supervisors. With
    `applicant_notice` (the portal's notice period) also the case's applicant (or whoever they
    were granted the case to), on their open case, at least that long before it starts; without
    it applicants are refused, as everywhere else. Raises PermissionDenied, or Conflict when the
    case is closed, the appointment already ended or is nearer than the notice."""
    return _finish(actor, appointment, AppointmentStatus.CANCELLED, reason, applicant_notice=applicant_notice)


@transaction.atomic
def appointment_complete(*, actor: User | None, appointment: Appointment, outcome: str = "") -> Appointment:
    """Record that a scheduled appointment took place, with an optional outcome (added to its
    notes and the feed). Who and raises: as appointment_cancel."""
    return _finish(actor, appointment, AppointmentStatus.COMPLETED, outcome)


@transaction.atomic
def appointment_mark_missed(*, actor: User | None, appointment: Appointment, reason: str = "") -> Appointment:
    """Record that a scheduled appointment did not happen because someone did not attend. Only
    once it has started. Who and raises: as appointment_cancel, and Conflict before the start."""
    return _finish(actor, appointment, AppointmentStatus.MISSED, reason)
