"""Checks behind /healthz: can we reach the database and the broker right now?"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from core.selectors import heartbeat_get

logger = logging.getLogger(__name__)


@dataclass
class CheckResult:
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict:
        return {"ok": self.ok, **({"detail": self.detail} if self.detail else {})}


def check_database() -> CheckResult:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the class name helps, the DSN would leak
        logger.warning("Health check: database unavailable: %s", exc)
        connection.close_if_unusable_or_obsolete()
        return CheckResult(False, f"database unavailable ({type(exc).__name__})")
    return CheckResult(True)


def check_broker(timeout: float = 3.0) -> CheckResult:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            conn.default_channel  # noqa: B018 - opening a channel proves the broker answers
    except Exception as exc:
        logger.warning("Health check: broker unavailable: %s", exc)
        return CheckResult(False, f"broker unavailable ({type(exc).__name__})")
    return CheckResult(True)


def worker_status() -> dict:
    """When a worker last ran the scheduled heartbeat job. Informational: a web node is healthy
    without a worker, but an operator should see at a glance that the scheduler runs."""
    heartbeat = heartbeat_get(name="worker")
    if heartbeat is None:
        return {"last_heartbeat": None}
    age = (timezone.now() - heartbeat.seen_at).total_seconds()
    return {"last_heartbeat": heartbeat.seen_at.isoformat(), "age_seconds": round(age)}


def run_checks() -> tuple[bool, dict]:
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(result.ok for result in checks.values())
    body: dict = {
        "status": "ok" if healthy else "unavailable",
        "checks": {name: result.as_dict() for name, result in checks.items()},
    }
    if checks["database"].ok:
        body["worker"] = worker_status()
    if not healthy:
        body["failing"] = [name for name, result in checks.items() if not result.ok]
    return healthy, body
