"""Reads of appointments, with the case's visibility rules (casework.selectors.cases): staff see
every appointment; an applicant sees, read-only, the appointments on their own cases."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.models import Appointment, Case
from casework.selectors.cases import case_get, case_list_for
from core import errors
from core.permissions import is_staff_member


def appointment_list_for(*, user, case_id: int | Case) -> QuerySet[Appointment]:
    """The appointments on a case `user` may see (its own, and its tasks'), soonest first.
    Raises NotFound otherwise."""
    case = case_get(user=user, case_id=case_id)
    return Appointment.objects.filter(case=case).select_related("with_user", "task").order_by("starts_at", "id")


def appointment_get(*, user, appointment_id: int) -> Appointment:
    """An appointment `user` may see: staff see every one; an applicant sees those on their
    cases. Raises NotFound otherwise."""
    appointments = Appointment.objects.select_related("case", "task", "with_user")
    if not is_staff_member(user):
        appointments = appointments.filter(case__in=case_list_for(user=user).values("pk"))
    appointment = appointments.filter(pk=appointment_id).first()
    if appointment is None:
        raise errors.NotFound("There is no such appointment.")
    return appointment
