"""The lists the payments API reads, with the rules of payments.selectors (which reads one payment
or payee): payments and stipend schedules on the cases the user may see (casework's case
selectors decide), payees seen through those cases, export batches and reconciliation imports.
Staff only; every read is a fixed number of queries. A row the user may not see reads exactly as
one that does not exist (NotFound)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from casework.models import Case, Workflow
from casework.selectors.cases import case_list_for
from core import errors
from core.permissions import is_staff_member
from payments.models import Payee, PayeeRole, Payment, PaymentBatch, ReconciliationImport, StipendSchedule

# What a payment's representation shows besides its own columns (one join each; the batch through
# with_batch, which leaves out its files).
PAYMENT_RELATED = ("case", "case__case_type", "payee", "override_by")


def _require_staff(user) -> None:
    if not is_staff_member(user):
        raise errors.PermissionDenied("Payments are for staff only.")


def _visible_cases(user) -> QuerySet[Case]:
    return case_list_for(user=user)


def payment_list_for(*, user) -> QuerySet[Payment]:
    """Every payment on a case `user` may see, newest first."""
    _require_staff(user)
    return (
        Payment.objects.filter(case__in=_visible_cases(user).values("pk"))
        .with_batch()
        .select_related(*PAYMENT_RELATED)
        .order_by("-created_at", "-id")
    )


def payee_list_for(*, user) -> QuerySet[Payee]:
    """The payees `user` may see (payments.selectors.payee_get's rule: staff who may see a case
    the payee is paid on, or its owner's landlord application; and the utilities), by name."""
    _require_staff(user)
    visible = case_list_for(user=user)
    seen = (
        Exists(Payment.objects.filter(payee=OuterRef("pk"), case__in=visible.values("pk")))
        | Exists(StipendSchedule.objects.filter(payee=OuterRef("pk"), case__in=visible.values("pk")))
        | Exists(visible.filter(applicant=OuterRef("owner"), workflow=Workflow.RENTAL_LANDLORD))
        | Q(role=PayeeRole.UTILITY)
    )
    return Payee.objects.filter(seen).select_related("verified_by").order_by("name", "id")


def stipend_schedule_list_for(*, user) -> QuerySet[StipendSchedule]:
    """Every stipend schedule on a case `user` may see, newest first."""
    _require_staff(user)
    return (
        StipendSchedule.objects.filter(case__in=_visible_cases(user).values("pk"))
        .select_related("case", "payee", "stopped_by")
        .order_by("-created_at", "-id")
    )


def stipend_schedule_get(*, user, schedule_id: int) -> StipendSchedule:
    """One stipend schedule on a case `user` may see. Raises NotFound otherwise."""
    schedule = stipend_schedule_list_for(user=user).filter(pk=schedule_id).first()
    if schedule is None:
        raise errors.NotFound("There is no such stipend schedule.")
    return schedule


def batch_list_for(*, user) -> QuerySet[PaymentBatch]:
    """Every export batch, newest first (the files themselves are not loaded)."""
    _require_staff(user)
    return (
        PaymentBatch.objects.select_related("created_by", "case_type")
        .defer("csv_file", "ach_file")
        .order_by("-created_at", "-id")
    )


def batch_get(*, user, batch_id: int) -> PaymentBatch:
    """One export batch, with its files. Raises NotFound."""
    _require_staff(user)
    batch = PaymentBatch.objects.select_related("created_by", "case_type").filter(pk=batch_id).first()
    if batch is None:
        raise errors.NotFound("There is no such batch.")
    return batch


def reconciliation_list_for(*, user) -> QuerySet[ReconciliationImport]:
    """Every reconciliation import, applied or refused, newest first."""
    _require_staff(user)
    return ReconciliationImport.objects.select_related("imported_by").order_by("-imported_at", "-id")


def reconciliation_get(*, user, import_id: int) -> ReconciliationImport:
    """One reconciliation import with its per-row report. Raises NotFound."""
    record = reconciliation_list_for(user=user).filter(pk=import_id).first()
    if record is None:
        raise errors.NotFound("There is no such reconciliation import.")
    return record
