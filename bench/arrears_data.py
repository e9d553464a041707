"""Rent accounts at a large landlord's scale, made with set-based SQL: each account on a secure
tenancy of its own property, half a year of weekly rent charges and payments (50 transactions
each by default: 200,000 accounts make 10,000,000 transactions), letters and texts in the diary,
and the NOSPs, court cases and arrangements a real caseload has.

The mix follows a council's published figures loosely: about 40% of tenants owe something, most
of them a little; a few percent are at each later rung (letters, NOSP, court, arrangements)."""

from __future__ import annotations

import datetime

import pgtrigger
from django.db import connection, transaction

from arrears.models import ActionDiaryEntry, Arrangement, CourtCase, Nosp, RentAccount, Transaction
from bench.case_data import _copy, _ids
from casework.models import Household, Patch, Property, Region, Tenancy

ACCOUNT_TABLE = RentAccount._meta.db_table
TX_TABLE = Transaction._meta.db_table
PATCHES = 15
CHUNK = 20_000  # accounts per INSERT … SELECT, so the load reports as it goes and never holds it all


def _bucket(column: str, salt: int) -> str:
    """A stable pseudo-random 0..99 per row (Knuth's multiplicative hash), so the data is the
    same on every run without a random generator in SQL."""
    return f"((({column} + {salt}) * 2654435761) %% 4294967296 %% 100)"


def arrears_create(*, now: datetime.datetime, accounts: int, tx_per_account: int = 50) -> dict[str, int]:
    """Load `accounts` rent accounts with their history; returns counts of what was made."""
    # No audit history for generated rows, and no per-row trigger at all: COPY bypasses
    # pgtrigger.ignore()'s statement prefix, and the history triggers make a COPY fifty times
    # slower. The generated rows are consistent by construction, so the replica role's skipped
    # foreign-key checks lose nothing.
    with transaction.atomic(), pgtrigger.ignore():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        return _create(now, accounts, tx_per_account)


def _create(now: datetime.datetime, accounts: int, tx_per_account: int) -> dict[str, int]:
    today = now.date()
    region, _ = Region.objects.get_or_create(code="BA", defaults={"name": "Bench arrears"})
    patches = [
        Patch.objects.get_or_create(code=f"BA{k:02d}", defaults={"region": region, "name": f"Arrears {k}"})[0].pk
        for k in range(PATCHES)
    ]
    first_property = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_property")[0]
    _copy(
        connection,
        Property,
        ["address_line_1", "town", "postcode", "patch_id", "patch_source", "created_at", "updated_at"],
        (
            (
                f"{first_property + k} Ledger Street",
                "Benchford",
                "BN2 2AA",
                patches[k % PATCHES],
                "lookup",
                now,
                now,
            )
            for k in range(accounts)
        ),
    )
    properties = _ids(connection, "SELECT id FROM casework_property WHERE id > %s ORDER BY id", [first_property])
    first_household = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_household")[0]
    _copy(
        connection,
        Household,
        ["reference", "name"],
        ((f"HH-A{first_household + k:07d}", f"Tenant {k}") for k in range(accounts)),
    )
    households = _ids(connection, "SELECT id FROM casework_household WHERE id > %s ORDER BY id", [first_household])
    first_tenancy = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_tenancy")[0]
    started = today - datetime.timedelta(days=2000)
    _copy(
        connection,
        Tenancy,
        ["reference", "property_id", "household_id", "tenure_type", "start_date", "status", "weekly_rent"],
        (
            (f"TEN-A{first_tenancy + k:07d}", p, h, "secure", started, "active", 100)
            for k, (p, h) in enumerate(zip(properties, households, strict=True))
        ),
    )
    tenancies = _ids(connection, "SELECT id FROM casework_tenancy WHERE id > %s ORDER BY id", [first_tenancy])
    first_account = _ids(connection, f"SELECT coalesce(max(id), 0) FROM {ACCOUNT_TABLE}")[0]  # noqa: S608
    _copy(
        connection,
        RentAccount,
        [
            "reference",
            "kind",
            "tenancy_id",
            "patch_id",
            "weekly_rent",
            "weekly_service_charge",
            "created_at",
            "updated_at",
        ],
        (
            (f"RA{first_account + k:08d}", "rent", t, patches[k % PATCHES], 80 + (k * 7) % 70, 5 + k % 10, now, now)
            for k, t in enumerate(tenancies)
        ),
    )
    last_account = _ids(connection, f"SELECT coalesce(max(id), 0) FROM {ACCOUNT_TABLE}")[0]  # noqa: S608
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = tx_per_account // 2
    # Our own values, inlined as SQL literals: pgtrigger.ignore() prepends a positional parameter,
    # so these statements take no named ones (and every % is doubled).
    stamp = f"'{now.isoformat()}'::timestamptz"
    with connection.cursor() as cursor:
        for low in range(first_account, last_account, CHUNK):
            # Each week a rent charge on Monday and a payment on Thursday. 60% pay in full, 25%
            # fall behind a little (90%), 15% a lot (60-80%); one in twenty paid nothing lately.
            cursor.execute(
                f"""
                INSERT INTO {TX_TABLE} (account_id, type_id, posted_on, amount, description, external_id, created_at)
                SELECT a.id,
                       CASE WHEN g %% 2 = 0 THEN 'DRR' WHEN {_bucket("a.id", 1)} < 50 THEN 'RHB' ELSE 'RDD' END,
                       '{monday}'::date - (({weeks} - 1 - g / 2) * 7) + (g %% 2) * 3,
                       CASE WHEN g %% 2 = 0 THEN a.weekly_rent + a.weekly_service_charge
                            WHEN {_bucket("a.id", 2)} < 5 AND g / 2 > {weeks} - 6 THEN 0
                            ELSE -round((a.weekly_rent + a.weekly_service_charge) *
                                 CASE WHEN {_bucket("a.id", 3)} < 60 THEN 1.0
                                      WHEN {_bucket("a.id", 3)} < 85 THEN 0.9
                                      ELSE 0.6 + ({_bucket("a.id", 4)} %% 20) / 100.0 END, 2) END,
                       '', g::text, {stamp}
                  FROM {ACCOUNT_TABLE} a, generate_series(0, {tx_per_account - 1}) AS g
                 WHERE a.id > {low} AND a.id <= {min(low + CHUNK, last_account)}
                   AND (g %% 2 = 0 OR '{monday}'::date - (({weeks} - 1 - g / 2) * 7) + 3 <= '{today}'::date)
                """,  # noqa: S608 - our tables, our SQL
                [],
            )
        owing = f"a.id > {first_account} AND {_bucket('a.id', 3)} >= 60"
        # Letters and texts for those behind: a text, Letter One, Letter Two at staggered ages.
        for code, share, days in (("GMS", 40, 30), ("IC1", 25, 20), ("IC2", 12, 12)):
            cursor.execute(
                f"""
                INSERT INTO {ActionDiaryEntry._meta.db_table}
                       (account_id, code_id, occurred_at, comment, source, created_at)
                SELECT a.id, '{code}', {stamp} - make_interval(days => ({days} + a.id %% 9)::int), '', 'system', {stamp}
                  FROM {ACCOUNT_TABLE} a WHERE {owing} AND {_bucket("a.id", 5)} < {share}
                """,  # noqa: S608
                [],
            )
        # A NOSP for 6% of those behind, a court case (half with an outcome) for 2%, a live
        # informal arrangement for 5%.
        cursor.execute(
            f"INSERT INTO {Nosp._meta.db_table} (account_id, served_on, created_at) "  # noqa: S608
            f"SELECT a.id, '{today}'::date - 40 - (a.id %% 200)::int, {stamp} FROM {ACCOUNT_TABLE} a "
            f"WHERE {owing} AND {_bucket('a.id', 6)} < 6",
            [],
        )
        cursor.execute(
            f"INSERT INTO {CourtCase._meta.db_table} (account_id, court_date, outcome_code, terms, created_at) "  # noqa: S608
            f"SELECT a.id, {stamp} - make_interval(days => (a.id %% 60 - 20)::int), "
            f"CASE WHEN a.id %% 2 = 0 AND a.id %% 60 > 20 THEN 'SOT' ELSE '' END, "
            f"CASE WHEN a.id %% 2 = 0 AND a.id %% 60 > 20 THEN true END, {stamp} FROM {ACCOUNT_TABLE} a "
            f"WHERE {owing} AND {_bucket('a.id', 6)} >= 94 AND {_bucket('a.id', 6)} < 96",
            [],
        )
        cursor.execute(
            f"INSERT INTO {Arrangement._meta.db_table} (account_id, kind, frequency, instalment_amount, start_date, "  # noqa: S608
            "starting_balance, state, notes, created_at, updated_at) "
            f"SELECT a.id, 'informal', 'weekly', a.weekly_rent + 10, '{today}'::date - 35, 300, 'live', '', "
            f"{stamp}, {stamp} FROM {ACCOUNT_TABLE} a WHERE {owing} AND {_bucket('a.id', 7)} < 5",
            [],
        )
        cursor.execute(f"SELECT count(*) FROM {TX_TABLE} WHERE account_id > %s", [first_account])  # noqa: S608
        transactions = cursor.fetchone()[0]
    return {"accounts": last_account - first_account, "transactions": transactions}
