"""Event-driven routing: one new case routed the moment it appears, with 2,000 staff online and
a realistic backlog present (100,000 cases already offered out or waiting for a rare skill,
everyone carrying load). Each round routes a fresh waiting case; the budget is on the p95."""

import datetime
import random

import pytest
from django.utils import timezone

from assignments import routing
from assignments.models import Offer
from bench.routing_backlog import backlog_create, cases_create, vacuum_analyze

CASES = 100_000
STAFF = 2_000
ROUNDS = 400
P95_BUDGET_MS = 10.0


@pytest.mark.django_db(transaction=True)
def test_one_new_case_is_routed_within_budget(benchmark):
    start = timezone.now()
    backlog = backlog_create(now=start, cases=CASES, staff=STAFF)
    backlog_offers = routing.route(now=start)
    # The new cases arrive a few minutes later (the flood guard's minute has passed), after the
    # database has tidied up behind the backlog pass as autovacuum would.
    now = start + datetime.timedelta(minutes=3)
    rng = random.Random(11)
    common = backlog.skill_ids[:-1]
    fresh = cases_create(
        [rng.sample(common, rng.randint(1, 3)) for _ in range(ROUNDS)], now=now, rng=rng, case_type=backlog.case_type
    )
    vacuum_analyze()
    queue = iter(fresh)

    def next_case():
        return (), {"now": now, "case_ids": [next(queue)]}

    benchmark.pedantic(routing.route, setup=next_case, rounds=ROUNDS, iterations=1)

    assert Offer.objects.filter(case_id__in=fresh, status=Offer.Status.PENDING).count() == ROUNDS
    assert routing.loads_reconcile() == 0
    timings = sorted(benchmark.stats.stats.data)
    p95 = timings[int(0.95 * (len(timings) - 1))] * 1000
    median = benchmark.stats["median"] * 1000
    benchmark.extra_info.update(p95_ms=round(p95, 2), median_ms=round(median, 2), backlog_offers=backlog_offers)
    print(f"\none new case, {STAFF} staff online, {backlog_offers} offers out: median {median:.2f}, p95 {p95:.2f} ms")
    assert p95 <= P95_BUDGET_MS, f"p95 {p95:.1f} ms is over the {P95_BUDGET_MS} ms budget"
