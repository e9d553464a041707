"""Importing rent and service-charge accounts, and their transactions, from a housing system's
nightly CSV export (the file formats are in docs/arrears-import.md).

A file is an accounts file or a transactions file, told apart by its header. Every row is checked
on its own: a bad row is rejected, with its line, the column and a plain reason, and the rest are
imported, so one bad row never blocks a night's export. Nothing is half-written: rows are read a
batch at a time, every reference in a batch is resolved with one query per kind of reference, and
each batch is written in one transaction (a rejected row writes nothing at all).

Importing is idempotent. Accounts are keyed by their reference: created, updated where a value
differs, or left unchanged. Transactions are keyed by (account, external id): the same row again
is unchanged; the same id with another amount, date or type is rejected as a conflict and the
stored transaction is left as it is, because a posted transaction is never silently rewritten.

Accounts change through bulk writes that the audit triggers record (with the import's run id and
the actor); transactions are inserted set-based (INSERT … SELECT FROM json_to_recordset … ON
CONFLICT DO NOTHING). Each import but a dry run is recorded as an ImportRun with its report.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from arrears.models import AccountKind, ImportKind, ImportRun, RentAccount, Transaction, TransactionType
from arrears.services.import_format import (
    FALSE_WORDS,
    ROW,
    TRUE_WORDS,
    RowError,
    Unreadable,
    amount_value,
    date_value,
    file_records,
    header_problem,
    read_header,
    row_values,
    text_value,
)
from casework.models import Patch, Tenancy
from core import errors
from core.audit import audited
from core.permissions import is_supervisor

BATCH = 5000
REPORT_LIMIT = ImportRun.REPORT_LIMIT

_WEEKLY = ("weekly_rent", "weekly_service_charge", "weekly_other_charges")
_UPDATED_FIELDS = [*_WEEKLY, "patch", "is_terminated", "updated_at", "updated_by"]
KIND_LABELS: dict[str, str] = {AccountKind.RENT: "rent", AccountKind.SERVICE_CHARGE: "service-charge"}
_LOCK = "arrears_import"  # imports run one at a time (a transaction-level advisory lock per batch)


@dataclass(frozen=True)
class Rejection:
    """Why a row was not imported: its line in the file (the header is line 1), the column at
    fault ("row" for the row as a whole) and a plain sentence."""

    line: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}


@dataclass
class ImportReport:
    """What an import did. `rejections` holds the first REPORT_LIMIT problems (a row can have more
    than one); `rejected` counts rejected rows. `error` says why it stopped before the end of the
    file, when it did (the batches before were imported)."""

    kind: str
    name: str
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    classified: int = 0
    run_id: int | None = None
    error: str = ""

    @property
    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ("created", "updated", "unchanged", "rejected")}

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected

    @property
    def more_problems(self) -> int:
        """Problems found but not kept in `rejections`."""
        return self.problems - len(self.rejections)

    def reject(self, line: int, *problems: tuple[str, str]) -> None:
        self.rejected += 1
        for column, message in problems:
            self.problems += 1
            if len(self.rejections) < REPORT_LIMIT:
                self.rejections.append(Rejection(line, column, message))

    def summary(self) -> str:
        what = "Checked" if self.dry_run else "Imported"
        kind = ImportKind(self.kind).label.lower()
        rows = "1 row" if self.rows == 1 else f"{self.rows} rows"
        text = (
            f"{what} {kind} from {self.name}: {rows}, {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected."
        )
        if self.dry_run:
            text += " Dry run: nothing was written."
        if self.classified:
            text += f" {self.classified} {'account' if self.classified == 1 else 'accounts'} re-classified."
        return text


# --- accounts ----------------------------------------------------------------------------------


@dataclass
class _AccountRow:
    line: int
    reference: str
    kind: str
    tenancy_reference: str
    values: dict[str, Any]  # model field → value, for the optional columns the file has

    def fingerprint(self) -> int:
        return hash((self.kind, self.tenancy_reference, tuple(sorted(self.values.items()))))


def _account_row(line: int, values: dict[str, str], patches: dict[str, int]) -> _AccountRow:
    problems: list[tuple[str, str]] = []
    reference = text_value(values, "reference", problems, limit=20)
    kind_text = values.get("kind", "").strip().lower().replace(" ", "_").replace("-", "_")
    if kind_text not in AccountKind.values:
        shown = values.get("kind", "").strip()
        message = f"“{shown}” is not a kind of account: say rent or service_charge." if shown else "The kind is empty."
        problems.append(("kind", message))
    tenancy_reference = text_value(values, "tenancy_reference", problems, limit=20).upper()
    fields: dict[str, Any] = {}
    if "patch_code" in values:
        code = values["patch_code"].strip()
        if code and code.upper() not in patches:
            problems.append(("patch_code", f"There is no patch “{code}”."))
        fields["patch_id"] = patches.get(code.upper()) if code else None
    for column in _WEEKLY:
        if column in values:
            fields[column] = amount_value(values, column, problems, signed=False, max_digits=10, required=False)
    if "terminated" in values:
        word = values["terminated"].strip().lower()
        if word in TRUE_WORDS:
            fields["is_terminated"] = True
        elif word in FALSE_WORDS:
            fields["is_terminated"] = False
        else:
            problems.append(("terminated", f"“{values['terminated'].strip()}” is not true or false (or yes or no)."))
    if problems:
        raise RowError(problems)
    return _AccountRow(line, reference, kind_text, tenancy_reference, fields)


def _accounts_batch(
    rows: list[_AccountRow], report: ImportReport, *, actor, dry_run: bool, touched: dict[str, set[int]]
) -> None:
    tenancies = dict(
        Tenancy.objects.filter(reference__in={r.tenancy_reference for r in rows}).values_list("reference", "pk")
    )
    found = RentAccount.objects.filter(
        Q(reference__in={r.reference for r in rows}) | Q(tenancy_id__in=tenancies.values())
    ).select_related("tenancy")
    if not dry_run:
        # In id order, as the nightly run locks them, so the two never deadlock.
        found = found.select_for_update(of=("self",)).order_by("pk")
    by_reference: dict[str, RentAccount] = {}
    holders: dict[tuple[int, str], str] = {}
    for stored in found:
        by_reference[stored.reference] = stored
        holders[(stored.tenancy_id, stored.kind)] = stored.reference
    new: list[RentAccount] = []
    changed: list[RentAccount] = []
    for row in rows:
        tenancy_id = tenancies.get(row.tenancy_reference)
        if tenancy_id is None:
            report.reject(row.line, ("tenancy_reference", f"There is no tenancy “{row.tenancy_reference}”."))
            continue
        account = by_reference.get(row.reference)
        if account is None:
            holder = holders.get((tenancy_id, row.kind))
            if holder is not None:
                taken = f"Tenancy {row.tenancy_reference} already has a {KIND_LABELS[row.kind]} account, {holder}"
                report.reject(row.line, ("tenancy_reference", f"{taken}: a tenancy has one account of each kind."))
                continue
            created = RentAccount(reference=row.reference, kind=row.kind, tenancy_id=tenancy_id, **row.values)
            created.stamp(actor)
            new.append(created)
            by_reference[row.reference] = created
            holders[(tenancy_id, row.kind)] = row.reference
            report.created += 1
            continue
        problems = []
        if account.kind != row.kind:
            kind_is = f"Account {row.reference} is a {KIND_LABELS[account.kind]} account"
            problems.append(("kind", f"{kind_is}: an import cannot change an account's kind."))
        if account.tenancy_id != tenancy_id:
            belongs = f"Account {row.reference} belongs to tenancy {account.tenancy.reference}"
            problems.append(("tenancy_reference", f"{belongs}: an import cannot move an account to another tenancy."))
        if problems:
            report.reject(row.line, *problems)
            continue
        differs = {name: value for name, value in row.values.items() if getattr(account, name) != value}
        if not differs:
            report.unchanged += 1
            continue
        for name, value in differs.items():
            setattr(account, name, value)
        account.stamp(actor)
        changed.append(account)  # once: a reference given twice is caught as the rows are read
        report.updated += 1
    if dry_run:
        return
    if new:
        RentAccount.objects.bulk_create(new)
    if changed:
        RentAccount.objects.bulk_update(changed, _UPDATED_FIELDS)
    for account in (*new, *changed):
        touched.setdefault(account.kind, set()).add(account.pk)


# --- transactions ------------------------------------------------------------------------------


@dataclass
class _TransactionRow:
    line: int
    account_reference: str
    external_id: str
    type_code: str
    posted_on: datetime.date
    amount: Decimal
    description: str

    @property
    def terms(self) -> tuple[str, datetime.date, Decimal]:
        return (self.type_code, self.posted_on, self.amount)


def _transaction_row(line: int, values: dict[str, str], types: dict[str, str], today: datetime.date) -> _TransactionRow:
    problems: list[tuple[str, str]] = []
    account_reference = text_value(values, "account_reference", problems, limit=20)
    external_id = text_value(values, "external_id", problems, limit=40)
    code = values.get("type_code", "").strip()
    if not code:
        problems.append(("type_code", "The type_code is empty."))
    elif code.upper() not in types:
        problems.append(("type_code", f"There is no transaction type “{code}”."))
    posted_on = date_value(values, "posted_on", problems, today=today)
    amount = amount_value(values, "amount", problems, signed=True, max_digits=12, required=True)
    description = text_value(values, "description", problems, limit=200, required=False)
    if problems or posted_on is None or amount is None:
        raise RowError(problems)
    return _TransactionRow(line, account_reference, external_id, types[code.upper()], posted_on, amount, description)


def _difference(row: _TransactionRow, stored: tuple[str, datetime.date, Decimal]) -> tuple[str, str]:
    """The first column that differs from the stored transaction, and a sentence naming each
    difference."""
    type_code, posted_on, amount = stored
    parts, columns = [], []
    if amount != row.amount:
        parts.append(f"amount ({amount}, not {row.amount})")
        columns.append("amount")
    if posted_on != row.posted_on:
        parts.append(f"date ({posted_on:%Y-%m-%d}, not {row.posted_on:%Y-%m-%d})")
        columns.append("posted_on")
    if type_code != row.type_code:
        parts.append(f"type ({type_code}, not {row.type_code})")
        columns.append("type_code")
    return columns[0], " and ".join(parts)


# A batch goes to PostgreSQL as one JSON document (json.dumps is far quicker than quoting
# arrays value by value) and is read back as rows; the unique (account, external_id) index
# answers both the look-up and ON CONFLICT.
_EXISTING_SQL = """
SELECT t.account_id, t.external_id, t.type_id, t.posted_on, t.amount
  FROM {table} t
  JOIN json_to_recordset(%s::json) AS k(a bigint, e text) ON t.account_id = k.a AND t.external_id = k.e
"""

_INSERT_SQL = """
INSERT INTO {table} (account_id, external_id, type_id, posted_on, amount, description, created_at)
SELECT k.a, k.e, k.t, k.p, k.m, k.d, %s
  FROM json_to_recordset(%s::json) AS k(a bigint, e text, t text, p date, m numeric, d text)
ON CONFLICT (account_id, external_id) DO NOTHING
RETURNING account_id, external_id
"""


def _stored(keys: list[tuple[int, str]]) -> dict[tuple[int, str], tuple[str, datetime.date, Decimal]]:
    if not keys:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            _EXISTING_SQL.format(table=Transaction._meta.db_table), [json.dumps([{"a": a, "e": e} for a, e in keys])]
        )
        return {(a, e): (t, p, m) for a, e, t, p, m in cursor.fetchall()}


def _transactions_batch(
    rows: list[_TransactionRow], report: ImportReport, *, dry_run: bool, touched: dict[str, set[int]]
) -> None:
    accounts = {
        reference: (pk, kind)
        for reference, pk, kind in RentAccount.objects.filter(
            reference__in={r.account_reference for r in rows}
        ).values_list("reference", "pk", "kind")
    }
    keyed: list[tuple[tuple[int, str], _TransactionRow]] = []
    for row in rows:
        found = accounts.get(row.account_reference)
        if found is None:
            report.reject(row.line, ("account_reference", f"There is no account “{row.account_reference}”."))
            continue
        keyed.append(((found[0], row.external_id), row))
    stored = _stored(list({key for key, _row in keyed}))
    pending: dict[tuple[int, str], _TransactionRow] = {}
    for key, row in keyed:
        first = pending.get(key)
        if key in stored:
            terms, where = stored[key], "was already imported"
        elif first is not None:
            terms, where = first.terms, f"is already on line {first.line} of this file"
        else:
            pending[key] = row
            continue
        if terms == row.terms:
            report.unchanged += 1
            continue
        column, difference = _difference(row, terms)
        said = f"Transaction {row.external_id} on account {row.account_reference} {where} with a different {difference}"
        never = ": an import never changes a transaction." if key in stored else "."
        report.reject(row.line, (column, said + never))
    if not pending:
        return
    if dry_run:
        report.created += len(pending)
        return
    document = json.dumps(
        [
            {"a": a, "e": e, "t": r.type_code, "p": r.posted_on.isoformat(), "m": str(r.amount), "d": r.description}
            # By account, so the foreign-key checks lock accounts in id order, as the nightly run does.
            for (a, e), r in sorted(pending.items(), key=lambda item: item[0])
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL.format(table=Transaction._meta.db_table), [timezone.now(), document])
        inserted = set(cursor.fetchall())
    report.created += len(inserted)
    kinds = dict(accounts.values())
    for account_id, _external_id in inserted:
        touched.setdefault(kinds[account_id], set()).add(account_id)
    raced = [key for key in pending if key not in inserted]
    if raced:  # written by someone else since _stored looked: compare with what they wrote
        now_stored = _stored(raced)
        for key in raced:
            row = pending[key]
            if now_stored.get(key) == row.terms:
                report.unchanged += 1
            else:
                meanwhile = f"Transaction {row.external_id} was written by someone else during the import."
                report.reject(row.line, ("external_id", meanwhile))


# --- the service -------------------------------------------------------------------------------


def _classify(touched: dict[str, set[int]], batch: int) -> int:
    """Re-derive and re-classify the accounts the import touched, a batch at a time, as the
    nightly run does, but without sending: the nightly run sends what automation is on for."""
    from arrears.services.classification import BATCH as CLASSIFY_BATCH
    from arrears.services.classification import classify_batch
    from arrears.services.rulesets import rule_set_for, rule_settings_for

    now = timezone.now()
    classified = 0
    size = min(batch, CLASSIFY_BATCH)
    for kind, ids in touched.items():
        if not ids:
            continue
        rule_set = rule_set_for(kind)
        settings = rule_settings_for(rule_set)
        ordered = sorted(ids)
        for start in range(0, len(ordered), size):
            counts = classify_batch(
                ordered[start : start + size], rule_set=rule_set, settings=settings, now=now, automate=False
            )
            classified += counts.classified
    return classified


def _account_steps(report: ImportReport, *, actor, dry_run: bool, touched: dict[str, set[int]]):
    """How an accounts file's rows are read, and how a batch of them is written. An account
    given twice counts once, or is rejected when the second row says something else."""
    patches = {code.upper(): pk for code, pk in Patch.objects.values_list("code", "pk")}
    seen: dict[str, tuple[int, int]] = {}  # reference → (line, fingerprint), across the file

    def parse(line: int, values: dict[str, str]) -> _AccountRow | None:
        row = _account_row(line, values, patches)
        earlier = seen.setdefault(row.reference, (line, row.fingerprint()))
        if earlier[0] == line:
            return row
        if earlier[1] == row.fingerprint():
            report.unchanged += 1
            return None
        raise RowError(
            [("reference", f"Account {row.reference} is already on line {earlier[0]} with different details.")]
        )

    def write(batch: list) -> None:
        _accounts_batch(batch, report, actor=actor, dry_run=dry_run, touched=touched)

    return parse, write


def _transaction_steps(report: ImportReport, *, dry_run: bool, touched: dict[str, set[int]]):
    """How a transactions file's rows are read, and how a batch of them is written."""
    types = {code.upper(): code for code in TransactionType.objects.values_list("code", flat=True)}
    today = timezone.localdate()

    def parse(line: int, values: dict[str, str]) -> _TransactionRow:
        return _transaction_row(line, values, types, today)

    def write(batch: list) -> None:
        _transactions_batch(batch, report, dry_run=dry_run, touched=touched)

    return parse, write


def import_csv(
    *,
    actor,
    file: TextIO,
    name: str,
    kind: str | None = None,
    dry_run: bool = False,
    classify: bool = False,
    batch_size: int = BATCH,
) -> ImportReport:
    """Import an accounts or transactions CSV file (`file`, a text stream; `name` is what the
    report calls it). The kind is read from the header unless given. Valid rows are imported a
    batch at a time, each batch in one transaction; bad rows are rejected and listed in the
    report. With `dry_run` every row is checked and counted but nothing is written (no run is
    recorded). With `classify` the accounts the import created, changed or posted to are
    re-classified (automation does not send: the nightly run does).

    Who: supervisors, or the system (`actor` None: the nightly command).
    Raises PermissionDenied; ValidationError (field "file") when the file cannot be read or its
    header is wrong, before anything is written."""
    if actor is not None and not is_supervisor(actor):
        raise errors.PermissionDenied("Only supervisors can import accounts and transactions.")
    records = file_records(file)
    try:
        first = next(records, None)
    except Unreadable as stop:
        raise header_problem(f"{stop} Nothing was imported.") from None
    if first is None:
        raise header_problem("The file is empty: it has no header row. Nothing was imported.")
    if first[1] is None:
        raise header_problem(f"The header cannot be read as CSV. {first[2]} Nothing was imported.")
    kind, columns, width = read_header(first[1], kind)
    report = ImportReport(kind=kind, name=name, dry_run=dry_run)
    run = None
    if not dry_run:
        run = ImportRun.objects.create(kind=kind, file_name=name[:255], started_by=actor)
        report.run_id = run.pk

    touched: dict[str, set[int]] = {}  # account kind → ids created, changed or posted to
    if kind == ImportKind.ACCOUNTS:
        parse, write = _account_steps(report, actor=actor, dry_run=dry_run, touched=touched)
    else:
        parse, write = _transaction_steps(report, dry_run=dry_run, touched=touched)

    def flush(batch: list) -> None:
        if dry_run:
            write(batch)
            return
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_LOCK])
            write(batch)

    try:
        with audited(actor=actor, action="arrears_import", import_run=report.run_id):
            batch: list = []
            try:
                for line, fields, problem in records:
                    if fields is None:
                        report.reject(line, (ROW, problem))
                        continue
                    try:
                        row = parse(line, row_values(fields, columns, width))
                    except RowError as error:
                        report.reject(line, *error.problems)
                        continue
                    if row is not None:
                        batch.append(row)
                    if len(batch) >= batch_size:
                        flush(batch)
                        batch = []
            except Unreadable as stop:
                report.error = f"{stop} The rows before it were imported; import the file again once it is fixed."
            if batch:
                flush(batch)
        # Outside the import's audit context: classification records its own.
        if classify and not dry_run:
            report.classified = _classify(touched, batch_size)
    except BaseException as error:
        if run is not None:
            # If the caller's transaction is broken, its rollback says enough.
            with contextlib.suppress(DatabaseError):
                _finish(run, report, error=report.error or f"The import stopped: {error!r}")
        raise
    if run is not None:
        _finish(run, report, error=report.error)
    else:
        report.rejections.sort(key=lambda r: r.line)
    return report


def _finish(run: ImportRun, report: ImportReport, *, error: str) -> None:
    # A row is rejected as it is read, or when its batch resolves references: list them by line
    # (the sort is stable: a row's problems keep their order).
    report.rejections.sort(key=lambda r: r.line)
    run.finished_at = timezone.now()
    for name, value in report.counts.items():
        setattr(run, name, value)
    run.classified = report.classified
    run.report = [r.as_dict() for r in report.rejections]
    run.error = error
    run.save()
