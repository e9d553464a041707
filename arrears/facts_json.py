"""Facts records as JSON, for trying the rules without stored accounts (`manage.py arrears_classify`).

The input is an array of objects, one per account: an `id` (a string or an integer) and any of
the fields of `arrears.rules.Facts`; a field left out is unknown (null). Money is a JSON number
(payments negative), dates an ISO date ("2026-11-21", local midnight) or date and time
("2026-11-21T09:30:00", with or without an offset; without one it is local time).

Every problem raises FactsError, one sentence naming the record (its position from 1, and its
id when it has one) and the field."""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from decimal import Decimal
from typing import Any

from arrears.rules import AGREEMENT_STATES, AGREEMENT_TYPES, Facts, Moment


class FactsError(ValueError):
    """The facts cannot be read; the message says where and why."""


_MONEY = ("balance", "collectable_arrears", "weekly_gross_rent", "payments_this_week_total")
_CODES = ("last_communication_code", "court_outcome_code")
_MOMENTS = (
    "last_communication_at",
    "nosp_served_at",
    "paused_until",
    "eviction_date",
    "last_payment_at",
    "court_date",
    "court_strike_out_date",
    "agreement_start_at",
)
FIELDS: tuple[str, ...] = ("id", *(field.name for field in dataclasses.fields(Facts)))

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")
_MOMENT_FORMS = 'an ISO date ("2026-11-21") or date and time ("2026-11-21T09:30:00")'


def parse_moment(text: str) -> Moment:
    """An ISO date as a date, or an ISO date and time as a datetime (aware if it has an offset,
    naive otherwise). Raises ValueError for anything else, impossible dates included."""
    if _DATE.fullmatch(text):
        return datetime.date.fromisoformat(text)
    if _DATETIME.fullmatch(text):
        return datetime.datetime.fromisoformat(text)
    raise ValueError(f"not {_MOMENT_FORMS}")


def load_records(text: str) -> list[tuple[object, Facts]]:
    """`parse_records` of a JSON document. Numbers are read exactly (as Decimal); NaN and
    Infinity are refused."""
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise FactsError(f"the facts are not valid JSON: {error}") from None
    return parse_records(data)


def _refuse_constant(name: str) -> Any:
    raise FactsError(f"the facts are not valid JSON: {name} is not a number")


def parse_records(data: object) -> list[tuple[object, Facts]]:
    """(id, Facts) for each record of a parsed JSON array, in order. Raises FactsError."""
    if not isinstance(data, list):
        raise FactsError(f"the facts must be a JSON array of objects, got {_kind_of(data)}")
    return [_record(position, record) for position, record in enumerate(data, start=1)]


def _record(position: int, record: object) -> tuple[object, Facts]:
    if not isinstance(record, dict):
        raise FactsError(f"record {position}: expected an object, got {_kind_of(record)}")
    where = f"record {position}"
    if "id" not in record:
        raise FactsError(f'{where}: field "id": is required (a string or an integer)')
    record_id = record["id"]
    if isinstance(record_id, bool) or not isinstance(record_id, str | int) or record_id == "":
        raise FactsError(f'{where}: field "id": expected a non-empty string or an integer, got {_show(record_id)}')
    where = f"{where} (id {json.dumps(record_id)})"
    for name in record:
        if name not in FIELDS:
            raise FactsError(f'{where}: field "{name}": unknown field; the allowed fields are {", ".join(FIELDS)}')
    values = {}
    for name, value in record.items():
        if name == "id" or value is None:
            continue
        try:
            values[name] = _value(name, value)
        except ValueError as error:
            raise FactsError(f'{where}: field "{name}": {error}') from None
    return record_id, Facts(**values)


def _value(name: str, value: Any) -> Any:
    if name in _MONEY:
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ValueError(f"expected a number or null, got {_show(value)}")
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        if not amount.is_finite():
            raise ValueError(f"expected a number or null, got {_show(value)}")
        return amount
    if name in _MOMENTS:
        if isinstance(value, str):
            try:
                return parse_moment(value.strip())
            except ValueError:
                pass
        raise ValueError(f"expected {_MOMENT_FORMS} or null, got {_show(value)}")
    if name == "court_outcome_has_terms":
        if not isinstance(value, bool):
            raise ValueError(f"expected true, false or null, got {_show(value)}")
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a string or null, got {_show(value)}")
    text = value.strip()
    if name in _CODES:
        return text.upper() or None
    if name == "agreement_type" and text not in AGREEMENT_TYPES:
        raise ValueError(f"expected one of {', '.join(AGREEMENT_TYPES)} or null, got {_show(value)}")
    if name == "agreement_state" and text not in AGREEMENT_STATES:
        raise ValueError(f"expected one of {', '.join(AGREEMENT_STATES)} or null, got {_show(value)}")
    return text or None


def _show(value: Any) -> str:
    text = str(value) if isinstance(value, Decimal) else json.dumps(value, default=str)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _kind_of(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return _show(value)
