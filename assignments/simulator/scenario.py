"""The scenario format of the routing simulator: reading and checking a scenario, and printing
a result. See assignments.simulator for the format itself."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from assignments.models import RoutingProfile, Skill

Presence = RoutingProfile.Presence

EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "tick": (),
    "accept": ("case", "staff"),
    "decline": ("case", "staff"),
    "presence": ("staff", "presence"),
    "assign": ("case", "staff"),
    "release": ("case",),
    "status_change": ("case", "skills"),
    "close": ("case",),
    "add_case": ("case",),
    "capacity": ("staff", "capacity"),
}
SETTINGS_FIELDS = ("offer_timeout_minutes", "max_offers_per_minute")
STAFF_FIELDS = ("id", "skills", "capacity", "presence")
CASE_FIELDS = ("id", "skills", "priority", "ready_at")
PRIORITIES = ("normal", "urgent")


class ScenarioError(ValueError):
    """The scenario cannot be played; the message is one sentence naming the problem."""


# --- the scenario ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSpec:
    id: str
    skills: tuple[str, ...]
    capacity: int = 100
    presence: str = Presence.AVAILABLE


@dataclass(frozen=True)
class CaseSpec:
    id: str
    skills: tuple[str, ...]
    ready_at: datetime.datetime
    priority: str = "normal"


@dataclass(frozen=True)
class EventSpec:
    index: int
    at: datetime.datetime
    type: str
    case: str | None = None
    staff: str | None = None
    presence: str | None = None
    skills: tuple[str, ...] | None = None
    capacity: int | None = None
    new_case: CaseSpec | None = None


@dataclass(frozen=True)
class Scenario:
    settings: dict[str, int]
    staff: tuple[StaffSpec, ...]
    cases: tuple[CaseSpec, ...]
    events: tuple[EventSpec, ...]

    @property
    def skill_codes(self) -> set[str]:
        codes = {code for spec in (*self.staff, *self.cases) for code in spec.skills}
        for event in self.events:
            codes.update(event.skills or ())
            codes.update(event.new_case.skills if event.new_case else ())
        return codes


def iso(moment: datetime.datetime) -> str:
    """A time as the simulator prints it: ISO 8601 in UTC, e.g. 2025-01-06T09:00:00Z."""
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def render(result: dict) -> str:
    """The result as JSON, one log line, case or person per line (a day's log stays readable)."""

    def block(items: list[str], indent: str, opening: str, closing: str) -> str:
        if not items:
            return f"{opening}{closing}"
        return f"{opening}\n" + ",\n".join(f"{indent}  {item}" for item in items) + f"\n{indent}{closing}"

    def rows(mapping: dict) -> list[str]:
        return [f"{json.dumps(key)}: {json.dumps(value)}" for key, value in mapping.items()]

    final = result["final"]
    return (
        "{\n"
        f'  "log": {block([json.dumps(line) for line in result["log"]], "  ", "[", "]")},\n'
        '  "final": {\n'
        f'    "cases": {block(rows(final["cases"]), "    ", "{", "}")},\n'
        f'    "staff": {block(rows(final["staff"]), "    ", "{", "}")}\n'
        "  },\n"
        f'  "ignored": {block([json.dumps(item) for item in result["ignored"]], "  ", "[", "]")}\n'
        "}"
    )


def parse(text: str) -> Scenario:
    """Read and check a scenario. Raises ScenarioError naming the first problem found."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            f"The scenario is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    return load(data)


def load(data: Any) -> Scenario:
    """Check a scenario already decoded from JSON. Raises ScenarioError."""
    if not isinstance(data, dict):
        raise ScenarioError("The scenario must be a JSON object with staff, cases and events.")
    _no_unknown_keys(data, ("settings", "staff", "cases", "events"), "The scenario")
    settings = _settings(data.get("settings", {}))
    staff = tuple(_staff(item, f"staff[{i}]") for i, item in enumerate(_list(data, "staff", "The scenario")))
    _unique([s.id for s in staff], "staff id")
    cases = [_case(item, f"cases[{i}]") for i, item in enumerate(_list(data, "cases", "The scenario"))]
    events = _events(_list(data, "events", "The scenario"), {s.id for s in staff}, {c.id: c.ready_at for c in cases})
    _unique([c.id for c in cases] + [e.new_case.id for e in events if e.new_case], "case id")
    return Scenario(settings, staff, tuple(cases), events)


def _quoted(value: Any) -> str:
    """A value from the scenario as it would be written in JSON, so a message stays one line."""
    return json.dumps(value, ensure_ascii=False)


def _list(data: dict, key: str, where: str) -> list:
    value = data.get(key)
    if value is None:
        raise ScenarioError(f'{where} has no "{key}" list.')
    if not isinstance(value, list):
        raise ScenarioError(f'{where}: "{key}" must be a list.')
    return value


def _no_unknown_keys(data: dict, allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ScenarioError(f"{where} has an unknown field {_quoted(unknown[0])} (expected {', '.join(allowed)}).")


def _object(item: Any, where: str, allowed: tuple[str, ...]) -> dict:
    if not isinstance(item, dict):
        raise ScenarioError(f"{where} must be a JSON object.")
    _no_unknown_keys(item, allowed, where)
    return item


def _required(item: dict, key: str, where: str) -> Any:
    if key not in item or item[key] is None:
        raise ScenarioError(f'{where} is missing "{key}".')
    return item[key]


def _whole(value: Any, where: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise ScenarioError(f"{where} must be a whole number {bounds}, not {_quoted(value)}.")
    return value


def _identifier(item: dict, where: str) -> str:
    value = _required(item, "id", where)
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(f'{where} "id" must be a non-empty string.')
    return value


def _skills(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(code, str) and code.strip() for code in value):
        raise ScenarioError(f"{where} skills must be a list of skill codes (non-empty strings).")
    too_long = [code for code in value if len(code) > Skill._meta.get_field("code").max_length]
    if too_long:
        raise ScenarioError(f"{where} skill {_quoted(too_long[0])} is longer than 50 characters.")
    return tuple(sorted(set(value)))


def _moment(value: Any, where: str) -> datetime.datetime:
    if not isinstance(value, str):
        raise ScenarioError(f"{where} must be an ISO 8601 date and time, e.g. 2025-01-06T09:00:00Z.")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise ScenarioError(
            f"{where} {_quoted(value)} is not an ISO 8601 date and time, e.g. 2025-01-06T09:00:00Z."
        ) from None
    return moment.replace(tzinfo=datetime.UTC) if moment.tzinfo is None else moment.astimezone(datetime.UTC)


def _presence(value: Any, where: str) -> str:
    if value not in Presence.values:
        raise ScenarioError(f"{where} presence {_quoted(value)} is not one of available, busy, offline.")
    return value


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ScenarioError(f"The {what} {_quoted(value)} is used more than once.")
        seen.add(value)


def _settings(value: Any) -> dict[str, int]:
    settings = _object(value, "settings", SETTINGS_FIELDS)
    return {key: _whole(settings[key], f"settings.{key}", 1) for key in SETTINGS_FIELDS if key in settings}


def _staff(item: Any, where: str) -> StaffSpec:
    item = _object(item, where, STAFF_FIELDS)
    where = f"{where} ({_quoted(_identifier(item, where))})"
    return StaffSpec(
        id=item["id"],
        skills=_skills(_required(item, "skills", where), where),
        capacity=_whole(item.get("capacity", 100), f"{where} capacity", 1, RoutingProfile.MAX_CAPACITY),
        presence=_presence(item.get("presence", Presence.AVAILABLE), where),
    )


def _case(item: Any, where: str, default_ready_at: datetime.datetime | None = None) -> CaseSpec:
    item = _object(item, where, CASE_FIELDS)
    where = f"{where} ({_quoted(_identifier(item, where))})"
    priority = item.get("priority", "normal")
    if priority not in PRIORITIES:
        raise ScenarioError(f"{where} priority {_quoted(priority)} is not normal or urgent.")
    if default_ready_at is not None and item.get("ready_at") is None:
        ready_at = default_ready_at
    else:
        ready_at = _moment(_required(item, "ready_at", where), f"{where} ready_at")
    return CaseSpec(
        id=item["id"], skills=_skills(_required(item, "skills", where), where), ready_at=ready_at, priority=priority
    )


def _events(items: list, staff_ids: set[str], case_ready: dict[str, datetime.datetime]) -> tuple[EventSpec, ...]:
    events: list[EventSpec] = []
    known = dict(case_ready)
    references: list[tuple[Any, datetime.datetime, str]] = []
    for index, item in enumerate(items):
        where = f"events[{index}]"
        if not isinstance(item, dict):
            raise ScenarioError(f"{where} must be a JSON object.")
        kind = _required(item, "type", where)
        if not isinstance(kind, str) or kind not in EVENT_FIELDS:
            raise ScenarioError(
                f"{where} has an unknown type {_quoted(kind)}; the types are {', '.join(EVENT_FIELDS)}."
            )
        at = _moment(_required(item, "at", where), f"{where} at")
        where = f"{where} ({kind} at {iso(at)})"
        if events and at < events[-1].at:
            raise ScenarioError(
                f"{where} comes before events[{index - 1}] at {iso(events[-1].at)}: "
                "events must be in chronological order."
            )
        _no_unknown_keys(item, ("at", "type", *EVENT_FIELDS[kind]), where)
        values = {key: _required(item, key, where) for key in EVENT_FIELDS[kind]}
        fields: dict[str, Any] = {}
        if kind == "add_case":
            new_case = _case(values["case"], f"{where} case", default_ready_at=at)
            if new_case.ready_at > at:
                raise ScenarioError(
                    f"{where} adds {new_case.id}, ready at {iso(new_case.ready_at)}, before it is ready."
                )
            if new_case.id in known:
                raise ScenarioError(f"The case id {_quoted(new_case.id)} is used more than once.")
            known[new_case.id] = at
            fields["new_case"] = new_case
        elif "case" in values:
            fields["case"] = values["case"]
            references.append((values["case"], at, where))  # checked at the end: it may be added later
        if "staff" in values:
            if not isinstance(values["staff"], str) or values["staff"] not in staff_ids:
                raise ScenarioError(f"{where} names staff {_quoted(values['staff'])}, who is not in the scenario.")
            fields["staff"] = values["staff"]
        if kind == "presence":
            fields["presence"] = _presence(values["presence"], where)
        if kind == "status_change":
            fields["skills"] = _skills(values["skills"], where)
        if kind == "capacity":
            fields["capacity"] = _whole(values["capacity"], f"{where} capacity", 1, RoutingProfile.MAX_CAPACITY)
        events.append(EventSpec(index=index, at=at, type=kind, **fields))
    for value, at, where in references:
        if not isinstance(value, str) or value not in known:
            raise ScenarioError(f"{where} names case {_quoted(value)}, which is not in the scenario.")
        if known[value] > at:
            raise ScenarioError(f"{where} names case {_quoted(value)}, which only arrives at {iso(known[value])}.")
    return tuple(events)
