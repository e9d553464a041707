"""The routing simulator: plays a scenario (staff, cases, events on a simulated clock) through the
real routing engine on the real database, and reports what happened. Supervisors use it for
what-if staffing questions (`manage.py routing_simulate SCENARIO.json`); tests use it to state
the routing rules as scenarios.

Input (JSON):
    {"settings": {"offer_timeout_minutes": 60, "max_offers_per_minute": 10},
     "staff": [{"id": "s1", "skills": ["chaser"], "capacity": 100, "presence": "available"}],
     "cases": [{"id": "c1", "skills": ["chaser"], "priority": "normal", "ready_at": "2025-01-06T09:00:00Z"}],
     "events": [{"at": "2025-01-06T09:05:00Z", "type": "accept", "case": "c1", "staff": "s1"}, ...]}
`settings`, staff `capacity` (100) and `presence` (available) and case `priority` (normal) may be
left out. Event types and their fields: tick; accept, decline (case, staff); presence (staff,
presence); assign (case, staff: by hand); release (case); status_change (case, skills); close
(case); add_case (case: a case object, ready_at defaulting to the event's time); capacity (staff,
capacity). Times are ISO 8601; without an offset they are UTC.

Output: {"log": [{"at", "event", "case", "staff"}, ...],
         "final": {"cases": {"c1": {"state", "staff"}}, "staff": {"s1": {"load": 1}}},
         "ignored": [{"at", "type", "case", "staff", "reason"}, ...]}
`log` events are the engine's: offered, accepted, declined, timed_out, withdrawn, awaiting,
assigned, released, closed. `ignored` lists scripted events that production would have refused or
that change nothing when they come (accepting an offer that has already lapsed or gone to someone
else, working a closed case, releasing a case nobody holds, setting the presence someone has).

How a scenario is played, in time order:
- before anything at time T, every offer due by T times out, each at its own expiry time, and
  its case is routed again at that time (as if each offer had its own timer; in production the
  one-minute sweep notices it);
- cases become ready at their `ready_at` (those ready at the same instant together) and are routed;
- each event does what the service would, then routes what production routes after it
  (routing.route_after): the case(s) it affected together with the waiting work that anyone whose
  capacity it freed could take, in one pass in backlog order. A status change routes the case
  afresh with the given skills (ending a manual assignment, freeing whoever held it); closing
  withdraws its offer or frees its holder. A `tick` is the periodic sweep (routing.sweep): time
  out due offers and offer the whole backlog, which is also when someone held back by the flood
  guard gets the rest of their work.

`on_step`, for tests: called after every step with a Step (its time, kind, event and log lines)
inside the run's transaction, so invariants can be checked against the routing tables.

Isolation: everything runs in one transaction that is rolled back at the end. Inside it the
routing tables (profiles, their skills, case routing, offers, settings) are shadowed by empty
temporary tables of the same shape, so live staff and cases are neither seen nor locked and a
simulation can run against the production database. Scratch staff users, a scratch case type and
the cases are written to the real tables and rolled back with the rest.
"""

from __future__ import annotations

import datetime
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from assignments import routing
from assignments.models import CaseRouting, Offer, RoutingProfile, RoutingProfileSkill, RoutingSettings, Skill
from casework.models import WORKFLOWS, Case, CaseType, ClosureStage, Workflow
from core.models import User

State = CaseRouting.State
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
FINAL_STATES = {
    State.OFFERED: "offered",
    State.ACCEPTED: "accepted",
    State.AWAITING: "awaiting_assignment",
    State.MANUAL: "manual",
}
# The tables the engine reads and writes, shadowed for the length of a simulation.
SHADOWED = (RoutingSettings, RoutingProfile, RoutingProfileSkill, CaseRouting, Offer)
SCRATCH_CASE_TYPE = "routing-simulator"


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


# --- playing it ------------------------------------------------------------------------------------


@dataclass
class Step:
    """One instant the simulator played: an event, cases becoming ready, or offers lapsing.
    Given to the `on_step` hook after the engine has done everything for it (still inside the
    simulation's transaction, so the hook can query the routing tables)."""

    at: datetime.datetime
    kind: str  # an event type, "ready" or "expiry"
    event: EventSpec | None
    log: list[dict]
    simulation: Simulation


@dataclass
class Simulation:
    scenario: Scenario
    on_step: Callable[[Step], None] | None = None
    user_ids: dict[str, int] = field(default_factory=dict)  # scenario staff id -> user id
    case_pks: dict[str, int] = field(default_factory=dict)  # scenario case id -> case id
    cases: dict[str, Case] = field(default_factory=dict)
    log: list[dict] = field(default_factory=list)
    ignored: list[dict] = field(default_factory=list)
    _staff_names: dict[int, str] = field(default_factory=dict)
    _case_names: dict[int, str] = field(default_factory=dict)
    _skill_ids: dict[str, int] = field(default_factory=dict)
    _case_type: CaseType | None = None
    _token: str = field(default_factory=lambda: secrets.token_hex(3))

    # --- setting up ---

    def set_up(self, real_settings: dict[str, int]) -> None:
        RoutingSettings.objects.create(pk=1, **(real_settings | self.scenario.settings))
        codes = self.scenario.skill_codes
        self._skill_ids = dict(Skill.objects.filter(code__in=codes).values_list("code", "pk"))
        missing = sorted(codes - self._skill_ids.keys())
        for skill in Skill.objects.bulk_create(
            Skill(code=code, name=code, category=Skill.Category.OTHER, description="Made up by the routing simulator.")
            for code in missing
        ):
            self._skill_ids[skill.code] = skill.pk
        users = User.objects.bulk_create(
            User(
                email=f"simulated-{self._token}-{n}@routing-simulator.invalid",
                kind=User.Kind.STAFF,
                first_name=spec.id[:150],
                last_name="(simulated)",
                password=make_password(None),  # unusable: nobody logs in as a scratch user
            )
            for n, spec in enumerate(self.scenario.staff)
        )
        profiles = RoutingProfile.objects.bulk_create(
            RoutingProfile(
                user=user, capacity=spec.capacity, presence=spec.presence, skill_ids=self.skill_ids(spec.skills)
            )
            for spec, user in zip(self.scenario.staff, users, strict=True)
        )
        RoutingProfileSkill.objects.bulk_create(
            RoutingProfileSkill(profile=profile, skill_id=skill_id)
            for profile in profiles
            for skill_id in profile.skill_ids
        )
        for spec, user in zip(self.scenario.staff, users, strict=True):
            self.user_ids[spec.id] = user.pk
            self._staff_names[user.pk] = spec.id
        self._case_type, _ = CaseType.objects.get_or_create(
            code=SCRATCH_CASE_TYPE,
            defaults={"name": "Routing simulator (scratch)", "workflow": Workflow.SUPPORT, "number_prefix": "SIM"},
        )
        self._make_cases(self.scenario.cases)

    def skill_ids(self, codes: tuple[str, ...]) -> list[int]:
        return sorted(self._skill_ids[code] for code in codes)

    def _make_cases(self, specs) -> None:
        """Case rows for these scenario cases; they are not routed until they are ready. Numbered
        here (SIMULATED-…) so that a simulation uses up no real case numbers."""
        workflow = self._case_type.workflow
        made = Case.objects.bulk_create(
            Case(
                case_type=self._case_type,
                workflow=workflow,
                status=WORKFLOWS[workflow][0],
                number=f"SIMULATED-{self._token}-{len(self.case_pks) + n}",
                priority=spec.priority,
                description=f"Simulated case {spec.id}",
            )
            for n, spec in enumerate(specs)
        )
        for spec, case in zip(specs, made, strict=True):
            self.case_pks[spec.id] = case.pk
            self.cases[spec.id] = case
            self._case_names[case.pk] = spec.id

    # --- the clock ---

    def play(self) -> None:
        waiting = sorted(self.scenario.cases, key=lambda c: c.ready_at)  # stable: input order within an instant
        events = list(self.scenario.events)
        while waiting or events:
            horizon = min(([waiting[0].ready_at] if waiting else []) + ([events[0].at] if events else []))
            due = (
                Offer.objects.filter(status=Offer.Status.PENDING, expires_at__lte=horizon)
                .order_by("expires_at")
                .values_list("expires_at", flat=True)
                .first()
            )
            if due is not None:
                self._expire(due)
            elif waiting and waiting[0].ready_at == horizon:
                ready = [spec for spec in waiting if spec.ready_at == horizon]
                del waiting[: len(ready)]
                self._step(horizon, "ready", None, lambda ev, specs=ready, at=horizon: self._ready(specs, at, ev))
            else:
                event = events.pop(0)
                self._step(event.at, event.type, event, lambda ev, event=event: self._event(event, ev))

    def _step(self, at, kind: str, event: EventSpec | None, action: Callable[[list], None]) -> None:
        engine_events: list[routing.RoutingEvent] = []
        action(engine_events)
        entries = [self._entry(e) for e in engine_events]
        self.log += entries
        if self.on_step is not None:
            self.on_step(Step(at=at, kind=kind, event=event, log=entries, simulation=self))

    def _entry(self, event: routing.RoutingEvent) -> dict:
        return {
            "at": iso(event.at),
            "event": event.event,
            "case": self._case_names.get(event.case_id),
            "staff": self._staff_names.get(event.user_id) if event.user_id else None,
        }

    def _route_after(self, now, events: list, case_ids=(), freed_user_ids=()) -> None:
        """What production routes after a change, as assignments.services._route_after does."""
        routing.route_after(now=now, case_ids=case_ids, freed_user_ids=freed_user_ids, events=events)

    def _expire(self, at: datetime.datetime) -> None:
        def action(events):
            case_ids, freed = routing.offers_expire(now=at, events=events)
            self._route_after(at, events, case_ids, freed)

        self._step(at, "expiry", None, action)

    def _ready(self, specs: list[CaseSpec], now, events: list) -> None:
        for spec in specs:
            routing.case_requeue(self.cases[spec.id], self.skill_ids(spec.skills), now=spec.ready_at, events=events)
        routing.route(now=now, case_ids=[self.case_pks[spec.id] for spec in specs], events=events)

    # --- events ---

    def _event(self, event: EventSpec, events: list) -> None:
        now = event.at
        if event.type == "tick":
            routing.sweep(now=now, events=events)  # the periodic job, assignments.tasks.routing_sweep
        elif event.type == "add_case":
            self._make_cases([event.new_case])
            self._ready([event.new_case], now, events)
        elif event.type in ("presence", "capacity"):
            self._staff_event(event, events)
        else:
            self._case_event(event, events)

    def _staff_event(self, event: EventSpec, events: list) -> None:
        now, user_id = event.at, self.user_ids[event.staff]
        profile = RoutingProfile.objects.get(user_id=user_id)
        if event.type == "capacity":
            # assignments.services.routing_profile_set
            RoutingProfile.objects.filter(pk=profile.pk).update(capacity=event.capacity, updated_at=now)
            if profile.presence == Presence.AVAILABLE:
                self._route_after(now, events, freed_user_ids=[user_id])
            return
        # assignments.services.presence_set
        if profile.presence == event.presence:
            self._ignore(event, f"staff {event.staff} is already {event.presence}")
            return
        RoutingProfile.objects.filter(pk=profile.pk).update(
            presence=event.presence, presence_changed_at=now, updated_at=now
        )
        if event.presence == Presence.OFFLINE:
            self._route_after(now, events, case_ids=routing.offers_withdraw_for(user_id, now=now, events=events))
        elif event.presence == Presence.AVAILABLE:
            self._route_after(now, events, freed_user_ids=[user_id])

    def _case_event(self, event: EventSpec, events: list) -> None:
        now, case = event.at, self.cases[event.case]
        row = CaseRouting.objects.get(pk=case.pk)
        if case.is_closed:
            self._ignore(event, f"case {event.case} is closed")
            return
        user_id = self.user_ids.get(event.staff) if event.staff else None
        if event.type in ("accept", "decline"):
            offer = Offer.objects.filter(case=case, user_id=user_id, status=Offer.Status.PENDING).first()
            if offer is None:
                self._ignore(
                    event, f"case {event.case} is not offered to {event.staff} then: it is {self._describe(row)}"
                )
            elif event.type == "accept":
                routing.offer_accepted(offer, now=now, events=events)  # services.offer_accept
            else:
                routing.offer_ended(offer, Offer.Status.DECLINED, now=now, events=events)  # services.offer_decline
                self._route_after(now, events, [case.pk], [user_id])
        elif event.type == "assign":
            # casework's case_owner_set: giving a case to the person who already owns it changes nothing.
            if row.state in (State.ACCEPTED, State.MANUAL) and row.assignee_id == user_id:
                self._ignore(event, f"case {event.case} is already {self._describe(row)}")
                return
            freed = routing.case_assigned_by_hand(case, user_id, now=now, events=events)
            self._route_after(now, events, freed_user_ids=freed)
        elif event.type == "release":
            if row.state not in (State.ACCEPTED, State.MANUAL):
                self._ignore(event, f"nobody holds case {event.case} to release it: it is {self._describe(row)}")
                return
            freed = routing.case_released(case, now=now, events=events, skills=list(row.skill_ids))
            self._route_after(now, events, [case.pk], freed)
        elif event.type == "status_change":
            freed = routing.case_requeue(case, self.skill_ids(event.skills), now=now, events=events)
            self._route_after(now, events, [case.pk], freed)
        elif event.type == "close":
            Case.objects.filter(pk=case.pk).update(
                status="closed",
                status_before_close=case.status,
                closure_stage=ClosureStage.RESOLVED,
                closed_at=now,
                status_changed_at=now,
            )
            case = self.cases[event.case] = Case.objects.get(pk=case.pk)
            freed = routing.case_refresh(case, now=now, events=events)  # via casework's status-changed signal
            self._route_after(now, events, [case.pk], freed)

    def _ignore(self, event: EventSpec, reason: str) -> None:
        self.ignored.append(
            {
                "at": iso(event.at),
                "type": event.type,
                "case": event.case,
                "staff": event.staff,
                "reason": f"{reason[0].upper()}{reason[1:]}.",
            }
        )

    def _describe(self, row: CaseRouting) -> str:
        state, staff = self._final(row)
        return {
            "offered": f"offered to {staff}",
            "accepted": f"accepted by {staff}",
            "manual": f"assigned by hand to {staff}",
            "awaiting_assignment": "awaiting assignment",
            "closed": "closed",
        }.get(state, state)

    # --- the result ---

    def _final(self, row: CaseRouting | None) -> tuple[str, str | None]:
        if row is None or row.state == State.NOT_ROUTABLE:
            return "closed", None
        if row.state == State.OFFERED:
            offer = Offer.objects.filter(case_id=row.pk, status=Offer.Status.PENDING).first()
            return "offered", self._staff_names.get(offer.user_id) if offer else None
        if row.state in (State.ACCEPTED, State.MANUAL):
            return FINAL_STATES[row.state], self._staff_names.get(row.assignee_id)
        return FINAL_STATES[row.state], None

    def result(self) -> dict:
        rows = CaseRouting.objects.in_bulk(list(self.case_pks.values()))
        loads = dict(RoutingProfile.objects.values_list("user_id", "load"))
        cases = {}
        for name, pk in self.case_pks.items():
            state, staff = self._final(rows.get(pk))
            cases[name] = {"state": state, "staff": staff}
        staff = {name: {"load": loads[user_id]} for name, user_id in self.user_ids.items()}
        return {"log": self.log, "final": {"cases": cases, "staff": staff}, "ignored": self.ignored}


# --- isolation ------------------------------------------------------------------------------------


def _shadow_routing_tables() -> None:
    """Hide the live routing tables behind empty temporary copies (same columns, defaults, checks
    and indexes, but no foreign keys or audit triggers) for the rest of this transaction:
    PostgreSQL looks up unqualified table names in the session's temporary schema first."""
    with connection.cursor() as cursor:
        for model in SHADOWED:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                "SELECT quote_ident(n.nspname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.oid = %s::regclass",
                [model._meta.db_table],
            )
            schema = cursor.fetchone()[0]
            cursor.execute(f"CREATE TEMPORARY TABLE {table} (LIKE {schema}.{table} INCLUDING ALL) ON COMMIT DROP")


def run(scenario: Scenario, *, on_step: Callable[[Step], None] | None = None) -> dict:
    """Play `scenario` through the routing engine and return {"log", "final", "ignored"}.
    Nothing it does is kept: the whole run is rolled back. `on_step` is called after every step
    (inside the run's transaction)."""
    simulation = Simulation(scenario, on_step=on_step)
    with transaction.atomic():
        real_settings = RoutingSettings.objects.filter(pk=1).values(*SETTINGS_FIELDS).first() or {
            name: RoutingSettings._meta.get_field(name).default for name in SETTINGS_FIELDS
        }
        _shadow_routing_tables()
        simulation.set_up(real_settings)
        simulation.play()
        output = simulation.result()
        transaction.set_rollback(True)
    return output
