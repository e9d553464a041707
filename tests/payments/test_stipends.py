"""Stipends: a monthly future-rent schedule makes one payment per month for exactly the right
months (across year ends, from the 31st, in a leap February), pays the coming month in advance,
never past its last month, runs twice safely, and stops, rejecting the unsubmitted months after the
stop; refusals write nothing; every change is audited."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from core import errors
from core.roles import Role
from payments.models import Payment, PaymentStatus, StipendSchedule, StipendStatus
from payments.services import stipends as services
from tests.casework.factories import tenant_case
from tests.payments.factories import approved_case, last_audit, make_payee

pytestmark = pytest.mark.django_db

S = PaymentStatus
D = datetime.date
LONDON = ZoneInfo("Europe/London")


def _schedule(actor, **changes) -> StipendSchedule:
    values = {
        "case": approved_case(),
        "payee": make_payee(),
        "amount": "900.00",
        "payment_method": "bank_transfer",
        "first_month": D(2026, 11, 1),
        "months": 4,
        **changes,
    }
    return services.stipend_schedule_create(actor=actor, **values)


def _periods(schedule) -> list[tuple[datetime.date, datetime.date]]:
    return list(schedule.payments.order_by("period_start").values_list("period_start", "period_end"))


# --- setting up --------------------------------------------------------------------------------------


def test_a_case_manager_sets_up_a_schedule_across_the_year_end_audited(case_manager):
    schedule = _schedule(case_manager, first_month=D(2026, 11, 17))
    assert (schedule.first_month, schedule.last_month) == (D(2026, 11, 1), D(2027, 2, 1))
    assert (schedule.status, schedule.amount, schedule.created_by) == (
        StipendStatus.ACTIVE,
        Decimal("900.00"),
        case_manager,
    )
    assert not schedule.payments.exists()  # nothing is paid until the run
    audit = last_audit(schedule)
    assert (audit["action"], audit["user"], audit["last_month"]) == (
        "stipend_schedule_create",
        case_manager.pk,
        "2027-02-01",
    )


def test_the_months_across_a_year_end_are_exact(case_manager):
    schedule = _schedule(case_manager, first_month=D(2026, 11, 1), months=4)
    made = services.stipend_schedule_run(schedule=schedule, today=D(2027, 3, 20))
    assert [(p.period_start, p.period_end) for p in made] == [
        (D(2026, 11, 1), D(2026, 11, 30)),
        (D(2026, 12, 1), D(2026, 12, 31)),
        (D(2027, 1, 1), D(2027, 1, 31)),
        (D(2027, 2, 1), D(2027, 2, 28)),
    ]
    assert {(p.reason, p.status, p.amount, p.payment_method, p.schedule_id) for p in made} == {
        ("STP", S.NOT_VERIFIED, Decimal("900.00"), "bank_transfer", schedule.pk)
    }


def test_february_of_a_leap_year_ends_on_the_29th(case_manager):
    schedule = _schedule(case_manager, first_month=D(2027, 12, 1), months=3)
    services.stipend_schedule_run(schedule=schedule, today=D(2028, 2, 1))
    assert _periods(schedule) == [
        (D(2027, 12, 1), D(2027, 12, 31)),
        (D(2028, 1, 1), D(2028, 1, 31)),
        (D(2028, 2, 1), D(2028, 2, 29)),
    ]


def test_a_schedule_started_on_the_31st_pays_whole_calendar_months(case_manager):
    schedule = _schedule(case_manager, first_month=D(2027, 1, 31), months=3)
    assert (schedule.first_month, schedule.last_month) == (D(2027, 1, 1), D(2027, 3, 1))
    services.stipend_schedule_run(schedule=schedule, today=D(2027, 1, 31))
    # On 31 January, January and (in advance) February are due; February is not skipped or
    # doubled by adding 30 days to the 31st.
    assert _periods(schedule) == [(D(2027, 1, 1), D(2027, 1, 31)), (D(2027, 2, 1), D(2027, 2, 28))]


# --- running ---------------------------------------------------------------------------------------------


def test_a_run_in_a_middle_month_makes_only_what_is_due(case_manager):
    schedule = _schedule(case_manager, first_month=D(2026, 11, 1), months=6)
    assert services.stipend_payments_due(schedule=schedule, today=D(2026, 12, 15)) == [
        D(2026, 11, 1),
        D(2026, 12, 1),
        D(2027, 1, 1),
    ]
    made = services.stipend_schedule_run(schedule=schedule, today=D(2026, 12, 15))
    assert [p.period_start for p in made] == [D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 1)]
    # The next month, only the month newly in advance is made.
    made = services.stipend_schedule_run(schedule=schedule, today=D(2027, 1, 1))
    assert [p.period_start for p in made] == [D(2027, 2, 1)]


def test_a_schedule_starting_later_pays_nothing_until_the_month_before(case_manager):
    schedule = _schedule(case_manager, first_month=D(2027, 3, 1), months=2)
    assert services.stipend_schedule_run(schedule=schedule, today=D(2027, 1, 31)) == []
    assert [p.period_start for p in services.stipend_schedule_run(schedule=schedule, today=D(2027, 2, 1))] == [
        D(2027, 3, 1)
    ]


def test_running_twice_makes_nothing_new(case_manager):
    schedule = _schedule(case_manager)
    first = services.stipend_schedule_run(schedule=schedule, today=D(2026, 12, 2))
    assert len(first) == 3  # November, December and (in advance) January
    assert services.stipend_schedule_run(schedule=schedule, today=D(2026, 12, 2)) == []
    assert services.stipend_payments_due(schedule=schedule, today=D(2026, 12, 2)) == []
    assert schedule.payments.count() == 3


def test_a_month_already_paid_is_refused_by_the_database(case_manager):
    schedule = _schedule(case_manager)
    (payment, *_) = services.stipend_schedule_run(schedule=schedule, today=D(2026, 11, 1))
    payment.pk = None
    payment._state.adding = True
    with pytest.raises(IntegrityError), transaction.atomic():
        payment.save()


def test_a_run_never_pays_past_the_last_month(case_manager):
    schedule = _schedule(case_manager, first_month=D(2026, 11, 1), months=2)
    made = services.stipend_schedule_run(schedule=schedule, today=D(2027, 6, 1))
    assert [p.period_start for p in made] == [D(2026, 11, 1), D(2026, 12, 1)]
    assert services.stipend_schedule_run(schedule=schedule, today=D(2027, 7, 1)) == []


def test_the_run_is_audited_as_the_system_or_the_worker(case_manager):
    schedule = _schedule(case_manager)
    (payment, _) = services.stipend_schedule_run(schedule=schedule, today=D(2026, 11, 5))
    audit = last_audit(payment)
    assert (audit["action"], audit["user"], audit["months"]) == (
        "stipend_schedule_run",
        None,
        ["2026-11-01", "2026-12-01"],
    )
    assert payment.created_by is None
    (january,) = services.stipend_schedule_run(actor=case_manager, schedule=schedule, today=D(2026, 12, 5))
    assert last_audit(january)["user"] == case_manager.pk
    assert january.created_by == case_manager


def test_a_run_is_refused_for_a_caseworker(case_manager, caseworker):
    schedule = _schedule(case_manager)
    with pytest.raises(errors.PermissionDenied):
        services.stipend_schedule_run(actor=caseworker, schedule=schedule, today=D(2026, 11, 5))
    assert not Payment.objects.exists()


def test_a_run_for_a_case_no_longer_at_payment_makes_nothing(case_manager):
    schedule = _schedule(case_manager)
    type(schedule.case).objects.filter(pk=schedule.case_id).update(status="reviewer")
    with pytest.raises(errors.ValidationError) as refused:
        services.stipend_schedule_run(schedule=schedule, today=D(2026, 11, 5))
    assert "case" in refused.value.fields
    assert not Payment.objects.exists()


# --- stopping -------------------------------------------------------------------------------------------


def test_stopping_rejects_the_unsubmitted_months_after_the_stop_and_leaves_the_rest(case_manager):
    schedule = _schedule(case_manager, first_month=D(2026, 11, 1), months=4)
    services.stipend_schedule_run(schedule=schedule, today=D(2027, 1, 10))  # Nov, Dec, Jan, Feb
    by_month = {p.period_start: p for p in schedule.payments.all()}
    Payment.objects.filter(pk=by_month[D(2027, 1, 1)].pk).update(status=S.SUBMITTED_FOR_PAYMENT)
    Payment.objects.filter(pk=by_month[D(2026, 11, 1)].pk).update(status=S.PAYMENT_SUCCESSFUL)
    Payment.objects.filter(pk=by_month[D(2027, 2, 1)].pk).update(status=S.VERIFIED_BY_WORKER)

    with time_machine.travel(datetime.datetime(2026, 12, 20, 10, tzinfo=LONDON), tick=False):
        stopped = services.stipend_schedule_stop(actor=case_manager, schedule=schedule, reason="Tenant moved out")

    assert (stopped.status, stopped.stopped_by, stopped.stop_reason) == (
        StipendStatus.STOPPED,
        case_manager,
        "Tenant moved out",
    )
    statuses = dict(schedule.payments.values_list("period_start", "status"))
    assert statuses == {
        D(2026, 11, 1): S.PAYMENT_SUCCESSFUL,  # paid: left alone
        D(2026, 12, 1): S.NOT_VERIFIED,  # the month the stop falls in: kept
        D(2027, 1, 1): S.SUBMITTED_FOR_PAYMENT,  # submitted: left to the payment process
        D(2027, 2, 1): S.REJECTED_BY_WORKER,  # after the stop, unsubmitted: rejected
    }
    february = schedule.payments.get(period_start=D(2027, 2, 1))
    assert february.status_reason == "Tenant moved out"
    assert last_audit(february)["action"] == "payment_reject"
    audit = last_audit(stopped)
    assert (audit["action"], audit["user"], audit["reason"], audit["to_status"]) == (
        "stipend_schedule_stop",
        case_manager.pk,
        "Tenant moved out",
        "stopped",
    )


def test_a_stopped_schedule_pays_no_further_months(case_manager):
    schedule = _schedule(case_manager)
    services.stipend_schedule_stop(actor=case_manager, schedule=schedule, reason="Rehoused")
    assert services.stipend_schedule_run(schedule=schedule, today=D(2027, 2, 1)) == []
    assert not Payment.objects.exists()


def test_stopping_twice_is_refused(case_manager):
    schedule = _schedule(case_manager)
    services.stipend_schedule_stop(actor=case_manager, schedule=schedule, reason="Rehoused")
    with pytest.raises(errors.TransitionNotAllowed):
        services.stipend_schedule_stop(actor=case_manager, schedule=schedule, reason="Again")


@pytest.mark.parametrize("reason", ["", "   "])
def test_stopping_needs_a_reason(case_manager, reason):
    schedule = _schedule(case_manager)
    with pytest.raises(errors.ValidationError) as refused:
        services.stipend_schedule_stop(actor=case_manager, schedule=schedule, reason=reason)
    assert "reason" in refused.value.fields
    assert StipendSchedule.objects.get(pk=schedule.pk).status == StipendStatus.ACTIVE


def test_a_caseworker_cannot_stop_a_stipend(case_manager, caseworker):
    schedule = _schedule(case_manager)
    with pytest.raises(errors.PermissionDenied):
        services.stipend_schedule_stop(actor=caseworker, schedule=schedule, reason="No")
    assert StipendSchedule.objects.get(pk=schedule.pk).status == StipendStatus.ACTIVE


# --- refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "0"}, "amount", "more than zero"),
        ({"amount": "-100"}, "amount", "more than zero"),
        ({"amount": "abc"}, "amount", "as a number"),
        ({"months": 0}, "months", "from 1 to 12"),
        ({"months": 13}, "months", "from 1 to 12"),
        ({"months": "x"}, "months", "from 1 to 12"),
        ({"payment_method": ""}, "payment_method", "bank transfer or cheque"),
        ({"first_month": "November"}, "first_month", "first month"),
        ({"payee": None}, "payee", "payee"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(case_manager, changes, field, message):
    with pytest.raises(errors.ValidationError) as refused:
        _schedule(case_manager, **changes)
    assert message in refused.value.fields[field][0]
    assert not StipendSchedule.objects.exists()


def test_every_bad_field_is_named_at_once(case_manager):
    with pytest.raises(errors.ValidationError) as refused:
        _schedule(case_manager, amount="0", months=24, payment_method="cash")
    assert set(refused.value.fields) == {"amount", "months", "payment_method"}


@pytest.mark.parametrize("role", [Role.CASEWORKER, None])
def test_only_payment_workers_set_up_a_stipend(make_staff, role):
    actor = make_staff(role) if role else make_staff()
    with pytest.raises(errors.PermissionDenied):
        _schedule(actor)
    assert not StipendSchedule.objects.exists()


def test_a_case_not_at_the_payment_chevron_is_refused(case_manager):
    with pytest.raises(errors.ValidationError) as refused:
        _schedule(case_manager, case=tenant_case(status="reviewer"))
    assert "Payment chevron" in refused.value.fields["case"][0]
    assert not StipendSchedule.objects.exists()


def test_the_database_holds_months_to_the_first_and_in_order(case_manager):
    schedule = _schedule(case_manager)
    for values in ({"first_month": D(2026, 11, 2)}, {"last_month": D(2026, 10, 1)}, {"amount": Decimal("0")}):
        with pytest.raises(IntegrityError), transaction.atomic():
            StipendSchedule.objects.filter(pk=schedule.pk).update(**values)
