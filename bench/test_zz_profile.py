import cProfile
import pstats
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.case_data import cases_load
from core.models import User


def test_profile(benchmark, client, db):
    loaded = cases_load(connection, 100000)
    client.force_login(User.objects.get(pk=loaded["user_id"]))
    case_id = loaded["bench_open_case_ids"][0]
    for path in ("/staff/", f"/staff/cases/{case_id}/"):
        client.get(path)
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            client.get(path)
            print(path, (time.perf_counter() - t) * 1000)
        for query in sorted(q.captured_queries, key=lambda x: -float(x["time"]))[:5]:
            print(query["time"], query["sql"][:300])
        prof = cProfile.Profile()
        prof.enable()
        client.get(path)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
    benchmark(lambda: None)
