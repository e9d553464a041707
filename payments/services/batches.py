"""Export batches (docs/adr/0017): every verified payment, or those of one programme, submitted
together and written to the files the payment provider takes: a CSV of the whole batch (cheques
are printed from it; account numbers only masked) and a NACHA (ACH) file of the bank transfers,
built by carta-ach.

One export at a time (a transaction-scoped advisory lock), and each payment is locked and gets
its batch in the same save that submits it, so a payment is in exactly one batch: a second export,
or one running at the same moment, finds it submitted and passes it by. The files are written
once, kept (encrypted) on the batch, and downloaded as they were handed over."""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal

from ach.builder import AchFile
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from casework.models import CaseType
from core import errors
from core.models import User
from core.spreadsheets import csv_text
from payments.models import Payee, PayeeKind, Payment, PaymentBatch, PaymentMethod, PaymentStatus
from payments.models.payments import has_payment_method, payee_is_verified
from payments.permissions import can_export_batch
from payments.services.payments import _apply

_EXPORT_LOCK = (72_011, 0)
# NACHA's file id modifier tells a day's files apart: A-Z then 0-9, so 36 exports a day at most.
_FILE_ID_MODIFIERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
ACH_CHECKING_CREDIT = "22"

CSV_HEADER = (
    "batch_reference",
    "payment_reference",
    "case_number",
    "programme",
    "reason_code",
    "reason",
    "period_start",
    "period_end",
    "amount",
    "payee_name",
    "payee_kind",
    "payment_method",
    "account_holder",
    "routing_number",
    "account_number",
    "mailing_address",
)


def why_not_exportable(payment: Payment) -> str:
    """Why a verified payment cannot go in a batch now, or "" if it can."""
    if not payee_is_verified(payment):
        return "The payee is no longer verified (their details changed): verify the payee again."
    if not has_payment_method(payment):
        return "The payee has no details for this payment method."
    if payment.payment_method == PaymentMethod.BANK_TRANSFER and len(payment.payee.routing_number) != 9:
        return "A bank transfer is paid through ACH, which needs a 9-digit routing number (not a sort code)."
    return ""


def _next_reference(today: datetime.date) -> tuple[str, str]:
    """The batch reference (PB-20261122-01) and the ACH file id modifier for the day's next export."""
    prefix = f"PB-{today:%Y%m%d}-"
    count = PaymentBatch.objects.filter(reference__startswith=prefix).count()
    if count >= len(_FILE_ID_MODIFIERS):
        raise errors.Conflict(
            f"{len(_FILE_ID_MODIFIERS)} batches have been exported today, the most one day's files can tell apart. "
            "Export again tomorrow."
        )
    return f"{prefix}{count + 1:02d}", _FILE_ID_MODIFIERS[count]


def _next_business_day(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _csv(batch: PaymentBatch, payments: list[Payment]) -> str:
    def row(payment: Payment) -> list[object]:
        payee: Payee = payment.payee
        bank = payment.payment_method == PaymentMethod.BANK_TRANSFER
        return [
            batch.reference,
            payment.export_reference,
            payment.case.number,
            payment.case.case_type.name,
            payment.reason,
            payment.get_reason_display(),
            payment.period_start.isoformat(),
            (payment.period_end or payment.period_start).isoformat(),
            payment.amount,
            payee.name,
            payee.kind,
            payment.payment_method,
            payee.account_holder if bank else "",
            payee.routing_number if bank else "",
            payee.account_number_masked if bank else "",
            "" if bank else payee.mailing_address,
        ]

    return csv_text(CSV_HEADER, (row(payment) for payment in payments))


def _ascii(text: str) -> str:
    """NACHA files are ASCII: "Zoë Müller" is written "Zoe Muller"."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _ach(payments: list[Payment], *, file_id: str, effective: datetime.date) -> str:
    """The bank transfers as one NACHA file: a PPD batch for individuals, a CCD batch for
    businesses, one credit entry each, identified by the payment's reference."""
    transfers = [payment for payment in payments if payment.payment_method == PaymentMethod.BANK_TRANSFER]
    if not transfers:
        return ""
    ach = settings.PAYMENTS_ACH
    file = AchFile(
        file_id,
        {
            "immediate_dest": ach["IMMEDIATE_DESTINATION"],
            "immediate_dest_name": ach["IMMEDIATE_DESTINATION_NAME"],
            "immediate_org": ach["IMMEDIATE_ORIGIN"],
            "immediate_org_name": ach["IMMEDIATE_ORIGIN_NAME"],
            "company_id": ach["COMPANY_ID"],
            "company_name": ach["COMPANY_NAME"],
        },
    )
    for kind, sec_code in ((PayeeKind.INDIVIDUAL, "PPD"), (PayeeKind.BUSINESS, "CCD")):
        entries = [
            {
                "type": ACH_CHECKING_CREDIT,
                "routing_number": payment.payee.routing_number,
                "account_number": payment.payee.account_number,
                "amount": str(payment.amount),
                "name": _ascii(payment.payee.account_holder),
                "id_number": payment.export_reference,
            }
            for payment in transfers
            if payment.payee.kind == kind
        ]
        if entries:
            file.add_batch(
                sec_code,
                entries,
                credits=True,
                debits=False,
                eff_ent_date=datetime.datetime.combine(effective, datetime.time.min),
                entry_desc=ach["ENTRY_DESCRIPTION"],
            )
    return file.render_to_string()


@transaction.atomic
def batch_export(
    *, actor: User | None, case_type: CaseType | None = None, today: datetime.date | None = None
) -> PaymentBatch:
    """Submit every verified payment not yet in a batch (only `case_type`'s, when given) in a new
    batch, and write its files. A verified payment that cannot be paid as it stands (its payee no
    longer verified, no details for its method, a sort code where ACH needs a routing number) is
    left out, still verified, and listed in the batch's report with why.

    Who: the payment job (actor=None) or a supervisor. Raises PermissionDenied, ValidationError
    (field "batch": nothing ready to export, with why each left-out payment was), Conflict (the
    day's 36 files are used)."""
    if not can_export_batch(actor):
        raise errors.PermissionDenied("Only a supervisor, or the payment job, can export a payment batch.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(_EXPORT_LOCK))
    today = today or timezone.localdate()
    candidates = (
        Payment.objects.select_for_update(of=("self",))
        .filter(status=PaymentStatus.VERIFIED_BY_WORKER, batch__isnull=True)
        .select_related("payee", "case", "case__case_type")
        .order_by("pk")
    )
    if case_type is not None:
        candidates = candidates.filter(case__case_type=case_type)
    chosen: list[Payment] = []
    left_out: list[dict[str, str]] = []
    for payment in candidates:
        problem = why_not_exportable(payment)
        if problem:
            left_out.append({"payment": payment.export_reference, "case": payment.case.number, "reason": problem})
        else:
            chosen.append(payment)
    if not chosen:
        detail = " ".join(f"{entry['payment']}: {entry['reason']}" for entry in left_out)
        raise errors.ValidationError(
            "There is nothing to export.",
            fields={"batch": [f"No verified payments are ready to export. {detail}".strip()]},
        )
    reference, file_id = _next_reference(today)
    batch = PaymentBatch.objects.create(reference=reference, created_by=actor, case_type=case_type, report=left_out)
    for payment in chosen:
        payment.batch = batch
        _apply(payment, "submit", actor=actor, reason=f"Exported in batch {reference}.", batch=reference)
    batch.payment_count = len(chosen)
    batch.total_amount = sum((payment.amount for payment in chosen), Decimal("0"))
    batch.csv_file = _csv(batch, chosen)
    batch.ach_file = _ach(chosen, file_id=file_id, effective=_next_business_day(today)) or None
    batch.save(update_fields=["payment_count", "total_amount", "csv_file", "ach_file"])
    return batch


FILE_KINDS = {
    "csv": ("text/csv", "csv"),
    "ach": ("text/plain", "ach"),
}


def batch_file(batch: PaymentBatch, kind: str) -> tuple[str, str, bytes]:
    """The batch's file of `kind` ("csv" or "ach") as it was exported: (file name, content type,
    content). Raises NotFound for an unknown kind, or an ACH file of a batch with no transfers.
    Callers check who may download (payments.permissions.can_export_batch)."""
    if kind not in FILE_KINDS:
        raise errors.NotFound(f"There is no {kind!r} file: choose one of {', '.join(FILE_KINDS)}.")
    content = (batch.csv_file if kind == "csv" else batch.ach_file) or ""
    if not content:
        raise errors.NotFound(f"Batch {batch.reference} has no bank transfers, so no ACH file.")
    content_type, extension = FILE_KINDS[kind]
    return f"{batch.reference}.{extension}", content_type, content.encode("ascii" if kind == "ach" else "utf-8")
