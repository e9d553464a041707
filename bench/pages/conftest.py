"""The page benchmarks read a million-case database that is loaded once and kept.

Loading takes minutes, so it is not redone on every run: the data lives in its own database
(`housing_bench_<cases>`), committed, vacuumed and analysed the way a production database is
after its nightly maintenance. A run reuses it when the generator, the case count and the schema
(its migrations) are all the same as when it was loaded; otherwise it drops the database and
loads it again. Each benchmark still runs inside a transaction that is rolled back, so requests
that write (a session, an audit row) leave the data as it was.

This directory runs in its own pytest session (see `make bench`): it replaces the session's
database set-up, which the other benchmarks share."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from bench import case_data

SEED = 5


def _database_name() -> str:
    return f"housing_bench_{case_data.bench_cases()}"


def _fingerprint() -> str:
    """What the loaded data depends on: the generator's code, its size and seed, and the schema."""
    generator = Path(case_data.__file__).read_bytes()
    migrations = sorted(f"{app}.{name}" for app, name in MigrationLoader(None).graph.leaf_nodes())
    described = json.dumps({"cases": case_data.bench_cases(), "seed": SEED, "migrations": migrations})
    return hashlib.sha256(generator + described.encode()).hexdigest()


def _conninfo(settings: dict, database: str) -> dict:
    return {
        "host": settings["HOST"],
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "dbname": database,
        "autocommit": True,
    }


def _stored_fingerprint(settings: dict, database: str) -> str | None:
    try:
        with psycopg.connect(**_conninfo(settings, database)) as bench:
            row = bench.execute("SELECT to_regclass('bench_dataset') IS NOT NULL").fetchone()
            if not row or not row[0]:
                return None
            row = bench.execute("SELECT fingerprint FROM bench_dataset").fetchone()
            return row[0] if row else None
    except psycopg.OperationalError:  # no such database yet
        return None


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """Point the session at the kept database, dropping it first if its data is stale."""
    settings = connections["default"].settings_dict
    database = _database_name()
    settings["TEST"]["NAME"] = database
    if _stored_fingerprint(settings, database) not in {None, _fingerprint()}:
        with psycopg.connect(**_conninfo(settings, "postgres")) as maintenance:
            maintenance.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def django_db_keepdb():
    return True


@pytest.fixture(scope="session")
def django_db_createdb():
    return False


@pytest.fixture(scope="session")
def bench_cases_loaded(django_db_setup, django_db_blocker) -> dict:
    """The ids `case_data.cases_load` returned when the data was loaded (and how long it took)."""
    fingerprint = _fingerprint()
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_dataset (fingerprint text NOT NULL, loaded jsonb NOT NULL)")
        cursor.execute("SELECT fingerprint, loaded FROM bench_dataset")
        row = cursor.fetchone()
        if row and row[0] == fingerprint:
            return {**json.loads(row[1]), "reused": True}  # Django has psycopg read jsonb as text
        loaded = case_data.cases_load(connection, case_data.bench_cases(), seed=SEED)
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("DELETE FROM bench_dataset")
        cursor.execute("INSERT INTO bench_dataset VALUES (%s, %s)", [fingerprint, json.dumps(loaded)])
    return {**loaded, "reused": False}
