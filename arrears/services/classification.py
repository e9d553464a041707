"""Classification: each account's facts derived set-based from its transactions, diary, NOSPs,
court cases, evictions, arrangements and letters; the breach check of its arrangement; the rules
(arrears.rules); the result stored on the account with why. The nightly run goes through every
account in scope in batches; a diary write re-classifies its one account through the same code.

A batch locks its accounts (in id order) before reading their facts, so a diary entry written
meanwhile is either seen or waits: automation never decides on facts older than the diary."""

from __future__ import annotations

import datetime
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from arrears import arrangements
from arrears.models import Arrangement, ArrangementStateChange, RentAccount, RuleSet, TransactionType
from arrears.models.reference import TransactionCategory
from arrears.rules import Facts, Outcome, RuleSettings, classify
from arrears.services.rulesets import rule_set_for, rule_settings_for
from core.audit import audited

logger = logging.getLogger(__name__)

BATCH = 5000  # accounts per transaction: each batch holds its accounts locked for about a quarter second
WORKERS = 2  # batches in flight at once in the nightly run (see accounts_classify)
ZERO = Decimal("0")

# One query for a batch of accounts. The transaction aggregate is the work the nightly run
# cannot avoid (the benchmark's floor); the diary is an index lookup per account. NOSPs, court
# cases, evictions, arrangements and letters, which most accounts have none of, are read for the
# batch's id range (its ids are consecutive in the nightly run) rather than probed id by id.
FACTS_SQL = """
WITH tx AS (
    SELECT t.account_id,
           SUM(t.amount) AS balance,
           SUM(t.amount) FILTER (WHERE t.posted_on >= %(monday)s) AS week_net,
           SUM(t.amount) FILTER (WHERE t.posted_on >= %(monday)s AND t.type_id = ANY(%(payment_types)s))
               AS week_payments,
           MAX(t.posted_on) FILTER (WHERE t.type_id = ANY(%(payment_types)s)) AS last_payment_on
      FROM arrears_transaction t
     WHERE t.account_id = ANY(%(ids)s)
     GROUP BY t.account_id
)
SELECT a.id,
       (NOT a.is_terminated
        AND ten.status IN ('active', 'pending_cancellation')
        AND ten.tenure_type = ANY(%(tenures)s)
        AND (NOT %(restrict)s OR a.patch_id IS NULL OR a.patch_id = ANY(%(patches)s))) AS candidate,
       COALESCE(tx.balance, 0), tx.week_net, COALESCE(tx.week_payments, 0), tx.last_payment_on,
       a.weekly_rent + a.weekly_service_charge + a.weekly_other_charges,
       a.paused_until, a.patch_id,
       lc.id, lc.code_id, lc.occurred_at,
       la.code_id, la.occurred_at,
       nosp.served_on,
       court.court_date, court.outcome_code, court.terms, court.strike_out_date,
       ev.date,
       arr.id, arr.kind, arr.state, arr.frequency, arr.start_date, arr.starting_balance, arr.instalment_amount,
       arr.lump_sum_amount, arr.lump_sum_date, arr.expected_balance, arr.checked_balance,
       arr_court.strike_out_date, arr_court.outcome_code, arr_court.court_date,
       letter.status, letter.reviewed_at,
       a.classification
  FROM arrears_rentaccount a
  -- One index lookup per account: a hash join would read every tenancy for each batch.
  JOIN LATERAL (SELECT t.status, t.tenure_type FROM casework_tenancy t WHERE t.id = a.tenancy_id OFFSET 0) ten ON TRUE
  LEFT JOIN tx ON tx.account_id = a.id
  LEFT JOIN LATERAL (
        SELECT d.id, d.code_id, d.occurred_at
          FROM arrears_actiondiaryentry d
          JOIN arrears_actioncode c ON c.code = d.code_id
         WHERE d.account_id = a.id AND c.is_communication
           AND (c.communication_comment_contains = ''
                OR strpos(lower(d.comment), lower(c.communication_comment_contains)) > 0)
         ORDER BY d.occurred_at DESC, d.id DESC LIMIT 1) lc ON TRUE
  LEFT JOIN LATERAL (
        SELECT d.code_id, d.occurred_at FROM arrears_actiondiaryentry d
         WHERE d.account_id = a.id ORDER BY d.occurred_at DESC, d.id DESC LIMIT 1) la ON TRUE
  LEFT JOIN (
        SELECT DISTINCT ON (n.account_id) n.account_id, n.served_on FROM arrears_nosp n
         WHERE n.account_id BETWEEN %(first)s AND %(last)s ORDER BY n.account_id, n.id DESC) nosp
    ON nosp.account_id = a.id
  LEFT JOIN (
        SELECT DISTINCT ON (c.account_id) c.account_id, c.court_date, c.outcome_code, c.terms, c.strike_out_date
          FROM arrears_courtcase c
         WHERE c.account_id BETWEEN %(first)s AND %(last)s ORDER BY c.account_id, c.id DESC) court
    ON court.account_id = a.id
  LEFT JOIN (
        SELECT DISTINCT ON (e.account_id) e.account_id, e.date FROM arrears_eviction e
         WHERE e.account_id BETWEEN %(first)s AND %(last)s ORDER BY e.account_id, e.id DESC) ev
    ON ev.account_id = a.id
  LEFT JOIN (
        SELECT DISTINCT ON (g.account_id) g.* FROM arrears_arrangement g
         WHERE g.account_id BETWEEN %(first)s AND %(last)s ORDER BY g.account_id, g.id DESC) arr
    ON arr.account_id = a.id
  LEFT JOIN arrears_courtcase arr_court ON arr_court.id = arr.court_case_id
  LEFT JOIN (
        SELECT DISTINCT ON (m.regarding_id) m.regarding_id, m.status, m.reviewed_at FROM communications_message m
         WHERE m.regarding_type_id = %(account_type)s AND m.regarding_id BETWEEN %(first)s AND %(last)s
           AND m.channel = 'letter'
         ORDER BY m.regarding_id, m.created_at DESC, m.id DESC) letter
    ON letter.regarding_id = a.id
 WHERE a.id = ANY(%(ids)s)
 ORDER BY a.id
"""


@dataclass(slots=True)
class Derived:
    """One account's facts as derived, and what the run decided from them."""

    account_id: int
    in_scope: bool
    facts: Facts
    patch_id: int | None
    last_communication_entry: int | None  # the diary entry "last communication" is
    last_action_code: str
    last_action_at: datetime.datetime | None
    previous_classification: str
    arrangement_id: int | None = None
    outcome: Outcome | None = None


@dataclass
class RunCounts:
    classified: int = 0
    changed: int = 0
    arrangements_changed: int = 0
    sent: int = 0
    derived: list[Derived] = field(default_factory=list)  # one batch's accounts, as classified


def payment_types() -> list[str]:
    return list(TransactionType.objects.filter(category=TransactionCategory.PAYMENT).values_list("code", flat=True))


def _monday(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=today.weekday())


def _letter_status(status: str | None, reviewed_at) -> str | None:
    """A failed letter reads as the provider's "validation-failed" until someone reviews it."""
    if status is None:
        return None
    if status == "failed":
        return "failure-reviewed" if reviewed_at is not None else "validation-failed"
    return status


def _order_ended(settings: RuleSettings, outcome_code, court_date, today: datetime.date) -> bool:
    """Whether a court order has reached the end of its life (e.g. suspension on terms made
    more than six years ago): its arrangement is then complete (arrears-rules.md §6.2)."""
    if not outcome_code or court_date is None or outcome_code not in settings.end_of_life_outcomes:
        return False
    return timezone.localtime(court_date).date() + relativedelta(years=settings.warrant_life_years) <= today


def _derive(
    ids: list[int], *, rule_set: RuleSet, settings: RuleSettings, now: datetime.datetime
) -> tuple[list[Derived], list[tuple[int, arrangements.Verdict, Decimal, Any]]]:
    today = timezone.localdate(now)
    params: dict[str, Any] = {
        "ids": ids,
        "first": min(ids, default=0),
        "last": max(ids, default=0),
        "monday": _monday(today),
        "tenures": list(rule_set.tenure_types),
        "restrict": rule_set.restrict_patches,
        "patches": list(rule_set.patches.values_list("pk", flat=True)) if rule_set.restrict_patches else [],
        "account_type": ContentType.objects.get_for_model(RentAccount).pk,
        # The payment codes as a list rather than a join: the aggregate then reads each
        # transaction's type from the index alone (half the time of joining its type).
        "payment_types": payment_types(),
    }
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # JIT-compiling this query costs more than running it (about 40 ms a batch).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(FACTS_SQL, params)
        rows = cursor.fetchall()
    derived: list[Derived] = []
    verdicts: list[tuple[int, arrangements.Verdict, Decimal, Any]] = []
    for row in rows:
        (
            account_id,
            candidate,
            balance,
            week_net,
            week_payments,
            last_payment_on,
            gross_rent,
            paused_until,
            patch_id,
            lc_id,
            lc_code,
            lc_at,
            la_code,
            la_at,
            nosp_served_on,
            court_date,
            court_outcome,
            court_terms,
            court_strike_out,
            eviction_date,
            arr_id,
            arr_kind,
            arr_state,
            arr_frequency,
            arr_start,
            arr_starting,
            arr_instalment,
            arr_lump,
            arr_lump_date,
            arr_expected,
            arr_checked,
            arr_court_strike_out,
            arr_court_outcome,
            arr_court_date,
            letter_status,
            letter_reviewed_at,
            previous,
        ) = row
        # Collectable arrears: the balance less whatever was posted this week, either way
        # (arrears-rules.md §2), so this week's rent is not chased before it is due.
        collectable = balance - abs(week_net or ZERO)
        if arr_id is not None and arr_state in ("live", "breached"):
            terms = arrangements.Terms(
                kind=arr_kind,
                frequency=arr_frequency,
                start_date=arr_start,
                starting_balance=arr_starting,
                instalment_amount=arr_instalment,
                lump_sum_amount=arr_lump,
                lump_sum_date=arr_lump_date,
                court_strike_out_date=arr_court_strike_out,
                court_order_ended=_order_ended(settings, arr_court_outcome, arr_court_date, today),
            )
            verdict = arrangements.check(
                terms, balance=balance, today=today, tolerance_days=rule_set.breach_tolerance_days
            )
            if verdict is not None:
                unchanged = (
                    verdict.state == arr_state
                    and verdict.kind == arr_kind
                    and verdict.expected_balance == arr_expected
                    and balance == arr_checked
                )
                verdicts.append((arr_id, verdict, balance, None if unchanged else arr_state))
                arr_state, arr_kind = verdict.state, verdict.kind
        facts = Facts(
            balance=balance,
            collectable_arrears=collectable,
            weekly_gross_rent=gross_rent,
            payments_this_week_total=week_payments,
            last_communication_code=lc_code,
            last_communication_at=lc_at,
            nosp_served_at=nosp_served_on,
            paused_until=paused_until,
            eviction_date=eviction_date,
            last_payment_at=last_payment_on,
            court_date=court_date,
            court_outcome_code=court_outcome or None,
            court_outcome_has_terms=court_terms,
            court_strike_out_date=court_strike_out,
            agreement_type=arr_kind,
            agreement_state=arr_state,
            agreement_start_at=arr_start,
            latest_letter_status=_letter_status(letter_status, letter_reviewed_at),
        )
        derived.append(
            Derived(
                account_id=account_id,
                in_scope=candidate and balance > rule_set.minimum_balance,
                facts=facts,
                patch_id=patch_id,
                last_communication_entry=lc_id,
                last_action_code=la_code or "",
                last_action_at=la_at,
                previous_classification=previous,
                arrangement_id=arr_id,
            )
        )
    return derived, verdicts


def _record_verdicts(verdicts, now: datetime.datetime) -> int:
    """Write each arrangement's check: a history row and the new state where it changed, only
    the time of the check where it did not (arrears-rules.md §6.5)."""
    changed = [(arr_id, v, balance) for arr_id, v, balance, previous in verdicts if previous is not None]
    touched = [arr_id for arr_id, _v, _b, previous in verdicts if previous is None]
    if touched:
        Arrangement.objects.filter(pk__in=touched).update(last_checked_at=now)
    if not changed:
        return 0
    ArrangementStateChange.objects.bulk_create(
        ArrangementStateChange(
            arrangement_id=arr_id,
            state=v.state,
            expected_balance=v.expected_balance,
            checked_balance=balance,
            description=v.description[:500],
            created_at=now,
        )
        for arr_id, v, balance in changed
    )
    Arrangement.objects.bulk_update(
        [
            Arrangement(
                pk=arr_id,
                state=v.state,
                kind=v.kind,
                expected_balance=v.expected_balance,
                checked_balance=balance,
                last_checked_at=now,
            )
            for arr_id, v, balance in changed
        ],
        ["state", "kind", "expected_balance", "checked_balance", "last_checked_at"],
    )
    return len(changed)


# Each batch's results are staged with COPY (binary) into a temporary table and applied in one
# UPDATE: seven times faster than passing eighteen arrays as parameters, whose dumping was a
# third of the nightly run. Only accounts whose stored values differ are written.
_STAGED = (
    ("id", "bigint"),
    ("in_scope", "boolean"),
    ("balance", "numeric"),
    ("collectable", "numeric"),
    ("week_payments", "numeric"),
    ("last_payment_on", "date"),
    ("lc_code", "text"),
    ("lc_at", "timestamptz"),
    ("la_code", "text"),
    ("la_at", "timestamptz"),
    ("nosp", "date"),
    ("court_date", "timestamptz"),
    ("court_outcome", "text"),
    ("eviction", "timestamptz"),
    ("arr_state", "text"),
    ("letter", "text"),
    ("classification", "text"),
    ("reason", "text"),
)
_STAGE_SQL = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS arrears_classified ("
    + ", ".join(f"{name} {kind}" for name, kind in _STAGED)
    + ") ON COMMIT DROP"
)
_UPDATE_SQL = """
UPDATE arrears_rentaccount a SET
       in_scope = v.in_scope, balance = v.balance, collectable_arrears = v.collectable,
       payments_this_week = v.week_payments, last_payment_on = v.last_payment_on,
       last_communication_code = v.lc_code, last_communication_at = v.lc_at,
       last_action_code = v.la_code, last_action_at = v.la_at,
       nosp_served_on = v.nosp, court_date = v.court_date, court_outcome_code = v.court_outcome,
       eviction_date = v.eviction, arrangement_state = v.arr_state, latest_letter_status = v.letter,
       classification = v.classification, classification_reason = v.reason,
       classification_since = CASE WHEN a.classification = v.classification THEN a.classification_since
                                   ELSE %(now)s END
  FROM arrears_classified v
 WHERE a.id = v.id
   AND (a.in_scope, a.balance, a.collectable_arrears, a.payments_this_week, a.last_payment_on,
        a.last_communication_code, a.last_communication_at, a.last_action_code, a.last_action_at,
        a.nosp_served_on, a.court_date, a.court_outcome_code, a.eviction_date, a.arrangement_state,
        a.latest_letter_status, a.classification, a.classification_reason)
       IS DISTINCT FROM
       (v.in_scope, v.balance, v.collectable, v.week_payments, v.last_payment_on, v.lc_code, v.lc_at, v.la_code,
        v.la_at, v.nosp, v.court_date, v.court_outcome, v.eviction, v.arr_state, v.letter, v.classification,
        v.reason)
"""


def _staged_row(d: Derived) -> tuple:
    x, outcome = d.facts, d.outcome
    return (
        d.account_id,
        d.in_scope,
        x.balance,
        x.collectable_arrears,
        x.payments_this_week_total,
        x.last_payment_at,
        x.last_communication_code or "",
        x.last_communication_at,
        d.last_action_code,
        d.last_action_at,
        x.nosp_served_at,
        x.court_date,
        x.court_outcome_code or "",
        x.eviction_date,
        x.agreement_state or "",
        x.latest_letter_status or "",
        outcome.classification.value if outcome else "",
        (outcome.explanation[-1].reason if outcome and outcome.explanation else "")[:500],
    )


def _store(derived: list[Derived], now: datetime.datetime) -> None:
    """Write the derived facts and classifications back, touching only the accounts whose
    stored values differ. Runs in the caller's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_STAGE_SQL)
        cursor.execute("TRUNCATE arrears_classified")  # staged by an earlier batch of this transaction
        with cursor.cursor.copy("COPY arrears_classified FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([kind for _name, kind in _STAGED])
            for d in derived:
                copy.write_row(_staged_row(d))
        cursor.execute(_UPDATE_SQL, {"now": now})


def classify_batch(
    ids: list[int],
    *,
    rule_set: RuleSet,
    settings: RuleSettings,
    now: datetime.datetime,
    automate: bool,
    schedule: str = "nightly",
) -> RunCounts:
    """Derive, check, classify and store `ids` (accounts of `rule_set`'s kind), then send what
    automation is switched on for: all in one transaction, the accounts locked first."""
    from arrears.services import automation

    counts = RunCounts()
    with transaction.atomic(), audited(actor=None, action="arrears_classify"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM arrears_rentaccount WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids])
            locked = [row[0] for row in cursor.fetchall()]
        derived, verdicts = _derive(locked, rule_set=rule_set, settings=settings, now=now)
        counts.arrangements_changed = _record_verdicts(verdicts, now)
        for d in derived:
            # Only accounts in scope are classified (arrears-rules.md §9: a balance over the
            # minimum): the rest are off the worktray and keep no recommended action.
            if d.in_scope:
                d.outcome = classify(d.facts, now=now, settings=settings)
        _store(derived, now)
        counts.classified = sum(1 for d in derived if d.outcome is not None)
        counts.changed = sum(
            1 for d in derived if d.outcome is not None and d.outcome.classification.value != d.previous_classification
        )
        if automate:
            counts.sent = automation.send_recommended(derived, rule_set=rule_set, now=now, schedule=schedule)
    counts.derived = derived
    return counts


def account_reclassify(
    account: RentAccount, *, now: datetime.datetime | None = None, automate: bool = True
) -> RentAccount:
    """Re-derive and re-classify one account now (after a diary entry, a payment, a court or
    NOSP record...), sending what automation recommends unless `automate` is off. Runs in the
    caller's transaction when there is one. Who: the services (the system)."""
    rule_set = rule_set_for(account.kind)
    classify_batch(
        [account.pk],
        rule_set=rule_set,
        settings=rule_settings_for(rule_set),
        now=now or timezone.now(),
        automate=automate,
    )
    account.refresh_from_db()
    return account


def _candidate_ids(kind: str, batch: int) -> Iterator[list[int]]:
    """Every live account of `kind`, in id order, a batch at a time (keyset: no OFFSET)."""
    last = 0
    while True:
        ids = list(
            RentAccount.objects.filter(kind=kind, pk__gt=last, is_terminated=False)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def accounts_classify(
    *,
    kinds: Iterable[str] = ("rent", "service_charge"),
    now: datetime.datetime | None = None,
    automate: bool = True,
    batch: int = BATCH,
    workers: int = WORKERS,
) -> RunCounts:
    """The nightly run: every live account of each kind derived, its arrangement checked,
    classified and stored, and what automation recommends sent; accounts that left scope
    (terminated, another tenure) leave the worktray. Recorded as a sweep run. Safe to run
    again: a second run changes nothing and sends nothing. Who: the scheduler.

    Batches are independent (each its own transaction, its accounts locked), so `workers` of
    them run at once, each on its own connection: while one classifies in Python the other's
    query runs in PostgreSQL. Called inside a transaction, the batches run in it, one by one
    (other connections could not see what that transaction has written)."""
    from casework.services.sweeps import sweep_recorded

    total = RunCounts()
    with sweep_recorded("arrears_nightly") as run:
        now = now or run.started_at
        for kind in kinds:
            rule_set = rule_set_for(kind)
            settings = rule_settings_for(rule_set)

            def work(ids: list[int], rule_set=rule_set, settings=settings) -> RunCounts:
                counts = classify_batch(ids, rule_set=rule_set, settings=settings, now=now, automate=automate)
                counts.derived = []  # the totals are all the run keeps
                return counts

            batches = _candidate_ids(kind, batch)
            results: Iterable[RunCounts]
            if workers > 1 and not connection.in_atomic_block:
                results = _in_parallel(work, batches, workers)
            else:
                results = map(work, batches)
            for counts in results:
                total.classified += counts.classified
                total.changed += counts.changed
                total.arrangements_changed += counts.arrangements_changed
                total.sent += counts.sent
            RentAccount.objects.filter(kind=kind, in_scope=True, is_terminated=True).update(
                in_scope=False, classification=""
            )
        run.fired = total.classified
        run.cases_changed = total.changed
    return total


def _in_parallel(work: Callable[[list[int]], RunCounts], batches: Iterator[list[int]], workers: int) -> list[RunCounts]:
    """Run `work` over `batches` on `workers` threads, each with its own database connection
    (closed when it finishes). The first error stops the rest from starting and is raised."""
    pending: queue.Queue[list[int] | None] = queue.Queue(maxsize=workers)
    results: list[RunCounts] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            while (ids := pending.get()) is not None:
                if not failures:
                    try:
                        results.append(work(ids))
                    except BaseException as exc:  # handed to the caller's thread below
                        failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"arrears-nightly-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for ids in batches:
            if failures:
                break
            pending.put(ids)
    finally:
        for _thread in threads:
            pending.put(None)
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
    return results


def account_explain(account: RentAccount, *, now: datetime.datetime | None = None) -> Outcome:
    """Why the account is classified as it is: every rule in order, up to the one that fires,
    each with the condition that held it back. Reads the account's facts as they are now and
    writes nothing."""
    rule_set = rule_set_for(account.kind)
    settings = rule_settings_for(rule_set)
    now = now or timezone.now()
    derived, _verdicts = _derive([account.pk], rule_set=rule_set, settings=settings, now=now)
    return classify(derived[0].facts, now=now, settings=settings, explain=True)


def weekly_nudges_send(*, now: datetime.datetime | None = None, batch: int = BATCH) -> int:
    """The weekly nudge: every account classified for a weekly step (the first text message)
    is re-derived and, if it still is, sent its message where automation allows. Who: the
    scheduler."""
    from arrears.models import AutomatedStep, Schedule

    now = now or timezone.now()
    sent = 0
    for rule_set in RuleSet.objects.filter(automation_on=True):
        classifications = list(
            AutomatedStep.objects.filter(rule_set=rule_set, is_on=True, schedule=Schedule.WEEKLY).values_list(
                "classification", flat=True
            )
        )
        if not classifications:
            continue
        settings = rule_settings_for(rule_set)
        ids = list(
            RentAccount.objects.filter(kind=rule_set.kind, in_scope=True, classification__in=classifications)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ids), batch):
            counts = classify_batch(
                ids[start : start + batch],
                rule_set=rule_set,
                settings=settings,
                now=now,
                automate=True,
                schedule=Schedule.WEEKLY,
            )
            sent += counts.sent
    return sent
