"""Reads of payees, payments and stipend schedules with the permission rules applied.

A payment is seen by whoever may see its case (casework.selectors.cases.case_get: staff see every
case; an applicant's portal view of payments is the portal's own). A payee is seen by staff who
may see at least one case it is paid on, or its owner's landlord application. Anything else is
NotFound, so nobody can tell a record they may not see from one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from casework.models import Case, Workflow
from casework.selectors.cases import case_get, case_list_for
from core import errors
from core.models import User
from core.permissions import is_staff_member
from payments.models import Payee, PayeeRole, Payment, PaymentStatus, StipendSchedule

# What "paid" and "pending" add up on a case: money that reached the payee, and money on its way
# (set up, verified or submitted). Failed, returned, rejected, voided and clawed-back payments
# count as neither.
PAID = (PaymentStatus.PAYMENT_SUCCESSFUL,)
PENDING = (PaymentStatus.NOT_VERIFIED, PaymentStatus.VERIFIED_BY_WORKER, PaymentStatus.SUBMITTED_FOR_PAYMENT)


def _payments() -> QuerySet[Payment]:
    return Payment.objects.with_batch().select_related("payee", "case", "override_by")


def payment_list_for_case(*, user: User, case: Case | int) -> QuerySet[Payment]:
    """The payments on `case`, newest first, if `user` may see the case. Raises NotFound."""
    case = case_get(user=user, case_id=case)
    return _payments().filter(case=case).order_by("-period_start", "-created_at", "-pk")


@dataclass(frozen=True)
class PaymentTotals:
    paid: Decimal
    pending: Decimal


def payment_totals_for_case(*, user: User, case: Case | int) -> PaymentTotals:
    """What has been paid on the case, and what is pending (set up, verified or submitted)."""
    case = case_get(user=user, case_id=case)
    sums = Payment.objects.filter(case=case).aggregate(
        paid=Sum("amount", filter=Q(status__in=PAID)), pending=Sum("amount", filter=Q(status__in=PENDING))
    )
    return PaymentTotals(paid=sums["paid"] or Decimal("0"), pending=sums["pending"] or Decimal("0"))


def stipend_schedule_list_for_case(*, user: User, case: Case | int) -> QuerySet[StipendSchedule]:
    case = case_get(user=user, case_id=case)
    return StipendSchedule.objects.select_related("payee", "stopped_by").filter(case=case).order_by("-first_month")


def payment_get(*, user: User, payment_id: int) -> Payment:
    """The payment, with its payee, case, batch and override's supervisor, if `user` may see its
    case. Raises NotFound otherwise."""
    payment = _payments().select_related("case__case_type").filter(pk=payment_id).first()
    if payment is None:
        raise errors.NotFound("There is no such payment.")
    try:
        case_get(user=user, case_id=payment.case_id)
    except errors.NotFound:
        raise errors.NotFound("There is no such payment.") from None
    return payment


def landlord_cases_of(case: Case) -> QuerySet[Case]:
    """The landlord applications matched to a tenant's case (its children on the landlord
    workflow)."""
    return Case.objects.filter(parent=case, workflow=Workflow.RENTAL_LANDLORD)


def case_payee_choice_list_for(*, user: User, case: Case | int) -> QuerySet[Payee]:
    """The payees a payment on `case` can be made to: those of the landlords whose applications
    are matched to it (the applicant of each of its landlord cases), and the utilities. Raises
    NotFound."""
    case = case_get(user=user, case_id=case)
    owners = landlord_cases_of(case).exclude(applicant=None).values("applicant")
    return Payee.objects.filter(Q(owner__in=owners) | Q(role=PayeeRole.UTILITY)).order_by("role", "name", "pk")


def _payee_cases(payee: Payee) -> Q:
    """The cases through which a payee is seen: those it is paid on (a payment or a stipend),
    and its owner's landlord applications."""
    return (
        Q(Exists(Payment.objects.filter(case=OuterRef("pk"), payee=payee)))
        | Q(Exists(StipendSchedule.objects.filter(case=OuterRef("pk"), payee=payee)))
        | Q(applicant_id=payee.owner_id, workflow=Workflow.RENTAL_LANDLORD)
    )


def payee_case_list_for(*, user: User, payee: Payee) -> QuerySet[Case]:
    """The cases `user` may see that `payee` is paid on or that are its owner's landlord
    applications, newest first."""
    return case_list_for(user=user).filter(_payee_cases(payee)).order_by("-created_at", "-pk")


def payee_get(*, user: User, payee_id: int) -> Payee:
    """The payee (with who verified it and the evidence), if `user` is staff and may see a case
    it is paid on or its owner's landlord application; any utility's to any staff member (they
    are organisations every team pays). Raises NotFound otherwise."""
    payee = Payee.objects.select_related("owner", "verified_by", "verification_evidence").filter(pk=payee_id).first()
    if payee is None or not is_staff_member(user):
        raise errors.NotFound("There is no such payee.")
    if payee.role != PayeeRole.UTILITY and not payee_case_list_for(user=user, payee=payee).exists():
        raise errors.NotFound("There is no such payee.")
    return payee


def payee_evidence_case(*, user: User, payee: Payee) -> Case | None:
    """The case a worker's verification evidence for `payee` is filed on: the owner's landlord
    application if there is one, else the newest case the payee is paid on; open cases first
    (a closed case takes no documents from caseworkers)."""
    cases = payee_case_list_for(user=user, payee=payee).select_related(None)
    landlord = Q(applicant_id=payee.owner_id, workflow=Workflow.RENTAL_LANDLORD)
    for condition in (landlord & ~Q(status="closed"), ~Q(status="closed"), landlord, Q()):
        case = cases.filter(condition).first()
        if case is not None:
            return case
    return None


def payment_history(payment: Payment) -> list[dict]:
    """The payment's audit trail, oldest first: for each recorded change, who (None for the
    system), when, the action, the statuses from and to, the reason and the fields changed."""
    history = payment.events  # type: ignore[attr-defined]  # pghistory's event model's reverse relation
    events = list(history.select_related("pgh_context").order_by("pgh_created_at", "pgh_id"))
    metadata = [event.pgh_context.metadata if event.pgh_context else {} for event in events]
    user_ids = {data.get("user") for data in metadata if data.get("user")}
    people = {person.pk: person for person in User.objects.filter(pk__in=user_ids)}
    rows = []
    for event, data in zip(events, metadata, strict=True):
        rows.append(
            {
                "at": event.pgh_created_at,
                "action": data.get("action", event.pgh_label),
                "who": people.get(data.get("user")),
                "from_status": _status_label(data.get("from_status")),
                "to_status": _status_label(
                    data.get("to_status") or (event.status if event.pgh_label == "insert" else "")
                ),
                "reason": data.get("reason", "") or "",
                "changed": data.get("changed") or [],
            }
        )
    return rows


def _status_label(value: str | None) -> str:
    if not value:
        return ""
    try:
        return str(PaymentStatus(value).label)
    except ValueError:
        return value
