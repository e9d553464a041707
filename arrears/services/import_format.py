"""What a housing system's export file looks like, and how its values are read: the columns of
an accounts file and of a transactions file, the header (which kind of file, where each column
is), the records, and amounts, dates and text checked cell by cell with a plain reason for each
problem. No database here: arrears.services.imports does the importing."""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import TextIO

from arrears.models import ImportKind
from core import errors

ACCOUNT_REQUIRED = ("reference", "kind", "tenancy_reference")
ACCOUNT_OPTIONAL = ("patch_code", "weekly_rent", "weekly_service_charge", "weekly_other_charges", "terminated")
TRANSACTION_REQUIRED = ("account_reference", "external_id", "type_code", "posted_on", "amount")
TRANSACTION_OPTIONAL = ("description",)
COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    ImportKind.ACCOUNTS: (ACCOUNT_REQUIRED, ACCOUNT_OPTIONAL),
    ImportKind.TRANSACTIONS: (TRANSACTION_REQUIRED, TRANSACTION_OPTIONAL),
}

TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0", ""}
_AMOUNT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ROW = "row"  # the "field" of a problem with the whole row


class RowError(Exception):
    """Problems with one row, column by column."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(message for _column, message in problems))


class Unreadable(Exception):
    """The file cannot be read past this point."""


# --- reading the file --------------------------------------------------------------------------


def header_problem(message: str) -> errors.ValidationError:
    return errors.ValidationError(message, fields={"file": [message]})


def quoted(names) -> str:
    names = [f"“{name}”" for name in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def detect_kind(names: list[str], kind: str | None) -> str:
    if kind is not None:
        if kind not in ImportKind.values:
            raise header_problem(f"“{kind}” is not a kind of file: say accounts or transactions.")
        return kind
    present = set(names)
    scores = {}
    for candidate, (required, optional) in COLUMNS.items():
        other = {c for k, (r, o) in COLUMNS.items() if k != candidate for c in (*r, *o)}
        scores[candidate] = len(present & (set(required) | set(optional)) - other)
    best = max(scores.values())
    winners = [k for k, score in scores.items() if score == best]
    if best == 0 or len(winners) > 1:
        raise header_problem(
            "The header does not say whether this is an accounts file (reference, kind, tenancy_reference …) "
            "or a transactions file (account_reference, external_id, type_code, posted_on, amount …): "
            "check the first row, or give the kind of file. Nothing was imported."
        )
    return winners[0]


def read_header(row: list[str], kind: str | None) -> tuple[str, dict[str, int], int]:
    """The file's kind, each known column's position, and the number of columns. Column names
    are matched without regard to case or surrounding spaces; columns with an empty name (a
    spreadsheet's trailing commas) are ignored."""
    names = [cell.replace("\ufeff", "").strip().lower() for cell in row]
    if not any(names):
        raise header_problem("The first row is empty: it should name the columns. Nothing was imported.")
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        raise header_problem(f"The header names {quoted(twice)} more than once. Nothing was imported.")
    kind = detect_kind([n for n in names if n], kind)
    required, optional = COLUMNS[kind]
    unknown = [n for n in names if n and n not in required and n not in optional]
    missing = [n for n in required if n not in names]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(f"is missing the required {'column' if len(missing) == 1 else 'columns'} {quoted(missing)}")
        if unknown:
            parts.append(f"has {'a column' if len(unknown) == 1 else 'columns'} we do not know: {quoted(unknown)}")
        label = ImportKind(kind).label.lower()
        raise header_problem(
            f"The {label} file's header {' and '.join(parts)}. "
            f"The columns are {', '.join(required)} (required) and {', '.join(optional)}. Nothing was imported."
        )
    return kind, {name: index for index, name in enumerate(names) if name}, len(names)


def file_records(file: TextIO) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line the record starts on, fields or None, problem) for each non-blank record."""
    reader = csv.reader(file)
    while True:
        start = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, None, f"The row cannot be read as CSV: {error}."
            continue
        except UnicodeDecodeError:
            raise Unreadable(f"The file is not UTF-8 text at or after line {start}: save it as CSV (UTF-8).") from None
        if any(cell.strip() for cell in fields):
            yield start, fields, ""


# --- values ------------------------------------------------------------------------------------


def text_value(values: dict[str, str], column: str, problems: list, *, limit: int, required: bool = True) -> str:
    value = values.get(column, "").strip()
    if not value and required:
        problems.append((column, f"The {column} is empty."))
    elif len(value) > limit:
        problems.append((column, f"The {column} has {len(value)} characters; at most {limit} fit."))
    return value


def amount_value(
    values: dict[str, str], column: str, problems: list, *, signed: bool, max_digits: int, required: bool
) -> Decimal | None:
    text = values.get(column, "").strip().replace(",", "") if column in values else None
    if text is None:
        return None
    if not text:
        if required:
            problems.append((column, f"The {column} is empty."))
            return None
        return Decimal("0.00")
    if not _AMOUNT.fullmatch(text):
        problems.append((column, f"“{values[column].strip()}” is not an amount of money (write it like 123.45)."))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover (the pattern admits only what Decimal reads)
        problems.append((column, f"“{text}” is not an amount of money (write it like 123.45)."))
        return None
    if value != value.quantize(Decimal("0.01")):
        problems.append((column, f"“{text}” has more than two decimal places."))
        return None
    if value < 0 and not signed:
        problems.append((column, f"The {column} cannot be negative (it is {text})."))
        return None
    if abs(value) >= Decimal(10) ** (max_digits - 2):
        problems.append((column, f"“{text}” is too large an amount."))
        return None
    return value.quantize(Decimal("0.01"))


def date_value(values: dict[str, str], column: str, problems: list, *, today: datetime.date) -> datetime.date | None:
    text = values.get(column, "").strip()
    if not text:
        problems.append((column, f"The {column} is empty."))
        return None
    iso, uk = _ISO_DATE.fullmatch(text), _UK_DATE.fullmatch(text)
    try:
        if iso:
            value = datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
        elif uk:
            value = datetime.date(int(uk[3]), int(uk[2]), int(uk[1]))
        else:
            problems.append((column, f"“{text}” is not a date: write it as YYYY-MM-DD or DD/MM/YYYY."))
            return None
    except ValueError:
        problems.append((column, f"“{text}” is not a date in the calendar."))
        return None
    if value > today:
        problems.append((column, f"{value:%d/%m/%Y} is in the future: only transactions already posted are imported."))
        return None
    return value


def row_values(fields: list[str], columns: dict[str, int], width: int) -> dict[str, str]:
    if len(fields) != width and (len(fields) < width or any(cell.strip() for cell in fields[width:])):
        hint = " (a quotation mark may be left open)" if any("\n" in cell for cell in fields) else ""
        raise RowError([(ROW, f"The row has {len(fields)} values but the header has {width} columns{hint}.")])
    if "\x00" in "".join(fields):
        raise RowError([(ROW, "The row contains a NUL character: the file may not be text.")])
    return {name: fields[index] for name, index in columns.items()}
