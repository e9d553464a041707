"""Reconciliation (docs/adr/0017): the payment provider's results come back as a CSV file and move
each payment to successful, failed or returned.

All or nothing: every row is read and checked first (the reference names a payment that was
exported, the result is one we know and can follow the payment's status, the amount is the
payment's) with the payments locked; if any row is wrong nothing is applied and the import is kept
as refused, with a report naming each bad row and field. Idempotent: a row whose result the payment
already has, or has gone past (a success since returned), changes nothing, so the same file imported
twice changes nothing the second time; a row for an earlier submission of a payment since retried
(its batch_reference is not the payment's batch now) changes nothing either.

Columns: payment_reference, result (successful / failed / returned) and amount are required;
batch_reference, provider_reference and reason are optional."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from core import errors
from core.models import User
from payments.diagram import transitions
from payments.models import Payment, PaymentStatus, ReconciliationImport, ReconciliationStatus
from payments.models.payments import transition_sources
from payments.permissions import can_import_reconciliation
from payments.services.payments import REASON_MAX_LENGTH, RESULTS, payment_record_result

REQUIRED_COLUMNS = ("payment_reference", "result", "amount")
OPTIONAL_COLUMNS = ("batch_reference", "provider_reference", "reason")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000


def _later_in_one_submission() -> dict[str, set[str]]:
    """For each status, the statuses a payment can move on to from it without a retry (which
    starts a new submission), read from the status machine: a row whose result the payment has
    since moved on from is already recorded."""
    edges = [(source, target) for source, target, name in transitions() if name != "retry"]
    later: dict[str, set[str]] = {}
    for status in PaymentStatus.values:
        seen: set[str] = set()
        frontier = {status}
        while frontier:
            frontier = {target for source, target in edges if source in frontier} - seen
            seen |= frontier
        later[status] = seen
    return later


_LATER = _later_in_one_submission()


@dataclass
class _Row:
    number: int  # the row's line in the file (the header is line 1)
    reference: str
    result: str
    amount: Decimal | None
    batch_reference: str
    provider_reference: str
    reason: str
    errors: dict[str, str] = field(default_factory=dict)
    outcome: str = ""
    message: str = ""
    payment: Payment | None = None
    payment_id: int | None = None  # from the reference, when it is well formed

    def report(self) -> dict[str, object]:
        entry: dict[str, object] = {
            "row": self.number,
            "reference": self.reference,
            "result": self.result,
            "outcome": "error" if self.errors else self.outcome,
            "message": " ".join(self.errors.values()) if self.errors else self.message,
        }
        if self.errors:
            entry["fields"] = self.errors
        return entry


def _read(content: bytes) -> list[dict[str, str]]:
    if len(content) > MAX_BYTES:
        raise errors.ValidationError(fields={"file": [f"The file is over {MAX_BYTES // (1024 * 1024)} MB."]})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise errors.ValidationError(fields={"file": ["The file is not a UTF-8 CSV file."]}) from error
    reader = csv.DictReader(io.StringIO(text))
    columns = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise errors.ValidationError(
            fields={
                "file": [
                    f"The file needs the columns {', '.join(REQUIRED_COLUMNS)} on its first line; "
                    f"missing: {', '.join(missing)}."
                ]
            }
        )
    reader.fieldnames = columns
    rows = []
    for index, row in enumerate(reader):
        if index >= MAX_ROWS:
            raise errors.ValidationError(fields={"file": [f"The file has more than {MAX_ROWS:,} rows: split it."]})
        if any((value or "").strip() for key, value in row.items() if key is not None):
            rows.append(row)
    if not rows:
        raise errors.ValidationError(fields={"file": ["The file has no rows of results."]})
    return rows


def _parse(number: int, raw: dict[str, str]) -> _Row:
    def cell(name: str) -> str:
        value = raw.get(name)
        return value.strip() if isinstance(value, str) else ""

    row = _Row(
        number=number,
        reference=cell("payment_reference").upper(),
        result=cell("result").lower(),
        amount=None,
        batch_reference=cell("batch_reference").upper(),
        provider_reference=cell("provider_reference"),
        reason=cell("reason"),
    )
    row.payment_id = Payment.id_from_export_reference(row.reference)
    if row.payment_id is None:
        row.errors["payment_reference"] = (
            f"“{row.reference}” is not a payment reference like PAY-00000123."
            if row.reference
            else "The payment reference is missing."
        )
    if row.result not in RESULTS:
        row.errors["result"] = f"The result must be one of {', '.join(RESULTS)}, not “{row.result}”."
    try:
        row.amount = Decimal(cell("amount").replace(",", ""))
        if not row.amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        row.errors["amount"] = f"“{cell('amount')}” is not an amount like 1250.00."
    if len(row.provider_reference) > 100:
        row.errors["provider_reference"] = "The provider reference can be at most 100 characters."
    if len(row.reason) > REASON_MAX_LENGTH:
        row.errors["reason"] = f"The reason can be at most {REASON_MAX_LENGTH} characters."
    return row


def _judge(row: _Row, payment: Payment | None) -> None:
    """Set the row's outcome ("changed" or "unchanged") and message, or its errors."""
    if payment is None:
        row.errors["payment_reference"] = f"There is no payment {row.reference}."
        return
    row.payment = payment
    current = payment.batch.reference if payment.batch else ""
    if row.batch_reference and row.batch_reference != current:
        row.outcome = "unchanged"
        row.message = (
            f"This result is for batch {row.batch_reference}; the payment has been tried again since "
            f"({f'now in batch {current}' if current else 'not exported again yet'}), so it does not apply."
        )
        return
    if not current:
        row.errors["payment_reference"] = f"Payment {row.reference} has not been exported in a batch."
        return
    if row.amount != payment.amount:
        row.errors["amount"] = f"The amount {row.amount} is not the payment's amount, {payment.amount}."
        return
    name, target = RESULTS[row.result]
    status = PaymentStatus(payment.status)
    if status == target or status in _LATER[target]:
        row.outcome = "unchanged"
        row.message = f"Already recorded: the payment is {status.label}."
    elif status in transition_sources(name):
        row.outcome = "changed"
        row.message = f"{status.label} → {PaymentStatus(target).label}."
    else:
        row.errors["result"] = f"The payment is {status.label}; a “{row.result}” result cannot follow that."


@transaction.atomic
def reconciliation_import(*, actor: User | None, file_name: str, content: bytes) -> ReconciliationImport:
    """Import the provider's results file (see the module's docstring). Returns the import, kept
    whether applied or refused, with a report entry per row.

    Who: the payment job (actor=None) or a supervisor. Raises PermissionDenied, ValidationError
    (field "file": not UTF-8 CSV, too big, columns missing, no rows)."""
    if not can_import_reconciliation(actor):
        raise errors.PermissionDenied("Only a supervisor, or the payment job, can import payment results.")
    rows = [_parse(number, raw) for number, raw in enumerate(_read(content), start=2)]
    seen: dict[str, int] = {}
    for row in rows:
        if row.reference in seen and "payment_reference" not in row.errors:
            row.errors["payment_reference"] = f"{row.reference} is also on row {seen[row.reference]}: one result each."
        seen.setdefault(row.reference, row.number)
    ids = {row.payment_id for row in rows if row.payment_id is not None}
    payments = {
        payment.pk: payment
        for payment in Payment.objects.select_for_update(of=("self",)).with_batch().filter(pk__in=ids).order_by("pk")
    }
    for row in rows:
        if not row.errors:
            _judge(row, payments.get(row.payment_id or 0))
    bad = [row for row in rows if row.errors]
    if not bad:
        for row in rows:
            if row.outcome == "changed" and row.payment is not None:
                payment_record_result(
                    actor=actor,
                    payment=row.payment,
                    result=row.result,
                    reference=row.provider_reference,
                    reason=row.reason,
                )
    else:
        for row in rows:
            if not row.errors:
                row.message = f"Not applied, because other rows are wrong (would be: {row.message})"
                row.outcome = "not_applied"
    changed = 0 if bad else sum(row.outcome == "changed" for row in rows)
    return ReconciliationImport.objects.create(
        file_name=(file_name or "results.csv")[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        imported_by=actor,
        status=ReconciliationStatus.REFUSED if bad else ReconciliationStatus.APPLIED,
        row_count=len(rows),
        changed_count=changed,
        unchanged_count=sum(row.outcome == "unchanged" for row in rows) if not bad else 0,
        error_count=len(bad),
        report=[row.report() for row in rows],
    )
