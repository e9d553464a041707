"""/healthz answers 200 when PostgreSQL and the broker answer, 503 naming what is down."""

import copy

import pytest
from django.db import connection

from config.celery import app as celery_app


@pytest.mark.django_db
def test_healthy_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": {"ok": True}, "broker": {"ok": True}}
    assert body["worker"] == {"last_heartbeat": None}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_worker_heartbeat_is_reported(client):
    from core.services import heartbeat_record

    heartbeat_record(name="worker", hostname="celery@test")
    body = client.get("/healthz").json()
    assert body["worker"]["age_seconds"] <= 5


def test_503_naming_the_database_when_it_is_down(client, django_db_blocker):
    with django_db_blocker.unblock():
        original = copy.deepcopy(connection.settings_dict)
        connection.close()
        connection.settings_dict["PORT"] = "1"  # nothing listens there: a real refused connection
        try:
            response = client.get("/healthz")
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(original)
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"], body
    assert body["checks"]["database"]["ok"] is False
    assert "database unavailable" in body["checks"]["database"]["detail"]
    assert "worker" not in body


@pytest.mark.django_db
def test_503_naming_the_broker_when_it_is_down(client, monkeypatch):
    # Nothing listens on port 1: a real refused connection. (Publishing uses the write URL.)
    monkeypatch.setattr(celery_app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["database"] == {"ok": True}
    assert "broker unavailable" in body["checks"]["broker"]["detail"]
