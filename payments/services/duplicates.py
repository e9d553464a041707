"""The duplicate-benefit check (seed 000, DHC-1508: "Duplicate Benefit Check did not flag"): a
payment is blocked when the same household, or the same home, is already paid the same kind of
help for an overlapping period, or when it would take what the programme has paid the household
past the programme's cap (payments.models.ProgrammeCap). A supervisor may go ahead anyway, with a
reason, which is kept on the payment.

Who counts as "the same household": the household of the case's tenancy, every household the
case's contact belongs to, any case on the same tenancy or the same property, and the case
itself. Payments count while they are, or may yet be, paid (not verified, verified, submitted,
successful); rejected, voided, failed, returned, recouped and refunded ones do not.

Two payments for one household made at once could each pass alone: the check takes a
transaction-scoped advisory lock per household and home first, so the second waits for the first
to commit and then sees it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from casework.models import Case, HouseholdMember
from core import errors
from core.models import User
from payments.models import Payment, PaymentReason, PaymentStatus, ProgrammeCap, StipendSchedule, StipendStatus
from payments.permissions import can_override_duplicate

# Payments that are, or may still be, paid.
COUNTED = (
    PaymentStatus.NOT_VERIFIED,
    PaymentStatus.VERIFIED_BY_WORKER,
    PaymentStatus.SUBMITTED_FOR_PAYMENT,
    PaymentStatus.PAYMENT_SUCCESSFUL,
)

# Kinds of help: two payments of one kind for the same days pay for the same thing twice. Arrears
# and a future-rent stipend are both rent. "Other" has no period meaning, so only the cap applies.
BENEFIT_OF = {
    PaymentReason.ARREARS: "rent",
    PaymentReason.STIPEND: "rent",
    PaymentReason.UTILITY: "utility",
    PaymentReason.MOVING: "moving",
}

OVERRIDE_MAX_LENGTH = 2000
_LOCK_NAMESPACE = 72_010  # pg_advisory_xact_lock(int, int): payments' duplicate check


class DuplicateBenefit(errors.Conflict):
    """A payment would pay the same household twice, or past the programme's cap. `clashes` are the
    payments it overlaps; a supervisor may override with a reason."""

    code = "duplicate_benefit"

    def __init__(self, message: str, *, fields: dict[str, list[str]], clashes: list[Payment]):
        super().__init__(message, fields=fields)
        self.clashes = clashes


@dataclass(frozen=True)
class Candidate:
    """What the check needs of a payment that may not exist yet."""

    case: Case
    reason: str
    amount: Decimal
    period_start: datetime.date
    period_end: datetime.date | None
    pk: int | None = None
    schedule_pk: int | None = None  # a stipend schedule being set up, or the one a payment is from

    @property
    def last_day(self) -> datetime.date:
        return self.period_end or self.period_start


def _households(case: Case) -> set[int]:
    households = set()
    if case.contact_id:
        households |= set(
            HouseholdMember.objects.filter(contact_id=case.contact_id).values_list("household_id", flat=True)
        )
    if case.tenancy is not None:
        households.add(case.tenancy.household_id)
    return households


def _lock_scope(case: Case, households: set[int]) -> None:
    keys = sorted(
        {f"case:{case.pk}"}
        | {f"household:{pk}" for pk in households}
        | ({f"property:{case.property_id}"} if case.property_id else set())
        | ({f"tenancy:{case.tenancy_id}"} if case.tenancy_id else set())
    )
    with connection.cursor() as cursor:
        for key in keys:  # sorted, so two checks never wait on each other in opposite orders
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_LOCK_NAMESPACE, key])


def _same_household_cases(case: Case, households: set[int]) -> Q:
    """Cases that pay the same household or home as `case` (a filter on Case)."""
    scope = Q(pk=case.pk)
    if households:
        scope |= Q(contact__household_memberships__household_id__in=households)
        scope |= Q(tenancy__household_id__in=households)
    if case.property_id:
        scope |= Q(property_id=case.property_id)
    if case.tenancy_id:
        scope |= Q(tenancy_id=case.tenancy_id)
    return scope


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _describe(payment: Payment) -> str:
    last = payment.period_end or payment.period_start
    period = f"{payment.period_start:%d %b %Y}" + (f" to {last:%d %b %Y}" if last != payment.period_start else "")
    return (
        f"payment {payment.export_reference} on case {payment.case.number} ({payment.get_reason_display()}, "
        f"{_money(payment.amount)}, {period}, {payment.get_status_display()})"
    )


def _describe_schedule(schedule: StipendSchedule) -> str:
    return (
        f"the monthly stipend on case {schedule.case.number} ({_money(schedule.amount)} a month, "
        f"{schedule.first_month:%b %Y} to {schedule.last_month:%b %Y})"
    )


def duplicate_benefit_check(candidate: Candidate) -> DuplicateBenefit | None:
    """The reason `candidate` is a duplicate benefit, or None. Call inside the transaction that
    saves the payment: it takes the household's lock, held until that transaction ends."""
    case = candidate.case
    households = _households(case)
    _lock_scope(case, households)
    related = Payment.objects.filter(
        status__in=COUNTED, case__in=Case.objects.filter(_same_household_cases(case, households)).values("pk")
    ).exclude(pk=candidate.pk or 0)
    if candidate.schedule_pk:  # a stipend's own months are one decision, made when it was set up
        related = related.exclude(schedule_id=candidate.schedule_pk)
    fields: dict[str, list[str]] = {}
    sentences: list[str] = []
    clashes: list[Payment] = []

    benefit = BENEFIT_OF.get(PaymentReason(candidate.reason))
    if benefit:
        same_kind = [reason for reason, kind in BENEFIT_OF.items() if kind == benefit]
        clashes = list(
            related.filter(reason__in=same_kind, period_start__lte=candidate.last_day)
            .annotate(last_day=Coalesce("period_end", "period_start"))
            .filter(last_day__gte=candidate.period_start)
            .select_related("case")
            .order_by("period_start", "pk")[:5]
        )
        schedules = []
        if benefit == "rent":
            schedules = list(
                StipendSchedule.objects.filter(
                    status=StipendStatus.ACTIVE,
                    case__in=Case.objects.filter(_same_household_cases(case, households)).values("pk"),
                    first_month__lte=candidate.last_day,
                    last_month__gte=candidate.period_start.replace(day=1),
                )
                .exclude(pk=candidate.schedule_pk or 0)
                .select_related("case")[:5]
            )
        if clashes or schedules:
            listed = "; ".join([_describe(payment) for payment in clashes] + [_describe_schedule(s) for s in schedules])
            sentences.append(f"This household or home is already paid for these days: {listed}.")
            fields["period_start"] = ["The period overlaps a payment already made or due for this household."]

    cap = ProgrammeCap.objects.filter(case_type_id=case.case_type_id).first()
    if cap:
        window_start = candidate.last_day - relativedelta(months=cap.window_months) + datetime.timedelta(days=1)
        paid = (
            related.filter(case__case_type_id=case.case_type_id, period_start__lte=candidate.last_day)
            .annotate(last_day=Coalesce("period_end", "period_start"))
            .filter(last_day__gte=window_start)
            .aggregate(total=Sum("amount"))["total"]
        ) or Decimal("0")
        if paid + candidate.amount > cap.max_total:
            left = max(cap.max_total - paid, Decimal("0"))
            sentences.append(
                f"This would take what {case.case_type.name} pays the household in the {cap.window_months} months to "
                f"{candidate.last_day:%d %b %Y} to {_money(paid + candidate.amount)}, over its cap of "
                f"{_money(cap.max_total)} ({_money(paid)} already paid or due; at most {_money(left)} more)."
            )
            fields["amount"] = [f"The amount is over the programme's cap: at most {_money(left)} more can be paid."]

    if not sentences:
        return None
    sentences.append("A supervisor can override this with a reason.")
    return DuplicateBenefit(" ".join(sentences), fields=fields, clashes=clashes)


def override_reason_clean(actor: User, reason: str | None) -> str:
    """A supervisor's reason to override the check, cleaned; empty when none was given. Raises
    PermissionDenied for anyone else who gives one, ValidationError when it is too long."""
    text = (reason or "").strip()
    if not text:
        return ""
    if not can_override_duplicate(actor):
        raise errors.PermissionDenied("Only a supervisor can override the duplicate-benefit check.")
    if len(text) > OVERRIDE_MAX_LENGTH:
        raise errors.ValidationError(
            fields={"override_reason": [f"The reason can be at most {OVERRIDE_MAX_LENGTH} characters."]}
        )
    return text


def duplicate_benefit_enforce(candidate: Candidate, *, override_reason: str) -> str:
    """Check `candidate` and raise DuplicateBenefit, unless `override_reason` (already cleaned by
    override_reason_clean) is given. Returns what was overridden (the check's message, for the
    audit), or "" when the candidate passed."""
    problem = duplicate_benefit_check(candidate)
    if problem and not override_reason:
        raise problem
    return problem.message if problem else ""


def override_record(target: Payment | StipendSchedule, *, actor: User, override_reason: str, overridden: str) -> None:
    """Stamp (or clear) the override on a payment or schedule about to be saved: kept only when the
    check was actually overridden, so a payment that now passes carries no stale override."""
    if overridden:
        target.override_reason, target.override_by, target.override_at = override_reason, actor, timezone.now()
    else:
        target.override_reason, target.override_by, target.override_at = "", None, None
