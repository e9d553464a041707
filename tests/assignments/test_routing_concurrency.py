"""Four routers at once, as separate processes on PostgreSQL, over the same backlog: 2,000 cases
and 50 people with small capacities and a flood guard of 8 a minute, so that the routers really
compete for the same people's last slots. Each router makes a pass, then another a minute later.
Checked by SQL afterwards: no case offered twice, nobody over capacity or over the flood guard,
the load counters equal to a recount, and a final single pass finds nothing it could still offer
(the books are straight enough for the engine to carry on)."""

import datetime

import pytest

from assignments import routing
from assignments.models import Offer
from bench.routing_backlog import backlog_create, routers_run, routing_breaches, waiting_but_placeable

NOW = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)
LATER = NOW + datetime.timedelta(seconds=61)
FLOOD = 8

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("routing-processes")]


def test_four_routers_at_once_never_double_offer_or_overfill_anyone():
    backlog_create(
        now=NOW,
        cases=2_000,
        staff=50,
        skills=6,
        skills_per_staff=4,
        rare_holders=2,
        capacity=(3, 20),
        max_offers_per_minute=FLOOD,
    )

    passes = routers_run(batch_sizes=[7, 13, 25, 50], nows=[NOW, LATER])

    assert routing_breaches(max_per_minute=FLOOD) == dict.fromkeys(routing_breaches(max_per_minute=FLOOD), 0)
    assert routing.loads_reconcile() == 0
    made = [[router["offers"] for router in routers] for routers in passes]
    assert Offer.objects.count() == sum(map(sum, made)), "each router counted exactly the offers it made"
    assert sum(1 for offers in made[0] if offers) >= 2, f"the routers should have shared the first pass: {made}"
    # Capacity, not the backlog, is what ran out.
    assert Offer.objects.count() < 2_000

    routing.route(now=LATER)
    assert waiting_but_placeable(now=LATER, max_per_minute=FLOOD) == 0
    assert routing_breaches(max_per_minute=FLOOD)["people_over_capacity"] == 0
