"""Writes for stipends: setting up a monthly future-rent schedule, making the payments it is due,
and stopping it (payments.models.stipends).

A month is always the date of its 1st (`month_start`), and month arithmetic is calendar
arithmetic (dateutil's relativedelta), never a count of days: the month a stipend pays for is
never off by one, across year ends and in February of a leap year alike."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from casework.models import Case
from casework.services.common import full_clean
from core import errors
from core.audit import audited
from core.models import User
from payments.models import (
    Payee,
    Payment,
    PaymentMethod,
    PaymentReason,
    PaymentStatus,
    StipendSchedule,
    StipendStatus,
)
from payments.models.payments import EDITABLE
from payments.permissions import can_manage_stipend, can_run_stipend
from payments.services.duplicates import Candidate, duplicate_benefit_enforce, override_reason_clean, override_record
from payments.services.payments import _amount, _check_case, _reason_text, payment_reject

logger = logging.getLogger(__name__)

# The programme pays a stipend for at most a year; a longer one is a new schedule, decided again.
MONTHS_MIN, MONTHS_MAX = 1, 12


def month_start(day: datetime.date) -> datetime.date:
    """The 1st of the month `day` is in."""
    return datetime.date(day.year, day.month, 1)


def month_end(day: datetime.date) -> datetime.date:
    """The last day of the month `day` is in (29 February in a leap year)."""
    return month_start(day) + relativedelta(day=31)


def _months(value: Any, field_errors: dict[str, list[str]]) -> int | None:
    try:
        months = int(str(value).strip()) if not isinstance(value, bool | float) and value is not None else None
    except ValueError:
        months = None
    if months is None or not MONTHS_MIN <= months <= MONTHS_MAX:
        field_errors["months"] = [f"Enter how many months to pay, from {MONTHS_MIN} to {MONTHS_MAX}."]
        return None
    return months


def _lock(schedule: StipendSchedule) -> StipendSchedule:
    return StipendSchedule.objects.select_for_update(of=("self",)).select_related("case", "payee").get(pk=schedule.pk)


@transaction.atomic
def stipend_schedule_create(
    *,
    actor: User,
    case: Case,
    payee: Payee,
    amount: Decimal | str,
    payment_method: str,
    first_month: datetime.date,
    months: int,
    override_reason: str = "",
) -> StipendSchedule:
    """Set up a monthly future-rent stipend on `case` to `payee`: `amount` each month for `months`
    months (1 to 12) from the month `first_month` falls in (any day of it; stored as its 1st).
    No payment is made here: stipend_schedule_run makes each month's payment when it is due.
    The duplicate-benefit check runs once, here, over the whole schedule (every month and the
    total), since its months are one decision; `override_reason` as for payment_create.

    Who: case managers, reviewers, supervisors. The case must be a tenant's rental application
    at the Payment chevron. Raises PermissionDenied, ValidationError (per field: case, payee,
    amount, payment_method, first_month, months), DuplicateBenefit."""
    if not can_manage_stipend(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can set up a stipend.")
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    _check_case(case)
    field_errors: dict[str, list[str]] = {}
    if not isinstance(payee, Payee):
        field_errors["payee"] = ["Choose the payee."]
    cleaned_amount = _amount(amount, field_errors)
    if payment_method not in PaymentMethod.values:
        field_errors["payment_method"] = ["Choose bank transfer or cheque."]
    if not isinstance(first_month, datetime.date):
        field_errors["first_month"] = ["Enter the first month the stipend pays for."]
    count = _months(months, field_errors)
    if field_errors or cleaned_amount is None or count is None or not isinstance(first_month, datetime.date):
        raise errors.ValidationError(fields=field_errors)
    first = month_start(first_month)
    schedule = StipendSchedule(
        case=case,
        payee=payee,
        amount=cleaned_amount,
        payment_method=payment_method,
        first_month=first,
        last_month=first + relativedelta(months=count - 1),
    )
    override = override_reason_clean(actor, override_reason)
    overridden = duplicate_benefit_enforce(
        Candidate(
            case=case,
            reason=PaymentReason.STIPEND,
            amount=cleaned_amount * count,
            period_start=schedule.first_month,
            period_end=month_end(schedule.last_month),
        ),
        override_reason=override,
    )
    override_record(schedule, actor=actor, override_reason=override, overridden=overridden)
    schedule.stamp(actor)
    full_clean(schedule, exclude=["case", "payee", "status", "stopped_by", "override_by"])
    with audited(
        actor=actor,
        action="stipend_schedule_create",
        case=case.pk,
        first_month=schedule.first_month.isoformat(),
        last_month=schedule.last_month.isoformat(),
        **({"duplicate_benefit_overridden": overridden} if overridden else {}),
    ):
        schedule.save()
    return schedule


def stipend_payments_due(*, schedule: StipendSchedule, today: datetime.date) -> list[datetime.date]:
    """The months (each as its 1st) for which `schedule` should have a payment by `today` and has
    none yet, oldest first.

    The rule: a stipend pays the coming month in advance. On any day of a month, every month from
    `first_month` up to and including the NEXT month is due (on 15 November: November and
    December), never a month after `last_month`, and nothing once the schedule is stopped. A
    month with a payment in any status (rejected included) is not due again. A read: no locks."""
    if not schedule.is_active:
        return []
    horizon = min(schedule.last_month, month_start(today) + relativedelta(months=1))
    months: list[datetime.date] = []
    month = schedule.first_month
    while month <= horizon:
        months.append(month)
        month += relativedelta(months=1)
    if not months:
        return []
    paid = set(schedule.payments.filter(period_start__in=months).values_list("period_start", flat=True))
    return [month for month in months if month not in paid]


@transaction.atomic
def stipend_schedule_run(
    *, actor: User | None = None, schedule: StipendSchedule, today: datetime.date | None = None
) -> list[Payment]:
    """Make the payments `schedule` is due by `today` (default: today), one per month, not
    verified, reason STP, covering the 1st to the last day of the month; see
    stipend_payments_due for which months. Returns the payments made, oldest first.

    Safe to run twice: the schedule row is locked, and Payment's unique (schedule, period_start)
    with ON CONFLICT DO NOTHING means a month is never paid twice, so a second run makes nothing.

    Who: the stipend job (actor=None), case managers, reviewers, supervisors. Raises
    PermissionDenied, ValidationError (months are due but the case is no longer at the Payment
    chevron: nothing is made)."""
    if not can_run_stipend(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can run a stipend.")
    schedule = _lock(schedule)
    due = stipend_payments_due(schedule=schedule, today=today or timezone.localdate())
    if not due:
        return []
    _check_case(schedule.case)
    now = timezone.now()
    rows = []
    for month in due:
        payment = Payment(
            case=schedule.case,
            payee=schedule.payee,
            reason=PaymentReason.STIPEND,
            amount=schedule.amount,
            payment_method=schedule.payment_method,
            period_start=month,
            period_end=month_end(month),
            schedule=schedule,
            status_changed_at=now,
        )
        payment.stamp(actor)
        rows.append(payment)
    with audited(
        actor=actor,
        action="stipend_schedule_run",
        schedule=schedule.pk,
        case=schedule.case_id,
        months=[month.isoformat() for month in due],
        to_status=PaymentStatus.NOT_VERIFIED,
    ):
        Payment.objects.bulk_create(rows, ignore_conflicts=True)
    return list(schedule.payments.filter(period_start__in=due).order_by("period_start"))


def stipends_run_due(*, today: datetime.date | None = None) -> int:
    """The daily stipend job: run every active schedule (stipend_schedule_run as the system), each
    in its own transaction, so one whose case has left the Payment chevron is logged and skipped
    and never stops the rest. Returns how many payments were made. Safe to run twice."""
    made = 0
    for schedule in StipendSchedule.objects.filter(status=StipendStatus.ACTIVE).order_by("pk").iterator():
        try:
            made += len(stipend_schedule_run(actor=None, schedule=schedule, today=today))
        except errors.DomainError as error:
            logger.warning("Stipend schedule %s not run: %s", schedule.pk, error.message)
    return made


@transaction.atomic
def stipend_schedule_stop(*, actor: User, schedule: StipendSchedule, reason: str) -> StipendSchedule:
    """Stop a stipend: no further months are paid. Payments for months starting after today that
    have not been submitted (not verified, or verified) are rejected with `reason` through
    payment_reject; the current month's payment is kept, and submitted or later payments are left
    to the payment process (a supervisor voids one if it must not be paid). Final.

    Who: case managers, reviewers, supervisors, with a reason. Raises PermissionDenied,
    ValidationError (no reason), TransitionNotAllowed (already stopped)."""
    if not can_manage_stipend(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can stop a stipend.")
    text = _reason_text(reason, required=True, what="stop the stipend")
    schedule = _lock(schedule)
    if not can_proceed(schedule.stop):
        raise errors.TransitionNotAllowed(f"Stipend {schedule.pk} is already stopped.")
    from_status = schedule.status
    schedule.stop()
    schedule.stopped_at = timezone.now()
    schedule.stopped_by = actor
    schedule.stop_reason = text
    schedule.stamp(actor)
    with audited(
        actor=actor,
        action="stipend_schedule_stop",
        from_status=from_status,
        to_status=schedule.status,
        reason=text,
    ):
        schedule.save()
    stop_date = timezone.localdate(schedule.stopped_at)
    for payment in schedule.payments.filter(period_start__gt=stop_date, status__in=EDITABLE).order_by("period_start"):
        payment_reject(actor=actor, payment=payment, reason=text)
    return schedule
