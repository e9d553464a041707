"""Four routing processes in parallel over the same backlog (100,000 waiting cases, 2,000 staff,
40 skills) on PostgreSQL. Capacity is 40 here, not 100, so that the staff fill up before the
backlog runs out and the routers really compete for people's last slots. Checked by SQL at the
end: zero double offers, zero capacity breaches, loads equal to the recount, flood guard kept;
reports the combined offers per second."""

import pytest
from django.utils import timezone

from assignments import routing
from assignments.models import Offer
from bench.routing_backlog import backlog_create, routers_run, routing_breaches, vacuum_analyze

CASES = 100_000
STAFF = 2_000
CAPACITY = 40
FLOOD = 100
BATCH_SIZES = [2_000, 2_000, 1_000, 500]


@pytest.mark.django_db(transaction=True)
def test_four_routers_in_parallel_keep_the_books_straight(benchmark):
    now = timezone.now()
    backlog_create(now=now, cases=CASES, staff=STAFF, capacity=CAPACITY, max_offers_per_minute=FLOOD)
    vacuum_analyze()

    (routers,) = benchmark.pedantic(lambda: routers_run(batch_sizes=BATCH_SIZES, nows=[now]), rounds=1, iterations=1)

    breaches = routing_breaches(max_per_minute=FLOOD)
    reconciled = routing.loads_reconcile()
    offers = Offer.objects.count()
    seconds = max(router["seconds"] for router in routers)
    benchmark.extra_info.update(
        offers=offers,
        offers_per_router=[router["offers"] for router in routers],
        seconds=round(seconds, 2),
        offers_per_second=round(offers / seconds),
        loads_reconciled=reconciled,
        **breaches,
    )
    print(
        f"\n4 routers in parallel: {offers} offers ({[r['offers'] for r in routers]}) in {seconds:.2f} s "
        f"= {offers / seconds:.0f} offers/s; checks {breaches}; loads_reconcile changed {reconciled}"
    )
    assert breaches == dict.fromkeys(breaches, 0)
    assert reconciled == 0
    assert offers == sum(router["offers"] for router in routers)
    assert offers <= STAFF * CAPACITY
    assert sum(1 for router in routers if router["offers"]) >= 2, "the routers shared the backlog"
