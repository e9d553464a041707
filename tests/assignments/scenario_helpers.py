"""Shorthand for writing routing simulator scenarios in tests: every helper returns the JSON the
simulator reads (or prints), so a test reads like the scenario file a supervisor would write."""

from __future__ import annotations

from assignments import simulator

DAY = "2025-01-06"


def t(clock: str) -> str:
    """'09:05' or '09:05:30' on the test day, as the simulator prints it."""
    return f"{DAY}T{clock}:00Z" if clock.count(":") == 1 else f"{DAY}T{clock}Z"


def staff(sid: str, *skills: str, capacity: int = 100, presence: str = "available") -> dict:
    return {"id": sid, "skills": list(skills), "capacity": capacity, "presence": presence}


def case(cid: str, *skills: str, ready: str = "09:00", priority: str = "normal") -> dict:
    return {"id": cid, "skills": list(skills), "priority": priority, "ready_at": t(ready)}


def ev(clock: str, kind: str, **fields) -> dict:
    return {"at": t(clock), "type": kind, **fields}


def entry(clock: str, event: str, cid: str, sid: str | None = None) -> dict:
    """One line of the simulator's log."""
    return {"at": t(clock), "event": event, "case": cid, "staff": sid}


def scenario(*, staff: list, cases: list, events: list = (), settings: dict | None = None) -> dict:
    return {"settings": settings or {}, "staff": list(staff), "cases": list(cases), "events": list(events)}


def play(data: dict, **kwargs) -> dict:
    """Run a scenario in-process (the same code the management command runs)."""
    return simulator.run(simulator.load(data), **kwargs)


def finals(out: dict) -> dict[str, tuple[str, str | None]]:
    """{case: (state, staff)} from the simulator's output."""
    return {cid: (row["state"], row["staff"]) for cid, row in out["final"]["cases"].items()}


def loads(out: dict) -> dict[str, int]:
    return {sid: row["load"] for sid, row in out["final"]["staff"].items()}
