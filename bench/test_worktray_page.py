"""My worktray (/staff/) for a caseworker owning ~300 open cases in a database of $BENCH_CASES
cases (default 1,000,000; loaded by bench/case_data.py), rendered server-side through Django's
test Client: p50/p95 over 60 requests after a warm-up, and the query count, for the default view
and three common ones. Budget: p95 < 50 ms. The figures are printed (run with -s to see them)."""

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.case_data import bench_cases, cases_load
from core.models import User

P95_BUDGET_MS = 50
MAX_QUERIES = 17  # 16, plus one to check a patch filter names a patch
REQUESTS = 60
WARM_UP = 5


def _measure(client, params: dict) -> dict:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/staff/", params)
    assert response.status_code == 200
    query_count = len(queries)  # read now: every request clears the connection's query log
    listed = response.context["table"].paginator.count
    for _ in range(WARM_UP):
        client.get("/staff/", params)
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get("/staff/", params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return {
        "queries": query_count,
        "listed": listed,
        "p50": statistics.median(times),
        "p95": statistics.quantiles(times, n=20)[-1],
        "max": max(times),
    }


def test_worktray_page(client, db):
    loaded = cases_load(connection, bench_cases())
    client.force_login(User.objects.get(pk=loaded["user_id"]))
    views = {
        "default": {},
        "by priority": {"sort": "priority"},
        "court, most recently moved": {"sort": "-days_on_chevron", "status": "court"},
        "one patch": {"patch": loaded["patch_ids"][0]},
    }
    print(f"\n{loaded['case_count']:,} cases loaded in {loaded['seconds']:.1f} s")
    results = {}
    for name, params in views.items():
        results[name] = figures = _measure(client, params)
        print(
            f"worktray, {name}: {figures['listed']} listed, {figures['queries']} queries, "
            f"p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, max {figures['max']:.1f} ms"
        )
    assert loaded["bench_open_case_ids"] and results["default"]["listed"] == len(loaded["bench_open_case_ids"])
    assert {figures["queries"] for figures in results.values()} <= set(range(MAX_QUERIES + 1))
    over = {name: round(figures["p95"], 1) for name, figures in results.items() if figures["p95"] >= P95_BUDGET_MS}
    assert not over, f"p95 over the {P95_BUDGET_MS} ms budget: {over}"
