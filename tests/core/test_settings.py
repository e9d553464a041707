"""Production settings: clean `check --deploy`, and one clear sentence for a bad environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k7Jx2-pQv9_ZrT4mWc8YbN1eLs6HdF3gUaE0iOyRt5VnBq7XwCzMj2KlPo9SfD4h",
    "FIELD_ENCRYPTION_SALT": "Vq3nT8wLz1Rk6pYd0sHf2JbX",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/housing",
    "ALLOWED_HOSTS": "housing.example.org",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "SECRET_", "REDIS_", "CELERY_", "ALLOWED_", "DEBUG"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=GOOD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"FIELD_ENCRYPTION_SALT": None}, "FIELD_ENCRYPTION_SALT"),
        ({"FIELD_ENCRYPTION_SALT": "new-salt-0123456789,short"}, "FIELD_ENCRYPTION_SALT"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://u@db/housing"}, "DATABASE_URL"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"CELERY_BROKER_URL": None}, "CELERY_BROKER_URL"),
        ({"CELERY_BROKER_URL": "amqp://guest@rabbit//"}, "broker URL"),
        ({"DEBUG": "ture"}, "DEBUG"),
        ({"DATABASE_POOL_MAX_SIZE": "ten"}, "DATABASE_POOL_MAX_SIZE"),
    ],
)
def test_a_missing_or_malformed_variable_stops_start_up_with_one_sentence(change, named):
    env = {**GOOD_ENV, **{k: v for k, v in change.items() if v is not None}}
    for key, value in change.items():
        if value is None:
            env.pop(key)
    result = manage("check", env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one sentence, no traceback
    assert lines[0].startswith("Configuration error: ")
    assert named in lines[0]
