"""`make run`'s stack, end to end: the embedded PostgreSQL, migrations, demo data, web, a Celery
worker and beat on the filesystem broker; a periodic job appears in the worker log; Ctrl-C stops
every process, the database included."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, stack: subprocess.Popen, output: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        if stack.poll() is not None:
            raise AssertionError(f"the stack exited ({stack.returncode}) before {what}:\n{output.read_text()}")
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}:\n{output.read_text()}")


def fetch(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback server
            return response.status, response.read()
    except OSError:
        return None


@pytest.mark.xdist_group("quickstart")
def test_make_run_stack_serves_runs_periodic_jobs_and_stops_cleanly(tmp_path):
    var_dir = tmp_path / "var"
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(VAR_DIR=str(var_dir), PORT=str(port), RUN_HOST="127.0.0.1")
    out_path = tmp_path / "quickstart.out"
    output = out_path.open("w")
    stack = subprocess.Popen(
        [sys.executable, "-m", "config.quickstart"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(f"{base}/healthz"), 240, "the web server to answer /healthz", stack, out_path)
        status, body = fetch(f"{base}/healthz")
        health = json.loads(body)
        assert status == 200, health
        assert health["checks"] == {"database": {"ok": True}, "broker": {"ok": True}}
        for path in ("/", "/admin/login/", "/api/docs/", "/api/schema/"):
            assert fetch(base + path)[0] == 200, path

        printed = (tmp_path / "quickstart.out").read_text()
        assert f"The app is running at http://127.0.0.1:{port}/" in printed
        assert "supervisor@demo.example" in printed and "tenant@demo.example" in printed

        worker_log = var_dir / "log" / "worker.log"
        wait_for(
            # One line naming both: other jobs (the demo's notification emails) succeed too.
            lambda: (
                worker_log.exists()
                and any(
                    "core.tasks.record_heartbeat" in line and "succeeded" in line
                    for line in worker_log.read_text().splitlines()
                )
            ),
            90,
            "beat to schedule the heartbeat job and the worker to run it",
            stack,
            out_path,
        )
        status, body = fetch(f"{base}/healthz")
        assert json.loads(body)["worker"]["last_heartbeat"] is not None

        children = psutil.Process(stack.pid).children(recursive=True)
        postgres = [
            p
            for p in psutil.process_iter(["name", "cmdline"])
            if p.info["name"] == "postgres" and str(var_dir) in " ".join(p.info["cmdline"] or [])
        ]
        assert postgres, "the embedded PostgreSQL should be running from var/postgres"

        stack.send_signal(signal.SIGINT)
        assert stack.wait(60) == 0
        _, alive = psutil.wait_procs(children + postgres, timeout=30)
        assert not alive, f"still running after Ctrl-C: {[p.info if hasattr(p, 'info') else p for p in alive]}"
        printed = out_path.read_text()
        assert "Stopped." in printed
        assert "did not stop in time" not in printed  # a clean, warm shutdown, not a kill
    finally:
        if stack.poll() is None:
            stack.kill()
        output.close()
