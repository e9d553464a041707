"""Arrangements, NOSPs, court cases and evictions. Each write is recorded in the diary and
re-classifies the account in the same transaction."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from arrears.models import (
    ACTIVE_STATES,
    Arrangement,
    ArrangementKind,
    ArrangementState,
    ArrangementStateChange,
    CourtCase,
    CourtOutcome,
    Eviction,
    Frequency,
    Nosp,
    RentAccount,
    Transaction,
)
from arrears.services.automation import diary_write
from arrears.services.classification import account_reclassify
from arrears.services.diary import lock_account, require_staff
from core import errors
from core.audit import audited

NEW_ARRANGEMENT = "New arrangement created"


def _balance(account: RentAccount) -> Decimal:
    return Transaction.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or Decimal("0")


def _cancel(arrangement: Arrangement, *, actor, reason: str, now: datetime.datetime) -> None:
    who = (actor.get_full_name() or actor.email) if actor is not None else "the system"
    arrangement.state = ArrangementState.CANCELLED
    arrangement.stamp(actor)
    arrangement.save(update_fields=["state", "updated_at", "updated_by"])
    ArrangementStateChange.objects.create(
        arrangement=arrangement,
        state=ArrangementState.CANCELLED,
        expected_balance=arrangement.expected_balance,
        checked_balance=arrangement.checked_balance,
        description=f"Cancelled by {who}: {reason}"[:500],
        created_at=now,
        created_by=actor,
    )


def arrangement_create(
    *,
    actor,
    account: RentAccount,
    kind: str,
    frequency: str,
    instalment_amount: Decimal,
    start_date: datetime.date,
    lump_sum_amount: Decimal | None = None,
    lump_sum_date: datetime.date | None = None,
    court_case: CourtCase | None = None,
    notes: str = "",
) -> Arrangement:
    """Make a payment arrangement (arrears-rules.md §6). An informal one cancels the account's
    active informal ones and is refused while a court-ordered one is active; a formal one needs
    its court case (with the balance on the outcome date, its starting balance) and cancels
    every active arrangement. Diary code AGR.

    Who: staff. Raises PermissionDenied; ValidationError (per field); Conflict for an informal
    arrangement while a court-ordered one is active."""
    require_staff(actor)
    problems: dict[str, list[str]] = {}
    if kind not in ArrangementKind.values:
        problems["kind"] = ["Choose informal or formal (court-ordered)."]
    if frequency not in Frequency.values or frequency == Frequency.UNSUPPORTED_LEGACY:
        problems["frequency"] = ["Choose weekly, fortnightly, every 4 weeks, monthly or one-off."]
    if instalment_amount is None or instalment_amount <= 0:
        problems["instalment_amount"] = ["Enter an instalment of more than £0."]
    if start_date is None:
        problems["start_date"] = ["Enter the date the first instalment is due."]
    if (lump_sum_amount is None) != (lump_sum_date is None):
        problems["lump_sum_amount" if lump_sum_amount is None else "lump_sum_date"] = [
            "A lump sum needs both an amount and a date."
        ]
    elif lump_sum_amount is not None and lump_sum_amount <= 0:
        problems["lump_sum_amount"] = ["Enter a lump sum of more than £0, or leave it out."]
    if kind == ArrangementKind.FORMAL:
        if court_case is None or court_case.account_id != account.pk:
            problems["court_case"] = ["A court-ordered arrangement needs this account's court case."]
        elif court_case.balance_on_outcome_date is None:
            problems["court_case"] = ["Record the balance on the court outcome date first: it is the starting balance."]
    if problems:
        raise errors.ValidationError("The arrangement has problems.", fields=problems)
    now = timezone.now()
    with transaction.atomic(), audited(actor=actor, action="arrears_arrangement_create"):
        account = lock_account(account)
        active = list(Arrangement.objects.select_for_update().filter(account=account, state__in=ACTIVE_STATES))
        starting: Decimal | None
        if kind == ArrangementKind.INFORMAL:
            if any(a.kind == ArrangementKind.FORMAL for a in active):
                raise errors.Conflict(
                    "A court-ordered arrangement is active on this account: cancel it or record a new court one."
                )
            starting = _balance(account)
        else:
            starting = court_case.balance_on_outcome_date if court_case is not None else None
        if starting is None:  # checked above for a court case; kept for the type checker
            raise errors.Conflict("The court case has no balance on its outcome date.")
        for previous in active:
            _cancel(previous, actor=actor, reason=NEW_ARRANGEMENT, now=now)
        arrangement = Arrangement(
            account=account,
            kind=kind,
            court_case=court_case if kind == ArrangementKind.FORMAL else None,
            frequency=frequency,
            instalment_amount=instalment_amount,
            start_date=start_date,
            starting_balance=starting,
            lump_sum_amount=lump_sum_amount,
            lump_sum_date=lump_sum_date,
            notes=(notes or "").strip(),
            expected_balance=starting,
            checked_balance=starting,
            last_checked_at=now,
        )
        arrangement.stamp(actor)
        arrangement.save()
        ArrangementStateChange.objects.create(
            arrangement=arrangement,
            state=ArrangementState.LIVE,
            expected_balance=starting,
            checked_balance=starting,
            description=f"Arrangement made: £{instalment_amount} {arrangement.get_frequency_display().lower()}",
            created_at=now,
            created_by=actor,
        )
        diary_write(account, code="AGR", comment=str(arrangement), actor=actor)
        account_reclassify(account, now=now)
    return arrangement


def arrangement_cancel(*, actor, arrangement: Arrangement, reason: str) -> Arrangement:
    """Cancel a live or breached arrangement, with a reason. Who: staff. Raises
    PermissionDenied; ValidationError without a reason; Conflict when it is not active."""
    require_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise errors.ValidationError(fields={"reason": ["Say why the arrangement is cancelled."]})
    with transaction.atomic(), audited(actor=actor, action="arrears_arrangement_cancel"):
        account = lock_account(arrangement.account)
        arrangement = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
        if arrangement.state not in ACTIVE_STATES:
            raise errors.Conflict(
                f"This arrangement is {arrangement.get_state_display().lower()}: "
                "only a live or breached one can be cancelled."
            )
        _cancel(arrangement, actor=actor, reason=reason, now=timezone.now())
        diary_write(account, code="AGC", comment=f"{arrangement}: cancelled. {reason}", actor=actor)
        account_reclassify(account)
    return arrangement


def _event_record(*, actor, account: RentAccount, record, action: str, code: str, comment: str):
    """Save a NOSP, court case or eviction on the account, with its diary entry, and
    re-classify: under the account's lock, in one audited transaction."""
    with transaction.atomic(), audited(actor=actor, action=action):
        account = lock_account(account)
        record.account = account
        record.stamp(actor)
        record.save()
        diary_write(account, code=code, comment=comment, actor=actor)
        account_reclassify(account)
    return record


def nosp_record(*, actor, account: RentAccount, served_on: datetime.date) -> Nosp:
    """Record a NOSP served on the tenant (diary NTS). Who: staff. Raises PermissionDenied;
    ValidationError for a date in the future."""
    require_staff(actor)
    if served_on is None or served_on > timezone.localdate():
        raise errors.ValidationError(fields={"served_on": ["Enter the date the notice was served: not in the future."]})
    return _event_record(
        actor=actor,
        account=account,
        record=Nosp(served_on=served_on),
        action="arrears_nosp_record",
        code="NTS",
        comment=f"Notice of Seeking Possession served {served_on:%d/%m/%Y}.",
    )


def court_case_record(*, actor, account: RentAccount, court_date: datetime.datetime) -> CourtCase:
    """Record a possession hearing's date (diary CRT). Who: staff. Raises PermissionDenied;
    ValidationError without a date."""
    require_staff(actor)
    if court_date is None:
        raise errors.ValidationError(fields={"court_date": ["Enter the hearing's date and time."]})
    return _event_record(
        actor=actor,
        account=account,
        record=CourtCase(court_date=court_date),
        action="arrears_court_case_record",
        code="CRT",
        comment=f"Court date set: {timezone.localtime(court_date):%d/%m/%Y %H:%M}.",
    )


def court_outcome_record(
    *,
    actor,
    court_case: CourtCase,
    outcome_code: str,
    terms: bool | None = None,
    disrepair_counter_claim: bool | None = None,
    balance_on_outcome_date: Decimal | None = None,
    strike_out_date: datetime.date | None = None,
) -> CourtCase:
    """Record what the hearing decided. A code not in the outcomes table is kept as it is (it
    still means an outcome is recorded); an outcome that can carry terms needs to be told
    whether it does, and one that cannot is refused terms. Who: staff. Raises
    PermissionDenied; ValidationError (per field); Conflict before the hearing."""
    require_staff(actor)
    code = (outcome_code or "").strip().upper()
    problems: dict[str, list[str]] = {}
    if not code or len(code) > 10:
        problems["outcome_code"] = ["Enter the outcome code (up to 10 characters)."]
    known = CourtOutcome.objects.filter(code=code).first()
    if known is not None and known.can_carry_terms and terms is None:
        problems["terms"] = [f"Say whether “{known.meaning}” carries terms."]
    if known is not None and not known.can_carry_terms and terms:
        problems["terms"] = [f"“{known.meaning}” cannot carry terms."]
    if problems:
        raise errors.ValidationError("The outcome has problems.", fields=problems)
    now = timezone.now()
    with transaction.atomic(), audited(actor=actor, action="arrears_court_outcome_record"):
        account = lock_account(court_case.account)
        court_case = CourtCase.objects.select_for_update().get(pk=court_case.pk)
        if court_case.court_date is not None and court_case.court_date > now:
            raise errors.Conflict("The hearing has not happened yet: record its outcome after it.")
        court_case.outcome_code = code
        court_case.outcome_recorded_at = now
        court_case.terms = terms
        court_case.disrepair_counter_claim = disrepair_counter_claim
        court_case.balance_on_outcome_date = balance_on_outcome_date
        court_case.strike_out_date = strike_out_date
        court_case.stamp(actor)
        court_case.save()
        meaning = known.meaning if known else "outcome recorded"
        diary_write(account, code="CRO", comment=f"Court outcome {code} ({meaning}).", actor=actor)
        account_reclassify(account)
    return court_case


def eviction_record(*, actor, account: RentAccount, date: datetime.datetime) -> Eviction:
    """Record an eviction date (diary EVI). Who: staff. Raises PermissionDenied;
    ValidationError without a date."""
    require_staff(actor)
    if date is None:
        raise errors.ValidationError(fields={"date": ["Enter the eviction's date and time."]})
    return _event_record(
        actor=actor,
        account=account,
        record=Eviction(date=date),
        action="arrears_eviction_record",
        code="EVI",
        comment=f"Eviction set for {timezone.localtime(date):%d/%m/%Y %H:%M}.",
    )
