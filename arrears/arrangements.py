"""The breach check of a payment arrangement (arrears-rules.md §6), as pure arithmetic: what the
account should stand at by today if every instalment had been paid, and so which state the
arrangement is in. The services read the rows, call this, and write the state change."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta

ZERO = Decimal("0")
CYCLE_DAYS = {"weekly": 7, "fortnightly": 14, "4_weekly": 28}
MONTHLY = {"monthly", "one_off"}  # a one-off arrangement is counted like a monthly one (§6.4)
UNSUPPORTED = "unsupported_legacy"


@dataclass(frozen=True)
class Terms:
    kind: str  # "informal" | "formal"
    frequency: str
    start_date: datetime.date
    starting_balance: Decimal
    instalment_amount: Decimal
    lump_sum_amount: Decimal | None = None
    lump_sum_date: datetime.date | None = None
    # Formal arrangements: their court case's strike-out date, and whether its order has
    # reached the end of its life (e.g. suspension on terms more than six years ago).
    court_strike_out_date: datetime.date | None = None
    court_order_ended: bool = False


@dataclass(frozen=True)
class Verdict:
    state: str  # live | breached | completed
    kind: str  # "informal" when a struck-out court case turns a formal arrangement informal
    expected_balance: Decimal
    description: str


def instalments_due(terms: Terms, today: datetime.date, tolerance_days: int) -> int:
    """How many instalments should have been paid by `today`: none until the first one's due
    date (start + tolerance) has come, then one more for each whole cycle after it."""
    first_due = terms.start_date + datetime.timedelta(days=tolerance_days)
    if first_due > today:
        return 0
    if terms.frequency in MONTHLY:
        elapsed = relativedelta(today, first_due)
        return 1 + elapsed.years * 12 + elapsed.months
    return 1 + (today - first_due).days // CYCLE_DAYS[terms.frequency]


def expected_balance(terms: Terms, today: datetime.date, tolerance_days: int) -> Decimal:
    """The starting balance less the lump sum (once its date plus the tolerance has come) and
    the instalments due, never below zero."""
    expected = terms.starting_balance
    lump_sum_due = (
        terms.lump_sum_date is not None and terms.lump_sum_date + datetime.timedelta(days=tolerance_days) <= today
    )
    if terms.lump_sum_amount and lump_sum_due:
        expected -= terms.lump_sum_amount
    expected -= instalments_due(terms, today, tolerance_days) * terms.instalment_amount
    return max(expected, ZERO)


def check(terms: Terms, *, balance: Decimal, today: datetime.date, tolerance_days: int) -> Verdict | None:
    """The arrangement's state given the account's current `balance`, or None when it is not
    checked (a legacy schedule the check cannot follow)."""
    if terms.frequency == UNSUPPORTED:
        return None
    kind = terms.kind
    if kind == "formal":
        if terms.court_strike_out_date is not None and terms.court_strike_out_date <= today:
            kind = "informal"
        elif terms.court_order_ended:
            return Verdict("completed", kind, ZERO, "The court order has reached the end of its life.")
    expected = expected_balance(terms, today, tolerance_days)
    if balance <= 0 and (kind == "informal" or terms.court_strike_out_date is None):
        return Verdict("completed", kind, expected, f"The balance is £{balance}: the arrears are paid.")
    if balance > expected:
        return Verdict(
            "breached", kind, expected, f"The balance £{balance} is more than the £{expected} expected by now."
        )
    return Verdict("live", kind, expected, f"The balance £{balance} is within the £{expected} expected by now.")
