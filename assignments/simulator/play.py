"""Playing a scenario through the routing engine: the simulated clock, what each event does, and
the isolation of a run from the live routing data. See assignments.simulator."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from assignments import routing
from assignments.models import CaseRouting, Offer, RoutingProfile, RoutingProfileSkill, RoutingSettings, Skill
from assignments.simulator.scenario import SETTINGS_FIELDS, CaseSpec, EventSpec, Scenario, iso
from casework.models import WORKFLOWS, Case, CaseType, ClosureStage, Workflow
from core.models import User

State = CaseRouting.State
Presence = RoutingProfile.Presence
FINAL_STATES = {
    State.OFFERED: "offered",
    State.ACCEPTED: "accepted",
    State.AWAITING: "awaiting_assignment",
    State.MANUAL: "manual",
}
# The tables the engine reads and writes, shadowed for the length of a simulation.
SHADOWED = (RoutingSettings, RoutingProfile, RoutingProfileSkill, CaseRouting, Offer)
SCRATCH_CASE_TYPE = "routing-simulator"


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
        """What production routes after a change: routing.route_after, as the services and receivers call it."""
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
