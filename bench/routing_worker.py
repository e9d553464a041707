"""One of the router processes of the parallel routing checks (bench/test_routing_parallel.py,
tests/assignments/test_routing_concurrency.py): connects and prints "ready"; then, for each
given time, waits for a line on stdin (so that all the processes start each pass together and
no pass at a later time overlaps one at an earlier time), makes one backlog pass at that time and
prints {"offers": offers made, "seconds": ...} as JSON. Run as
`python -m bench.routing_worker <batch_size> <ISO time> [<ISO time> ...]` with DATABASE_URL
pointing at the test database."""

import datetime
import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402

from assignments import routing  # noqa: E402


def main(batch_size: int, nows: list[datetime.datetime]) -> None:
    connection.ensure_connection()
    print("ready", flush=True)
    for now in nows:
        sys.stdin.readline()
        started = time.perf_counter()
        offers = routing.route(now=now, batch_size=batch_size)
        print(json.dumps({"offers": offers, "seconds": time.perf_counter() - started}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), [datetime.datetime.fromisoformat(arg) for arg in sys.argv[2:]])
