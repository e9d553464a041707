"""CSV files people open in spreadsheets. A cell that starts with =, +, -, @ or a tab or carriage
return is run as a formula by Excel, LibreOffice and Google Sheets (CSV injection), so text from
users (a payee's name, a note) is written with a leading apostrophe there, which spreadsheets show
as text. Numbers we write ourselves go through unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """`value` as a CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV file (RFC 4180: CRLF line ends, quoted where needed) with every cell safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()
