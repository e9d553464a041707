"""gunicorn reads ./gunicorn.conf.py: the app is loaded once in the master and frozen out of the
garbage collector before the workers fork."""

import gc
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_gunicorn_started_here_preloads_the_app_with_the_freezing_hook():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    shown = subprocess.run(
        [gunicorn, "--print-config", "config.wsgi:application"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    pairs = (line.split("=", 1) for line in shown.splitlines() if "=" in line)
    settings = {name.strip(): value.strip() for name, value in pairs}
    assert settings["preload_app"] == "True"
    assert settings["when_ready"] == "<when_ready()>"


def test_the_hook_freezes_what_the_app_loaded():
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    try:
        hooks["when_ready"](server=None)
        assert gc.get_freeze_count() > 10_000  # Django and every app, at least
    finally:
        gc.unfreeze()
