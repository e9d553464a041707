"""The routing engine against a plain reference of the rules: over random staff and cases, every
way of calling it (whole backlog, given cases, work someone could take; one batch or many) makes
exactly the offers that choosing case by case in order would, and leaves the counters the same.

Reference: cases in order (urgent first, then longest waiting, then id); each goes to the
eligible person (available, holds every skill, load below capacity, under the flood guard) with
the lowest (load, last offered, user id), skipping people who declined or let it lapse unless
nobody else is eligible, in which case the exclusions are cleared."""

import datetime
import math
import random
from dataclasses import dataclass
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assignments import routing
from assignments.models import CaseRouting, Offer, RoutingProfile, RoutingSettings
from bench.routing_backlog import cases_create, skills_create, staff_create
from casework.models import CaseType

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)
# Few distinct times, so that ties (same wait, same last offer) are common.
LAST_OFFERED = [None, NOW - 3 * MINUTE, NOW - 30 * MINUTE, NOW, NOW + MINUTE]
WINDOW_STARTS = [None, NOW - 2 * MINUTE, NOW - MINUTE, NOW - MINUTE / 2, NOW]
WAITS = [NOW - datetime.timedelta(hours=h) for h in (1, 2, 5)]


@dataclass
class Person:
    user_id: int
    skills: frozenset
    capacity: int
    load: int
    last: datetime.datetime | None
    window_start: datetime.datetime | None
    in_window: int
    available: bool

    def window_count(self) -> int:
        return 0 if self.window_start is None or self.window_start <= NOW - MINUTE else self.in_window

    def key(self):
        return (self.load, self.last.timestamp() if self.last else -math.inf, self.user_id)


def reference(people: list[Person], cases: list[dict], max_per_minute: int) -> dict[int, tuple[int, bool]]:
    """case id -> (user id offered, exclusions cleared), choosing case by case."""
    offers = {}
    for case in sorted(cases, key=lambda c: (c["rank"], c["since"], c["id"])):
        eligible = [
            p
            for p in people
            if p.available and p.load < p.capacity and p.window_count() < max_per_minute and case["skills"] <= p.skills
        ]
        fresh = [p for p in eligible if p.user_id not in case["excluded"]]
        if not eligible:
            continue
        chosen = min(fresh or eligible, key=Person.key)
        if chosen.window_count() == 0:
            chosen.window_start, chosen.in_window = NOW, 0
        chosen.in_window += 1
        chosen.load += 1
        chosen.last = NOW
        offers[case["id"]] = (chosen.user_id, not fresh)
    return offers


person_st = st.fixed_dictionaries(
    {
        "skills": st.sets(st.integers(0, 3), max_size=4),
        "capacity": st.integers(1, 4),
        "load": st.integers(0, 4),
        "last": st.sampled_from(LAST_OFFERED),
        "window_start": st.sampled_from(WINDOW_STARTS),
        "in_window": st.integers(1, 3),
        "presence": st.sampled_from(["available"] * 4 + ["busy", "offline"]),
    }
)
case_st = st.fixed_dictionaries(
    {
        "skills": st.sets(st.integers(0, 3), max_size=3),
        "rank": st.integers(0, 1),
        "since": st.sampled_from(WAITS),
        "excluded": st.sets(st.integers(0, 7), max_size=3),
        "state": st.sampled_from(["awaiting"] * 6 + ["offered", "not_routable"]),
    }
)
scenario_st = st.fixed_dictionaries(
    {
        "people": st.lists(person_st, min_size=1, max_size=8),
        "cases": st.lists(case_st, max_size=14),
        "max_per_minute": st.integers(1, 4),
        "mode": st.sampled_from(["backlog", "cases", "many cases", "person"]),
        "batch_size": st.sampled_from([1, 2, 3, 5, 2000]),
        "seed": st.integers(0, 1000),
    }
)


def _arrange(scenario):
    """Store the scenario; returns (people, cases) as the reference sees them."""
    rng = random.Random(scenario["seed"])
    RoutingSettings.objects.update_or_create(pk=1, defaults={"max_offers_per_minute": scenario["max_per_minute"]})
    skill_ids = skills_create(4)
    rows = scenario["people"]
    user_ids = staff_create(
        [[skill_ids[s] for s in row["skills"]] for row in rows], capacities=[row["capacity"] for row in rows]
    )
    people = []
    for user_id, row in zip(user_ids, rows, strict=True):
        RoutingProfile.objects.filter(user_id=user_id).update(
            load=row["load"],
            last_offered_at=row["last"],
            offer_window_start=row["window_start"],
            presence=row["presence"],
        )
        in_window = row["in_window"] if row["window_start"] else 0  # a window counts at least its first offer
        RoutingProfile.objects.filter(user_id=user_id).update(offers_in_window=in_window)
        people.append(
            Person(
                user_id,
                frozenset(skill_ids[s] for s in row["skills"]),
                row["capacity"],
                row["load"],
                row["last"],
                row["window_start"],
                in_window,
                row["presence"] == "available",
            )
        )
    case_type, _ = CaseType.objects.get_or_create(
        code="ref-support", defaults={"name": "Ref support", "workflow": "support", "number_prefix": "REF"}
    )
    case_ids = cases_create(
        [[skill_ids[s] for s in row["skills"]] for row in scenario["cases"]], now=NOW, rng=rng, case_type=case_type
    )
    cases = []
    for case_id, row in zip(case_ids, scenario["cases"], strict=True):
        excluded = sorted(user_ids[i] for i in row["excluded"] if i < len(user_ids))
        CaseRouting.objects.filter(pk=case_id).update(
            priority_rank=row["rank"], waiting_since=row["since"], excluded_user_ids=excluded, state=row["state"]
        )
        if row["state"] == "awaiting":
            cases.append(
                {
                    "id": case_id,
                    "skills": frozenset(skill_ids[s] for s in row["skills"]),
                    "rank": row["rank"],
                    "since": row["since"],
                    "excluded": set(excluded),
                }
            )
    return people, cases, case_ids, rng


def _route(scenario, people, cases, case_ids, rng):
    """Call the engine the scenario's way; returns the cases the reference should consider."""
    batch_size = scenario["batch_size"]
    if scenario["mode"] in ("cases", "many cases"):
        wanted = rng.sample(case_ids, rng.randint(0, len(case_ids)))
        # A few given cases fetch only the people who could be chosen; many load everyone.
        with mock.patch.object(routing, "SMALL_PASS", 0 if scenario["mode"] == "many cases" else routing.SMALL_PASS):
            routing.route(now=NOW, case_ids=wanted, batch_size=batch_size)
        return [c for c in cases if c["id"] in wanted]
    if scenario["mode"] == "person":
        person = rng.choice(people)
        routing.route(now=NOW, for_user_id=person.user_id, batch_size=batch_size)
        return [c for c in cases if c["skills"] <= person.skills]
    routing.route(now=NOW, batch_size=batch_size)
    return cases


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenario_st)
def test_the_engine_offers_exactly_what_the_rules_say(scenario):
    with transaction.atomic():
        people, cases, case_ids, rng = _arrange(scenario)
        considered = _route(scenario, people, cases, case_ids, rng)
        expected = reference(people, considered, scenario["max_per_minute"])

        offers = {o.case_id: o.user_id for o in Offer.objects.filter(status=Offer.Status.PENDING)}
        assert offers == {case_id: user_id for case_id, (user_id, _) in expected.items()}
        rows = {r.pk: r for r in CaseRouting.objects.filter(pk__in=[c["id"] for c in cases])}
        for case in cases:
            row = rows[case["id"]]
            if case["id"] in expected:
                assert row.state == CaseRouting.State.OFFERED
                assert set(row.excluded_user_ids) == (set() if expected[case["id"]][1] else case["excluded"])
            else:
                assert row.state == CaseRouting.State.AWAITING
                assert set(row.excluded_user_ids) == case["excluded"]
        profiles = {p.user_id: p for p in RoutingProfile.objects.all()}
        for person in people:
            profile = profiles[person.user_id]
            assert (profile.load, profile.last_offered_at) == (person.load, person.last)
            assert (profile.offer_window_start, profile.offers_in_window) == (person.window_start, person.in_window)
        transaction.set_rollback(True)


def test_least_active_then_oldest_last_offer_then_lowest_id():
    """A worked example of rule 4, readable without the reference."""
    skill_ids = skills_create(1)
    users = staff_create([skill_ids] * 4, capacities=[5] * 4)
    earlier = NOW - 10 * MINUTE
    for user_id, load, last in zip(users, [2, 1, 1, 1], [None, NOW - MINUTE, earlier, earlier], strict=True):
        RoutingProfile.objects.filter(user_id=user_id).update(load=load, last_offered_at=last)
    case_type, _ = CaseType.objects.get_or_create(
        code="ref-support", defaults={"name": "Ref support", "workflow": "support", "number_prefix": "REF"}
    )
    first, second = cases_create([skill_ids, skill_ids], now=NOW, rng=random.Random(1), case_type=case_type)
    CaseRouting.objects.filter(pk=second).update(waiting_since=NOW - MINUTE)  # waited less than `first`
    CaseRouting.objects.filter(pk=first).update(waiting_since=NOW - 2 * MINUTE)

    assert routing.route(now=NOW) == 2
    offers = dict(Offer.objects.values_list("case_id", "user_id"))
    # Loads 2,1,1,1: the three on 1 tie; users[2] and users[3] were offered work longest ago, and
    # of those users[2] has the lower id. Then users[3] (load 1, earlier last offer than users[1]).
    assert offers == {first: users[2], second: users[3]}
