"""Celery jobs: run directly, twice, and through a real worker on Redis."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app
from core.models import Heartbeat
from core.tasks import record_heartbeat


@pytest.mark.django_db
def test_heartbeat_job_run_twice_keeps_one_row():
    record_heartbeat.apply()
    first = Heartbeat.objects.get(name="worker").seen_at
    record_heartbeat.apply()
    assert Heartbeat.objects.count() == 1
    assert Heartbeat.objects.get(name="worker").seen_at >= first


def test_the_beat_schedule_names_registered_jobs():
    celery_app.loader.import_default_modules()
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks, entry["task"]


@pytest.mark.worker
@pytest.mark.xdist_group("celery-worker")
@pytest.mark.django_db(transaction=True)
def test_heartbeat_job_through_a_real_worker_on_redis():
    assert celery_app.conf.broker_url.startswith("redis://")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        record_heartbeat.delay()
        # The worker acknowledges late: waiting on the database row, not a result backend.
        deadline = time.monotonic() + 90  # generous: a loaded CI machine is slow, a hang still fails
        while not Heartbeat.objects.filter(name="worker").exists():
            assert time.monotonic() < deadline, "the worker never ran the job"
            time.sleep(0.2)
    heartbeat = Heartbeat.objects.get(name="worker")
    assert heartbeat.hostname
