"""Property tests: random small scenarios played through the simulator (so through the real engine
on PostgreSQL), with the routing invariants checked after every step the simulator takes:

- nobody is offered work beyond their capacity (pending offers + accepted dynamic cases);
- whoever holds an offer holds every skill its case needs;
- offers go only to staff who are available when they are made;
- urgent before normal: no normal case is offered to someone who could have taken an urgent case
  that is left awaiting at the same instant;
- no case has two pending offers, and the router's state agrees with the offers;
- the load counters agree with a recount from offers and cases (loads_reconcile changes nothing).
"""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assignments import routing, simulator
from assignments.models import CaseRouting, Offer, RoutingProfile

pytestmark = pytest.mark.django_db

SKILLS = ["chaser", "reviewer", "lang-pl"]
START = datetime.datetime(2025, 1, 6, 9, 0, tzinfo=datetime.UTC)
PRESENCES = ["available", "available", "busy", "offline"]
CASE_EVENTS = ["accept", "accept", "accept", "decline", "assign", "release", "status_change", "close"]
STAFF_EVENTS = ["presence", "presence", "capacity"]


def _at(minute: int) -> str:
    return simulator.iso(START + datetime.timedelta(seconds=minute * 30))


@st.composite
def scenarios(draw) -> dict:
    """≤6 staff, ≤15 cases (some added by events), ≤25 events over an hour, 3 skills; times in
    half minutes, so that offers lapse and flood-guard windows pass between events."""
    skill_sets = st.lists(st.sampled_from(SKILLS), max_size=2, unique=True)
    staff = [
        {
            "id": f"s{n}",
            "skills": draw(st.lists(st.sampled_from(SKILLS), max_size=3, unique=True)),
            "capacity": draw(st.integers(1, 3)),
            "presence": draw(st.sampled_from(PRESENCES)),
        }
        for n in range(draw(st.integers(1, 6)))
    ]
    cases = [
        {
            "id": f"c{n}",
            "skills": draw(skill_sets),
            "priority": draw(st.sampled_from(["normal", "urgent"])),
            "ready_at": _at(draw(st.integers(0, 40))),
        }
        for n in range(draw(st.integers(1, 10)))
    ]
    arrived = {c["id"]: c for c in cases}
    times = sorted(draw(st.lists(st.integers(0, 120), max_size=25)))
    events: list[dict] = []
    for minute in times:
        if len(events) >= 25:
            break
        at = _at(minute)
        present = [cid for cid, c in arrived.items() if c["ready_at"] <= at]
        kind = draw(st.sampled_from(["tick", "add_case", *CASE_EVENTS, *STAFF_EVENTS]))
        if kind == "add_case" and len(arrived) < 15:
            new = {
                "id": f"c{len(arrived)}",
                "skills": draw(skill_sets),
                "priority": draw(st.sampled_from(["normal", "urgent"])),
            }
            arrived[new["id"]] = {**new, "ready_at": at}
            events.append({"at": at, "type": "add_case", "case": new})
        elif kind in ("accept", "decline") and present:
            # The generator cannot know who holds the offer then, so everyone who could hold it
            # answers at that instant, in some order: the holder's answer lands, the rest are
            # ignored (and a decline may pass the case to the next of them).
            cid = draw(st.sampled_from(present))
            able = [s["id"] for s in staff if set(arrived[cid]["skills"]) <= set(s["skills"])]
            events += [{"at": at, "type": kind, "case": cid, "staff": sid} for sid in draw(st.permutations(able))]
        elif kind in CASE_EVENTS and present:
            cid = draw(st.sampled_from(present))
            event = {"at": at, "type": kind, "case": cid}
            if kind == "assign":
                event["staff"] = draw(st.sampled_from([s["id"] for s in staff]))
            if kind == "status_change":
                event["skills"] = draw(skill_sets)
            events.append(event)
        elif kind in STAFF_EVENTS:
            event = {"at": at, "type": kind, "staff": draw(st.sampled_from([s["id"] for s in staff]))}
            if kind == "presence":
                event["presence"] = draw(st.sampled_from(PRESENCES))
            else:
                event["capacity"] = draw(st.integers(1, 3))
            events.append(event)
        else:
            events.append({"at": at, "type": "tick"})
    return {
        "settings": {
            "offer_timeout_minutes": draw(st.sampled_from([3, 15, 60, 60])),
            "max_offers_per_minute": draw(st.sampled_from([1, 2, 100, 100])),
        },
        "staff": staff,
        "cases": cases,
        "events": events,
    }


class Invariants:
    """The checks run after every step of one simulation. Within a step the engine first frees
    what the event frees and then routes in one pass, during which loads only rise; so a person
    who has room at the end of a step had room when each of its offers was made."""

    def __init__(self, data: dict) -> None:
        self.max_per_minute = data["settings"]["max_offers_per_minute"]
        # Someone held back by the flood guard is offered work again by the next sweep (a tick),
        # not the moment their minute is up; until then an urgent case can wait while a later
        # event hands them a normal one. So that rule is checked where the guard cannot bite.
        self.flood_guard_can_bite = self.max_per_minute < 15  # scenarios have at most 15 cases
        self.loads: dict[int, int] = {}
        self.excluded: dict[int, set[int]] = {}
        self.steps = 0

    def __call__(self, step: simulator.Step) -> None:
        self.steps += 1
        sim = step.simulation
        self.where = f"after the {step.kind} step at {simulator.iso(step.at)}"
        self.profiles = {
            p["user_id"]: p
            for p in RoutingProfile.objects.values(
                "user_id", "load", "capacity", "presence", "skill_ids", "offer_window_start", "offers_in_window"
            )
        }
        self.rows = {r.pk: r for r in CaseRouting.objects.all()}
        self.offered_now = [
            (sim.case_pks[line["case"]], sim.user_ids[line["staff"]]) for line in step.log if line["event"] == "offered"
        ]
        self.check_one_pending_offer_per_case()
        self.check_capacity()
        self.check_skills_and_presence()
        if not self.flood_guard_can_bite:
            self.check_urgent_before_normal()
        self.check_decliners_wait_their_turn(step)
        assert routing.loads_reconcile() == 0, f"load counters drifted {self.where}"
        self.excluded = {pk: set(r.excluded_user_ids) for pk, r in self.rows.items()}

    def can_take(self, user_id: int, skills, at: datetime.datetime) -> bool:
        p = self.profiles[user_id]
        flooded = (
            p["offer_window_start"] is not None
            and p["offer_window_start"] > at - datetime.timedelta(minutes=1)
            and p["offers_in_window"] >= self.max_per_minute
        )
        return (
            p["presence"] == "available"
            and set(skills) <= set(p["skill_ids"])
            and p["load"] < p["capacity"]
            and not flooded
        )

    def check_one_pending_offer_per_case(self) -> None:
        doubled = Offer.objects.filter(status="pending").values("case_id").annotate(n=Count("pk")).filter(n__gt=1)
        assert not doubled.exists(), f"a case has two pending offers {self.where}"
        pending = set(Offer.objects.filter(status=Offer.Status.PENDING).values_list("case_id", flat=True))
        assert pending == {pk for pk, r in self.rows.items() if r.state == "offered"}, self.where

    def check_capacity(self) -> None:
        """Nobody is pushed past their capacity. (Lowering someone's capacity can leave them above
        it; then they get nothing more until they are back under.)"""
        offered_to = {user_id for _, user_id in self.offered_now}
        for user_id, p in self.profiles.items():
            previous = self.loads.get(user_id, 0)
            assert p["load"] <= p["capacity"] or (user_id not in offered_to and p["load"] <= previous), (
                f"load {p['load']} over capacity {p['capacity']} {self.where}"
            )
            self.loads[user_id] = p["load"]

    def check_skills_and_presence(self) -> None:
        for case_id, user_id in Offer.objects.filter(status=Offer.Status.PENDING).values_list("case_id", "user_id"):
            needs = set(self.rows[case_id].skill_ids)
            assert needs <= set(self.profiles[user_id]["skill_ids"]), f"offer without the skills {self.where}"
        for _case_id, user_id in self.offered_now:
            assert self.profiles[user_id]["presence"] == "available", f"offer to someone not available {self.where}"

    def check_urgent_before_normal(self) -> None:
        """No normal case is offered to someone who could have taken an urgent case that is left
        waiting at the same instant."""
        waiting_urgent = [r for r in self.rows.values() if r.state == "awaiting" and r.priority_rank == 0]
        for case_id, user_id in self.offered_now:
            if self.rows[case_id].priority_rank == 0:
                continue
            held = set(self.profiles[user_id]["skill_ids"])
            for urgent in waiting_urgent:
                assert not (set(urgent.skill_ids) <= held and user_id not in urgent.excluded_user_ids), (
                    f"normal case offered to someone who could take waiting urgent case {self.where}"
                )

    def check_decliners_wait_their_turn(self, step: simulator.Step) -> None:
        """A case goes back to someone who declined it or let it lapse only when nobody else who
        could take it is left this round."""
        sim = step.simulation
        fresh = step.event is not None and step.event.type in ("status_change", "release")  # a new round
        for case_id, user_id in self.offered_now:
            if fresh and sim.case_pks[step.event.case] == case_id:
                continue
            passed = set(self.excluded.get(case_id, ()))
            passed |= {
                sim.user_ids[line["staff"]]
                for line in step.log
                if line["event"] in ("declined", "timed_out") and sim.case_pks[line["case"]] == case_id
            }
            if user_id not in passed:
                continue
            skills = self.rows[case_id].skill_ids
            others = [q for q in self.profiles if q not in passed and self.can_take(q, skills, step.at)]
            assert not others, f"case offered again to someone who passed on it while others could take it {self.where}"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=scenarios())
def test_routing_invariants_hold_after_every_step(data):
    check = Invariants(data)
    out = simulator.run(simulator.load(data), on_step=check)
    assert check.steps >= len(data["events"])
    assert set(out["final"]["cases"]) >= {c["id"] for c in data["cases"]}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "settings": JSON,
            "staff": st.lists(JSON, max_size=3),
            "cases": st.lists(JSON, max_size=3),
            "events": st.lists(
                st.fixed_dictionaries(
                    {"at": st.just("2025-01-06T09:00:00Z"), "type": st.sampled_from(list(simulator.EVENT_FIELDS))},
                    optional={"case": JSON, "staff": JSON, "skills": JSON, "presence": JSON, "capacity": JSON},
                ),
                max_size=3,
            ),
        },
    )
)
def test_any_json_is_either_a_scenario_or_one_clear_sentence(data):
    """The input check never crashes: whatever JSON comes in is read or refused with a sentence."""
    try:
        simulator.load(data)
    except simulator.ScenarioError as error:
        message = str(error)
        assert message.endswith(".") and "\n" not in message
