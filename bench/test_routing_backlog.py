"""A full backlog pass: 100,000 waiting cases needing 1-3 of 40 skills, 2,000 available staff
with capacity 100. Reports offers made per second and the ratio to the raw SQL floor measured in
the same run: the same offer rows (same case/person pairs) inserted, and the same case routing
rows and loads updated, with plain set-based SQL in one transaction."""

import datetime
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assignments import routing
from assignments.models import Offer
from bench.routing_backlog import OFFER_TABLE, PROFILE_TABLE, ROUTING_TABLE, backlog_create, vacuum_analyze

CASES = 100_000
STAFF = 2_000
MIN_OFFERS_PER_SECOND = 5_000
MAX_FLOOR_RATIO = 4.0


def _reset(now) -> None:
    """Undo the pass: no offers, every case waiting again, nobody loaded."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {OFFER_TABLE}")  # noqa: S608
        cursor.execute(f"UPDATE {ROUTING_TABLE} SET state = 'awaiting', updated_at = %s", [now])  # noqa: S608
        cursor.execute(
            f"UPDATE {PROFILE_TABLE} SET load = 0, last_offered_at = NULL, "  # noqa: S608
            "offer_window_start = NULL, offers_in_window = 0"
        )
    vacuum_analyze()


def _floor(pairs: list[tuple[int, int]], now, timeout) -> float:
    """The same writes as the pass, as three set-based statements; returns seconds."""
    case_ids = [case_id for case_id, _ in pairs]
    user_ids = [user_id for _, user_id in pairs]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {OFFER_TABLE} (case_id, user_id, status, offered_at, expires_at, note) "  # noqa: S608
            "SELECT v.c, v.u, 'pending', %s, %s, '' FROM unnest(%s::bigint[], %s::bigint[]) AS v(c, u)",
            [now, now + timeout, case_ids, user_ids],
        )
        cursor.execute(
            f"UPDATE {ROUTING_TABLE} r SET state = 'offered', updated_at = %s "  # noqa: S608
            "FROM unnest(%s::bigint[]) AS v(c) WHERE r.case_id = v.c",
            [now, case_ids],
        )
        cursor.execute(
            f"UPDATE {PROFILE_TABLE} p SET load = p.load + v.n, last_offered_at = %s, "  # noqa: S608
            "offer_window_start = %s, offers_in_window = v.n "
            "FROM (SELECT u, count(*) AS n FROM unnest(%s::bigint[]) AS u GROUP BY u) AS v WHERE p.user_id = v.u",
            [now, now, user_ids],
        )
    return time.perf_counter() - started


@pytest.mark.django_db(transaction=True)
def test_backlog_pass_offers_per_second_and_floor_ratio(benchmark):
    now = timezone.now()
    backlog_create(now=now, cases=CASES, staff=STAFF)
    vacuum_analyze()

    made = benchmark.pedantic(lambda: routing.route(now=now), rounds=1, iterations=1)
    seconds = benchmark.stats["median"]
    pairs = list(Offer.objects.order_by("pk").values_list("case_id", "user_id"))
    assert made == len(pairs) > 0.9 * CASES, "most of the backlog is placeable"
    assert routing.loads_reconcile() == 0

    _reset(now)
    floor = _floor(pairs, now, datetime.timedelta(minutes=60))
    assert routing.loads_reconcile() == 0, "the floor wrote the same books"

    rate, ratio = made / seconds, seconds / floor
    benchmark.extra_info.update(
        offers=made, seconds=round(seconds, 3), offers_per_second=round(rate), floor_seconds=round(floor, 3)
    )
    benchmark.extra_info["floor_ratio"] = round(ratio, 2)
    print(
        f"\nbacklog pass: {made} offers of {CASES} cases to {STAFF} staff in {seconds:.2f} s = {rate:.0f} offers/s; "
        f"SQL floor {floor:.2f} s; ratio {ratio:.2f}"
    )
    assert rate >= MIN_OFFERS_PER_SECOND, f"{rate:.0f} offers/s is under the {MIN_OFFERS_PER_SECOND} budget"
    assert ratio <= MAX_FLOOR_RATIO, f"{ratio:.2f}x the SQL floor is over the {MAX_FLOOR_RATIO}x budget"
