"""Routing load: skills, available staff and a backlog of waiting cases, made with set-based SQL
(the case services number cases one by one from a sequence, far too slow for 100,000), and the
SQL checks that a routing run left the books straight. Used by the routing benchmarks and by
tests/assignments/test_routing_concurrency.py."""

from __future__ import annotations

import datetime
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pgtrigger
from django.contrib.auth.hashers import make_password
from django.db import connection

from assignments.models import CaseRouting, Offer, RoutingProfile, RoutingProfileSkill, RoutingSettings, Skill
from casework.models import WORKFLOWS, Case, CaseType
from casework.models.cases import CASE_NUMBER_SEQUENCE
from core.models import User

CASE_TABLE = Case._meta.db_table
ROUTING_TABLE = CaseRouting._meta.db_table
OFFER_TABLE = Offer._meta.db_table
PROFILE_TABLE = RoutingProfile._meta.db_table
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Backlog:
    skill_ids: list[int]
    user_ids: list[int]
    case_ids: list[int]
    case_type: CaseType
    status: str


def skills_create(count: int) -> list[int]:
    skills = Skill.objects.bulk_create(
        Skill(code=f"bench-{n:02d}", name=f"Bench skill {n:02d}", category=Skill.Category.FUNCTION)
        for n in range(count)
    )
    return [skill.pk for skill in skills]


def staff_create(
    skill_sets: list[list[int]], *, capacities: list[int], prefix: str = "router", loads: list[int] | None = None
) -> list[int]:
    """Available staff, one per skill set, with routing profiles (and the skill grants behind
    their skill_ids). Returns their user ids."""
    unusable = make_password(None)  # they never log in
    users = User.objects.bulk_create(
        User(email=f"{prefix}{n}@bench.example", kind=User.Kind.STAFF, password=unusable, last_name=f"Router {n:05d}")
        for n in range(len(skill_sets))
    )
    profiles = RoutingProfile.objects.bulk_create(
        RoutingProfile(
            user=user,
            capacity=capacity,
            presence=RoutingProfile.Presence.AVAILABLE,
            skill_ids=sorted(skills),
            load=loads[n] if loads else 0,
        )
        for n, (user, skills, capacity) in enumerate(zip(users, skill_sets, capacities, strict=True))
    )
    RoutingProfileSkill.objects.bulk_create(
        (RoutingProfileSkill(profile=profile, skill_id=skill) for profile in profiles for skill in profile.skill_ids),
        batch_size=10_000,
    )
    return [user.pk for user in users]


def cases_create(
    skill_sets: list[list[int]],
    *,
    now: datetime.datetime,
    rng: random.Random,
    case_type: CaseType,
    urgent_share: float = 0.1,
    state: str = CaseRouting.State.AWAITING,
) -> list[int]:
    """One open case per skill set, each with a routing row in `state` (awaiting by default),
    waiting since some time in the last 30 days. Two statements: the cases are copies of one
    template row with their own numbers and priorities, the routing rows come from arrays.
    Returns the case ids in the order of `skill_sets`."""
    status = WORKFLOWS[case_type.workflow][0]
    template = Case(number=f"TEMPLATE-{rng.getrandbits(64)}", case_type=case_type, workflow=case_type.workflow)
    template.__dict__["status"] = status  # a new case's first chevron (as Case._prepare_new does)
    template.created_at = template.updated_at = template.status_changed_at = now
    Case.objects.bulk_create([template])
    columns = [str(f.column) for f in Case._meta.concrete_fields if f.column not in ("id", "number", "priority")]
    urgent = [rng.random() < urgent_share for _ in skill_sets]
    with connection.cursor() as cursor:
        # Numbered from the cases' own sequence, as Case._prepare_new does.
        cursor.execute(
            f"INSERT INTO {CASE_TABLE} (number, priority, {', '.join(columns)}) "  # noqa: S608 - our table
            "SELECT %s || lpad(v.serial::text, greatest(6, length(v.serial::text)), '0'), v.priority, "
            f"{', '.join('t.' + c for c in columns)} "
            f"FROM {CASE_TABLE} t, (SELECT nextval(%s) AS serial, p AS priority FROM unnest(%s::text[]) AS p) AS v "
            "WHERE t.id = %s RETURNING id, priority",
            [
                f"{case_type.number_prefix}-{now.year}-",
                CASE_NUMBER_SEQUENCE,
                [Case.Priority.URGENT if u else Case.Priority.NORMAL for u in urgent],
                template.pk,
            ],
        )
        rows = sorted(cursor.fetchall())  # the i-th case (by id) needs skill_sets[i]
        case_ids = [pk for pk, _ in rows]
        urgent = [priority == Case.Priority.URGENT for _, priority in rows]
        cursor.execute(
            f"INSERT INTO {ROUTING_TABLE} (case_id, state, status, skill_ids, priority_rank, waiting_since, "  # noqa: S608
            "excluded_user_ids, updated_at) "
            "SELECT v.id, %s, %s, v.skills::bigint[], v.rank, v.since, '{}', %s "
            "FROM unnest(%s::bigint[], %s::text[], %s::smallint[], %s::timestamptz[]) AS v(id, skills, rank, since)",
            [
                state,
                status,
                now,
                case_ids,
                ["{" + ",".join(map(str, sorted(skills))) + "}" for skills in skill_sets],
                [0 if u else 1 for u in urgent],
                [now - datetime.timedelta(seconds=rng.randrange(1, 30 * 86400)) for _ in skill_sets],
            ],
        )
    Case.objects.filter(pk=template.pk).delete()
    return case_ids


def backlog_create(
    *,
    now: datetime.datetime,
    cases: int,
    staff: int,
    skills: int = 40,
    skills_per_staff: int = 24,
    rare_holders: int = 5,
    capacity: int | tuple[int, int] = 100,
    max_offers_per_minute: int = 100,
    seed: int = 4,
) -> Backlog:
    """`cases` waiting cases needing 1-3 of `skills` skills each, and `staff` available people
    holding `skills_per_staff` skills each. The last skill is rare (a language few speak): only
    `rare_holders` people hold it, so most cases are placeable and some wait. `capacity` is one
    number or a (low, high) range drawn per person."""
    rng = random.Random(seed)
    with pgtrigger.ignore():  # no audit history for generated rows (its per-row trigger is most of the cost)
        return _backlog_create(
            rng, now, cases, staff, skills, skills_per_staff, rare_holders, capacity, max_offers_per_minute
        )


def _backlog_create(
    rng, now, cases, staff, skills, skills_per_staff, rare_holders, capacity, max_offers_per_minute
) -> Backlog:
    RoutingSettings.objects.update_or_create(pk=1, defaults={"max_offers_per_minute": max_offers_per_minute})
    skill_ids = skills_create(skills)
    common, rare = skill_ids[:-1], skill_ids[-1]
    staff_skills = [rng.sample(common, skills_per_staff) for _ in range(staff)]
    for held in rng.sample(staff_skills, min(rare_holders, staff)):
        held.append(rare)
    capacities = [capacity if isinstance(capacity, int) else rng.randint(*capacity) for _ in range(staff)]
    user_ids = staff_create(staff_skills, capacities=capacities)
    case_type, _ = CaseType.objects.get_or_create(
        code="bench-support", defaults={"name": "Bench support", "workflow": "support", "number_prefix": "BEN"}
    )
    case_skills = [rng.sample(skill_ids, rng.randint(1, 3)) for _ in range(cases)]
    case_ids = cases_create(case_skills, now=now, rng=rng, case_type=case_type)
    return Backlog(skill_ids, user_ids, case_ids, case_type, WORKFLOWS[case_type.workflow][0])


def vacuum_analyze() -> None:
    """Fresh statistics (and no dead rows) on the router's tables: call outside a transaction."""
    with connection.cursor() as cursor:
        for table in (CASE_TABLE, ROUTING_TABLE, OFFER_TABLE, PROFILE_TABLE):
            cursor.execute(f"VACUUM ANALYZE {table}")


def routers_run(*, batch_sizes: list[int], nows: list[datetime.datetime], timeout: float = 900) -> list[list[dict]]:
    """Run one router process per batch size (bench/routing_worker.py) against the test
    database. For each time in `nows`, all of them are released at the same moment to make one
    backlog pass at that time, and the next pass starts when all have finished (a pass at a later
    time never overlaps one at an earlier time). Returns, per pass, what each router printed:
    {"offers": ..., "seconds": ...}."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    times = [now.isoformat() for now in nows]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.routing_worker", str(size), *times],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for size in batch_sizes
    ]
    deadline = time.monotonic() + timeout
    passes = []
    try:
        for worker in workers:
            assert _line(worker, deadline) == "ready"
        for _ in nows:
            for worker in workers:
                _tell(worker, "go\n")
            passes.append([json.loads(_line(worker, deadline)) for worker in workers])
        for worker in workers:
            _tell(worker, None)
            assert worker.wait(timeout=max(1, deadline - time.monotonic())) == 0, "a router process failed"
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    return passes


def _tell(worker: subprocess.Popen, line: str | None) -> None:
    """Send the worker a line, or (None) close its input: no more passes."""
    assert worker.stdin is not None
    if line is None:
        worker.stdin.close()
    else:
        worker.stdin.write(line)
        worker.stdin.flush()


def _line(worker: subprocess.Popen, deadline: float) -> str:
    """The worker's next line of its own output (skipping anything else it prints)."""
    assert worker.stdout is not None
    while time.monotonic() < deadline:
        line = worker.stdout.readline()
        assert line, "a router process died"
        line = line.strip()
        if line == "ready" or line.startswith("{"):
            return line
    raise TimeoutError("a router process took too long")


# --- the books after routing -------------------------------------------------------------------


def _scalar(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def routing_breaches(*, max_per_minute: int) -> dict[str, int]:
    """Count, by SQL, every way routing could have gone wrong; all zero when it went right."""
    return {
        "cases_with_two_pending_offers": _scalar(
            f"SELECT count(*) FROM (SELECT case_id FROM {OFFER_TABLE} WHERE status = 'pending' "  # noqa: S608
            "GROUP BY case_id HAVING count(*) > 1) AS x"
        ),
        "people_over_capacity": _scalar(
            f"""SELECT count(*) FROM {PROFILE_TABLE} p WHERE p.capacity <
                  (SELECT count(*) FROM {OFFER_TABLE} o WHERE o.user_id = p.user_id AND o.status = 'pending')
                + (SELECT count(*) FROM {ROUTING_TABLE} r WHERE r.assignee_id = p.user_id AND r.state = 'accepted')
            """  # noqa: S608
        ),
        "offered_rows_without_one_pending_offer": _scalar(
            f"SELECT count(*) FROM {ROUTING_TABLE} r WHERE (r.state = 'offered') <> "  # noqa: S608
            f"((SELECT count(*) FROM {OFFER_TABLE} o WHERE o.case_id = r.case_id AND o.status = 'pending') = 1)"
        ),
        "offers_to_people_lacking_a_skill": _scalar(
            f"SELECT count(*) FROM {OFFER_TABLE} o JOIN {ROUTING_TABLE} r ON r.case_id = o.case_id "  # noqa: S608
            f"JOIN {PROFILE_TABLE} p ON p.user_id = o.user_id WHERE NOT p.skill_ids @> r.skill_ids"
        ),
        "loads_off_the_recount": _scalar(
            f"""SELECT count(*) FROM {PROFILE_TABLE} p WHERE p.load <>
                  (SELECT count(*) FROM {OFFER_TABLE} o WHERE o.user_id = p.user_id AND o.status = 'pending')
                + (SELECT count(*) FROM {ROUTING_TABLE} r WHERE r.assignee_id = p.user_id AND r.state = 'accepted')
            """  # noqa: S608
        ),
        # Flood guard: nobody got more than the limit in any minute (counted from each offer).
        "people_over_the_flood_guard": _scalar(
            f"""SELECT count(DISTINCT o.user_id) FROM {OFFER_TABLE} o WHERE %s < (
                  SELECT count(*) FROM {OFFER_TABLE} o2 WHERE o2.user_id = o.user_id
                  AND o2.offered_at >= o.offered_at AND o2.offered_at < o.offered_at + interval '1 minute')
            """,  # noqa: S608
            [max_per_minute],
        ),
    }


def waiting_but_placeable(*, now: datetime.datetime, max_per_minute: int) -> int:
    """Waiting cases that someone available, with room and under the flood guard, could take
    (no exclusions in these scenarios): zero after a pass that nobody else interfered with."""
    return _scalar(
        f"""SELECT count(*) FROM {ROUTING_TABLE} r WHERE r.state = 'awaiting' AND EXISTS (
              SELECT 1 FROM {PROFILE_TABLE} p WHERE p.presence = 'available' AND p.load < p.capacity
              AND (p.offer_window_start IS NULL OR p.offer_window_start <= %s OR p.offers_in_window < %s)
              AND p.skill_ids @> r.skill_ids)
        """,  # noqa: S608
        [now - datetime.timedelta(minutes=1), max_per_minute],
    )
