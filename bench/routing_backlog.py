"""Routing load: skills, available staff and a backlog of waiting cases, made with set-based SQL
(the case services number cases one by one from a sequence, far too slow for 100,000), and the
SQL checks that a routing run left the books straight. Used by the routing benchmarks and by
tests/assignments/test_routing_concurrency.py."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

import pgtrigger
from django.contrib.auth.hashers import make_password
from django.db import connection

from assignments.models import CaseRouting, Offer, RoutingProfile, RoutingProfileSkill, RoutingSettings, Skill
from casework.models import WORKFLOWS, Case, CaseType
from core.models import User

CASE_TABLE = Case._meta.db_table
ROUTING_TABLE = CaseRouting._meta.db_table
OFFER_TABLE = Offer._meta.db_table
PROFILE_TABLE = RoutingProfile._meta.db_table


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
    template row with their own numbers and priorities, the routing rows come from arrays."""
    status = WORKFLOWS[case_type.workflow][0]
    template = Case(number=f"TEMPLATE-{rng.getrandbits(40)}", case_type=case_type, workflow=case_type.workflow)
    template.__dict__["status"] = status  # a new case's first chevron (as Case._prepare_new does)
    template.created_at = template.updated_at = template.status_changed_at = now
    Case.objects.bulk_create([template])
    columns = [f.column for f in Case._meta.concrete_fields if f.column not in ("id", "number", "priority")]
    start = rng.randrange(10**6, 10**8)
    numbers = [f"{case_type.number_prefix}-B-{start + n:09d}" for n in range(len(skill_sets))]
    urgent = [rng.random() < urgent_share for _ in skill_sets]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CASE_TABLE} (number, priority, {', '.join(columns)}) "  # noqa: S608 - our table
            f"SELECT v.number, v.priority, {', '.join('t.' + c for c in columns)} "
            f"FROM {CASE_TABLE} t, unnest(%s::text[], %s::text[]) WITH ORDINALITY AS v(number, priority, n) "
            "WHERE t.id = %s ORDER BY v.n RETURNING id, number",
            [numbers, [Case.Priority.URGENT if u else Case.Priority.NORMAL for u in urgent], template.pk],
        )
        ids = {number: pk for pk, number in cursor.fetchall()}
        case_ids = [ids[number] for number in numbers]
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
        # Flood guard: nobody got more than the limit in any minute (counted from each offer).
        "people_over_the_flood_guard": _scalar(
            f"""SELECT count(DISTINCT o.user_id) FROM {OFFER_TABLE} o WHERE %s < (
                  SELECT count(*) FROM {OFFER_TABLE} o2 WHERE o2.user_id = o.user_id
                  AND o2.offered_at >= o.offered_at AND o2.offered_at < o.offered_at + interval '1 minute')
            """,  # noqa: S608
            [max_per_minute],
        ),
    }
