"""The page benchmarks read a million-case database that is loaded once and kept.

Loading takes minutes, so it is not redone on every run: the data lives in its own database
(`housing_bench_<cases>`), committed, vacuumed and analysed the way a production database is
after its nightly maintenance. A run reuses it when the generator, the case count and the schema
(its migrations) are all the same as when it was loaded; otherwise it drops the database and
loads it again. Requests through the test Client run inside the test's transaction, which is
rolled back. The pages are timed through `production_server` (gunicorn with production settings
on the same database), whose requests commit: the staff pages' GETs write nothing, and the one
session row it signs in with is deleted afterwards.

This directory runs in its own pytest session (see `make bench`): it replaces the session's
database set-up, which the other benchmarks share."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

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


class ProductionServer:
    """A gunicorn worker serving the app with production settings, signed in as one user: the
    process a caseworker's request actually waits on. gunicorn's sync worker closes the
    connection after each response (http.client opens the next), so a timing is the server's
    work plus a loopback connect and round trip (well under a millisecond)."""

    def __init__(self, port: int, session_key: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        # As the TLS proxy in front of gunicorn forwards it (production.py trusts the header).
        self.headers = {"Cookie": f"sessionid={session_key}", "X-Forwarded-Proto": "https"}

    def get(self, path: str, params: dict | None = None) -> tuple[int, float]:
        """The status of GET `path` and its time in ms, from sending to the last byte read."""
        target = f"{path}?{urlencode(params)}" if params else path
        started = time.perf_counter()
        self.connection.request("GET", target, headers=self.headers)
        response = self.connection.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _signed_in_session(user_id: int, secret_key: str) -> str:
    """A committed session for `user_id`, signed with the server's key, as logging in makes."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test.utils import override_settings

    from core.models import User

    with override_settings(SECRET_KEY=secret_key):
        user = User.objects.get(pk=user_id)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "core.backends.RoleAwareModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
    return session.session_key


@pytest.fixture(scope="session")
def production_server(bench_cases_loaded, django_db_blocker):
    """gunicorn (one sync worker, config.settings.production) on the kept database, signed in as
    the benchmark's caseworker. The pages only read, so the kept data stays as it was; the
    session row is deleted afterwards."""
    settings = connections["default"].settings_dict
    secret_key = secrets.token_urlsafe(50)
    credentials = f"{quote(settings['USER'], safe='')}:{quote(settings['PASSWORD'] or '', safe='')}"
    database_url = f"postgres://{credentials}@{settings['HOST']}:{settings['PORT'] or 5432}/{_database_name()}"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secret_key,
        "FIELD_ENCRYPTION_SALT": secrets.token_urlsafe(24),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": "memory://",
    }
    root = Path(__file__).resolve().parents[2]
    collectstatic = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(collectstatic, env=environment, cwd=root, check=True)  # production serves the manifest's names
    port = _free_port()
    gunicorn = [Path(sys.executable).with_name("gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen([*gunicorn, "--workers", "1", "--log-level", "warning"], env=environment, cwd=root)
    with django_db_blocker.unblock():
        session_key = _signed_in_session(bench_cases_loaded["user_id"], secret_key)
    try:
        _wait_until_serving(server, port)
        yield ProductionServer(port, session_key)
    finally:
        server.terminate()
        server.wait(timeout=30)
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_session WHERE session_key = %s", [session_key])


def _wait_until_serving(server: subprocess.Popen, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode} before serving; its errors are above.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn was not serving on port {port} after {seconds:.0f} s.")
