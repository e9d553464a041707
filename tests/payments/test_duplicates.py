"""The duplicate-benefit check: the same household or home paid twice for the same days, or past
the programme's cap, is blocked with a message naming the clash, unless a supervisor overrides it
with a reason (kept on the payment and in the audit)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core import errors
from payments.models import Payment, PaymentStatus, ProgrammeCap
from payments.services import payments as services
from payments.services import stipends as stipend_services
from payments.services.duplicates import DuplicateBenefit
from tests.casework.factories import (
    ContactFactory,
    HouseholdFactory,
    HouseholdMemberFactory,
    PropertyFactory,
)
from tests.payments.factories import approved_case, last_audit, make_payee, make_payment

pytestmark = pytest.mark.django_db

D = datetime.date


def _pay(actor, case, **changes) -> Payment:
    values = {
        "case": case,
        "payee": make_payee(),
        "reason": "ARR",
        "amount": "1000.00",
        "payment_method": "bank_transfer",
        "period_start": D(2026, 9, 1),
        "period_end": D(2026, 9, 30),
        **changes,
    }
    return services.payment_create(actor=actor, **values)


@pytest.fixture
def household_cases():
    """Two applications from one household (the head on one, the partner on the other)."""
    head, partner = ContactFactory(), ContactFactory()
    household = HouseholdFactory(head=head)
    HouseholdMemberFactory(household=household, contact=partner, relationship="partner")
    return approved_case(contact=head), approved_case(contact=partner)


def test_the_same_case_paid_twice_for_overlapping_days_is_blocked_naming_the_clash(case_manager):
    case = approved_case()
    first = _pay(case_manager, case)
    with pytest.raises(DuplicateBenefit) as caught:
        _pay(case_manager, case, period_start=D(2026, 9, 15), period_end=D(2026, 10, 15))
    assert caught.value.status_code == 409
    assert first.export_reference in caught.value.message and case.number in caught.value.message
    assert "supervisor can override" in caught.value.message
    assert "period_start" in caught.value.fields
    assert caught.value.clashes == [first]
    assert Payment.objects.filter(case=case).count() == 1


def test_another_case_of_the_same_household_is_blocked(case_manager, household_cases):
    first_case, second_case = household_cases
    _pay(case_manager, first_case)
    with pytest.raises(DuplicateBenefit):
        _pay(case_manager, second_case, period_start=D(2026, 9, 30), period_end=None)


def test_another_household_in_the_same_home_is_blocked(case_manager):
    home = PropertyFactory()
    _pay(case_manager, approved_case(property=home))
    with pytest.raises(DuplicateBenefit):
        _pay(case_manager, approved_case(property=home))


@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2026, 8, 1), D(2026, 8, 31)), (D(2026, 10, 1), D(2026, 10, 31)), (D(2026, 10, 1), None)],
)
def test_days_next_to_each_other_do_not_clash(case_manager, start, end):
    case = approved_case()
    _pay(case_manager, case)
    assert _pay(case_manager, case, period_start=start, period_end=end).status == PaymentStatus.NOT_VERIFIED


def test_different_kinds_of_help_for_the_same_days_do_not_clash_but_arrears_and_a_stipend_do(case_manager):
    case = approved_case()
    _pay(case_manager, case)
    _pay(case_manager, case, reason="UTL")
    _pay(case_manager, case, reason="MOV")
    with pytest.raises(DuplicateBenefit):
        _pay(case_manager, case, reason="STP", period_start=D(2026, 9, 1), period_end=None)


@pytest.mark.parametrize(
    "status",
    [
        PaymentStatus.REJECTED_BY_WORKER,
        PaymentStatus.PAYMENT_VOIDED,
        PaymentStatus.PAYMENT_FAILED,
        PaymentStatus.PAYMENT_RETURNED,
        PaymentStatus.PAYMENT_RECOUPED,
        PaymentStatus.REFUND_OR_CANCELLED,
    ],
)
def test_payments_that_were_not_or_are_no_longer_paid_do_not_count(case_manager, status):
    case = approved_case()
    make_payment(case_manager, case=case, status=status, period_start=D(2026, 9, 1), period_end=D(2026, 9, 30))
    assert _pay(case_manager, case).status == PaymentStatus.NOT_VERIFIED


@pytest.mark.parametrize(
    "status",
    [
        PaymentStatus.NOT_VERIFIED,
        PaymentStatus.VERIFIED_BY_WORKER,
        PaymentStatus.SUBMITTED_FOR_PAYMENT,
        PaymentStatus.PAYMENT_SUCCESSFUL,
    ],
)
def test_payments_paid_or_due_count(case_manager, status):
    case = approved_case()
    make_payment(case_manager, case=case, status=status, period_start=D(2026, 9, 1), period_end=D(2026, 9, 30))
    with pytest.raises(DuplicateBenefit):
        _pay(case_manager, case)


def test_a_supervisor_overrides_with_a_reason_kept_on_the_payment_and_audited(case_manager, supervisor):
    case = approved_case()
    _pay(case_manager, case)
    payment = _pay(supervisor, case, override_reason="  Second month's rent was for a different tenancy.  ")
    assert payment.override_reason == "Second month's rent was for a different tenancy."
    assert (payment.override_by, payment.is_overridden) == (supervisor, True)
    assert payment.override_at is not None
    audit = last_audit(payment)
    assert "already paid for these days" in audit["duplicate_benefit_overridden"]


def test_an_override_reason_on_a_payment_that_passes_records_no_override(supervisor):
    payment = _pay(supervisor, approved_case(), override_reason="Just in case")
    assert (payment.override_reason, payment.override_by, payment.override_at) == ("", None, None)


def test_only_a_supervisor_may_override(case_manager, reviewer):
    case = approved_case()
    _pay(case_manager, case)
    for actor in (case_manager, reviewer):
        with pytest.raises(errors.PermissionDenied, match="Only a supervisor"):
            _pay(actor, case, override_reason="Please")
    assert Payment.objects.filter(case=case).count() == 1


def test_the_programme_cap_counts_the_household_s_payments_in_the_window(case_manager, supervisor):
    case = approved_case()
    ProgrammeCap.objects.create(case_type=case.case_type, max_total=Decimal("2500.00"), window_months=12)
    _pay(case_manager, case, period_start=D(2026, 1, 1), period_end=D(2026, 1, 31))
    _pay(case_manager, case, period_start=D(2026, 2, 1), period_end=D(2026, 2, 28))
    with pytest.raises(DuplicateBenefit) as caught:
        _pay(case_manager, case, amount="600.00", period_start=D(2026, 3, 1), period_end=D(2026, 3, 31))
    assert "over its cap of 2,500.00" in caught.value.message
    assert "2,000.00 already paid or due" in caught.value.message
    assert caught.value.fields["amount"] == ["The amount is over the programme's cap: at most 500.00 more can be paid."]
    # Exactly up to the cap is allowed; a payment a year later is outside the window.
    _pay(case_manager, case, amount="500.00", period_start=D(2026, 3, 1), period_end=D(2026, 3, 31))
    _pay(case_manager, case, amount="1000.00", period_start=D(2027, 2, 1), period_end=D(2027, 2, 28))
    with pytest.raises(DuplicateBenefit):
        _pay(case_manager, case, amount="0.01", period_start=D(2026, 12, 1), period_end=D(2026, 12, 31))
    assert _pay(
        supervisor, case, amount="10.00", period_start=D(2026, 12, 1), period_end=None, override_reason="Council agreed"
    ).pk


def test_changing_the_amount_or_period_runs_the_check_again(case_manager, supervisor):
    case = approved_case()
    _pay(case_manager, case)
    later = _pay(case_manager, case, period_start=D(2026, 10, 1), period_end=D(2026, 10, 31))
    with pytest.raises(DuplicateBenefit):
        services.payment_update(actor=case_manager, payment=later, period_start=D(2026, 9, 20))
    later.refresh_from_db()
    assert later.period_start == D(2026, 10, 1)
    updated = services.payment_update(
        actor=supervisor, payment=later, period_start=D(2026, 9, 20), override_reason="Overlap agreed"
    )
    assert updated.override_by == supervisor
    # Moved back clear of the clash, the override no longer applies and is cleared.
    cleared = services.payment_update(actor=case_manager, payment=updated, period_start=D(2026, 10, 1))
    assert (cleared.override_reason, cleared.override_by) == ("", None)


def test_retrying_a_failed_payment_checks_again(case_manager, supervisor):
    case = approved_case()
    failed = make_payment(
        case_manager, case=case, status=PaymentStatus.PAYMENT_FAILED, period_start=D(2026, 9, 1), period_end=None
    )
    _pay(case_manager, case)  # the replacement, made while the failed one did not count
    with pytest.raises(DuplicateBenefit):
        services.payment_retry(actor=case_manager, payment=failed)
    assert Payment.objects.get(pk=failed.pk).status == PaymentStatus.PAYMENT_FAILED
    retried = services.payment_retry(actor=supervisor, payment=failed, override_reason="Both owed")
    assert (retried.status, retried.override_by) == (PaymentStatus.NOT_VERIFIED, supervisor)


def test_a_stipend_is_checked_once_for_all_its_months_and_blocks_rent_for_months_it_has_not_paid_yet(
    case_manager, supervisor
):
    case = approved_case()
    _pay(case_manager, case, period_start=D(2027, 2, 1), period_end=D(2027, 2, 28))
    values = {
        "case": case,
        "payee": make_payee(),
        "amount": "800.00",
        "payment_method": "bank_transfer",
        "first_month": D(2026, 12, 1),
        "months": 6,
    }
    with pytest.raises(DuplicateBenefit):
        stipend_services.stipend_schedule_create(actor=case_manager, **values)
    schedule = stipend_services.stipend_schedule_create(actor=supervisor, **values, override_reason="Agreed")
    assert schedule.override_by == supervisor
    # Its months are one decision: running it makes them without tripping over each other.
    made = stipend_services.stipend_schedule_run(schedule=schedule, today=D(2026, 12, 5))
    assert [payment.period_start for payment in made] == [D(2026, 12, 1), D(2027, 1, 1)]
    # Arrears for a month the stipend will pay, not yet made, is caught by the schedule itself.
    with pytest.raises(DuplicateBenefit, match="monthly stipend"):
        _pay(case_manager, case, period_start=D(2027, 4, 1), period_end=D(2027, 4, 30))
