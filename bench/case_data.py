"""A council-sized casework database for the page benchmarks, loaded FAST with PostgreSQL COPY
(psycopg 3 `cursor.copy`): the services create cases one by one (numbered from a sequence, with
audit rows), far too slow for a million. Used by bench/test_worktray_page.py and reusable by the
case-page benchmark: `cases_load(connection, n)` returns the ids a benchmark needs.

What it makes, for n cases (default 1,000,000, or $BENCH_CASES):
- ~2,000 staff, one of them the benchmarked caseworker (`bench-worker@test.example`, role
  caseworker) who owns ~300 open cases; everyone else shares the remaining cases;
- one case type per workflow, cases spread over every workflow's chevrons: ~70% closed (with a
  closure stage, closed time and the chevron they closed from, as the model's constraint
  requires), the rest open on their workflow's chevrons, 10% urgent;
- n/2 contacts, n/10 properties across 40 patches (so the worktray's patch column has work);
- n/20 tasks (the benchmarked user has ~150 open ones, some overdue) and n/20 notes with
  @mentions (~200 of the benchmarked user).

Every row respects the database's constraints (unique case numbers from the cases' own sequence,
unique references and addresses, one owner kind, closed ⇔ closure stage). The audit-history
triggers are skipped for generated rows (as bench/routing_backlog.py does): they are most of the
cost and the pages never read them.
"""

from __future__ import annotations

import datetime
import os
import random
import time

import pgtrigger
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from casework.models import (
    WORKFLOWS,
    Case,
    CaseType,
    ClosureStage,
    Contact,
    Note,
    NoteMention,
    Patch,
    Property,
    Region,
    Task,
)
from casework.models.cases import CASE_NUMBER_SEQUENCE
from core import services as core_services
from core.models import User
from core.roles import Role

DEFAULT_CASES = 1_000_000
STAFF = 2_000
BENCH_USER_EMAIL = "bench-worker@test.example"
BENCH_USER_OPEN_CASES = 300
PATCHES = 40
CLOSED_SHARE = 0.7
URGENT_SHARE = 0.1
PREFIXES = {
    "rental_tenant": "BRT",
    "rental_landlord": "BRL",
    "appeal": "BAP",
    "arrears": "BAR",
    "housing_options": "BHO",
    "support": "BSU",
    "automated": "BAU",
}
FORENAMES = ["Olivia", "Amelia", "Isla", "Noah", "Oliver", "George", "Leo", "Muhammad", "Zofia", "Aisha", "Hodan"]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Patel", "Khan", "Nowak", "Evans", "Walker", "Green", "Hall"]
STREETS = ["High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Victoria Road", "Green Lane"]


def bench_cases() -> int:
    return int(os.environ.get("BENCH_CASES", DEFAULT_CASES))


def _copy(connection, model: type[models.Model], columns: list[str], rows) -> int:
    """COPY `rows` (tuples in `columns` order) into the model's table; returns the row count.
    Columns not named take their field's default (None for nullable fields)."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    rest = [c for c in fields if c not in columns and c != "id"]
    defaults = tuple(_default(fields[c]) for c in rest)
    names = ", ".join(f'"{c}"' for c in (*columns, *rest))
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3's own cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *defaults))
                count += 1
    return count


def _default(field: models.Field):
    if field.has_default():
        value = field.get_default()
        return value.value if isinstance(value, models.Choices) else value
    if field.null:
        return None
    if isinstance(field, (models.CharField, models.TextField)):
        return ""
    if isinstance(field, models.BooleanField):
        return False
    raise ValueError(f"{field.model.__name__}.{field.name} needs a value in the bench data")


def _ids(connection, sql: str, params=None) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def cases_load(connection, n: int | None = None, *, seed: int = 5) -> dict:
    """Load the data described above into the database behind `connection` (Django's), inside
    one transaction. Returns {"user_id", "staff_ids", "case_type_ids", "patch_ids",
    "bench_open_case_ids", "case_count", "seconds"}."""
    n = bench_cases() if n is None else n
    started = time.perf_counter()
    with transaction.atomic(), pgtrigger.ignore():
        with connection.cursor() as cursor:
            # pgtrigger.ignore() sets its flag for the transaction through Django's cursor; COPY
            # goes round Django's cursor, so set it once here and it holds until commit.
            cursor.execute("SELECT 1")
        result = _load(connection, n, random.Random(seed))
    with connection.cursor() as cursor:
        for model in (Case, Contact, Property, Task, Note, NoteMention, User):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    result["seconds"] = time.perf_counter() - started
    return result


def _load(connection, n: int, rng: random.Random) -> dict:
    now = timezone.now()
    unusable = make_password(None)

    # --- staff ---------------------------------------------------------------------------------
    user = core_services.user_create(actor=None, email=BENCH_USER_EMAIL, kind=User.Kind.STAFF, first_name="Bench")
    core_services.staff_set_roles(actor=None, user=user, roles={Role.CASEWORKER})
    _copy(
        connection,
        User,
        ["email", "kind", "password", "first_name", "last_name", "is_active", "is_staff", "date_joined"],
        (
            (f"staff{k}@bench.example", "staff", unusable, rng.choice(FORENAMES), f"Staff {k:04d}", True, False, now)
            for k in range(STAFF - 1)
        ),
    )
    staff_ids = [user.pk, *_ids(connection, "SELECT id FROM core_user WHERE email LIKE %s", ["%@bench.example"])]
    others = staff_ids[1:]

    # --- reference data ------------------------------------------------------------------------
    case_types = {}
    for workflow, prefix in PREFIXES.items():
        case_types[workflow], _ = CaseType.objects.get_or_create(
            code=f"bench-{workflow.replace('_', '-')}",
            defaults={"name": f"Bench {workflow.replace('_', ' ')}", "workflow": workflow, "number_prefix": prefix},
        )
    region, _ = Region.objects.get_or_create(code="BEN", defaults={"name": "Bench borough"})
    patches = [
        Patch.objects.get_or_create(code=f"B{k:02d}", defaults={"region": region, "name": f"Bench patch {k:02d}"})[0]
        for k in range(PATCHES)
    ]

    # --- contacts and properties ---------------------------------------------------------------
    contacts = max(1, n // 2)
    first_contact = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_contact")[0]
    _copy(
        connection,
        Contact,
        [
            "reference",
            "first_name",
            "last_name",
            "email",
            "preferred_language",
            "is_active",
            "created_at",
            "updated_at",
        ],
        (
            (
                f"CON-B{k:09d}",
                rng.choice(FORENAMES),
                rng.choice(SURNAMES),
                f"person{k}@bench.example",
                "en",
                True,
                now,
                now,
            )
            for k in range(contacts)
        ),
    )
    contact_ids = _ids(connection, "SELECT id FROM casework_contact WHERE id > %s ORDER BY id", [first_contact])
    properties = max(1, n // 10)
    first_property = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_property")[0]
    _copy(
        connection,
        Property,
        [
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "patch_id",
            "patch_source",
            "created_at",
            "updated_at",
        ],
        (
            (
                f"{k} {STREETS[k % len(STREETS)]}",
                f"Bench {k}",
                "Benchford",
                "BN1 1AA",
                patches[k % PATCHES].pk,
                "lookup",
                now,
                now,
            )
            for k in range(properties)
        ),
    )
    property_ids = _ids(connection, "SELECT id FROM casework_property WHERE id > %s ORDER BY id", [first_property])

    # --- cases ---------------------------------------------------------------------------------
    with connection.cursor() as cursor:
        # Reserve a block of the cases' own sequence, so numbers never collide with later ones.
        cursor.execute("SELECT nextval(%s)", [CASE_NUMBER_SEQUENCE])
        first_serial = cursor.fetchone()[0]
        cursor.execute("SELECT setval(%s, %s)", [CASE_NUMBER_SEQUENCE, first_serial + n])
    workflows = list(PREFIXES)
    bench_open = min(BENCH_USER_OPEN_CASES, n)
    closing = {
        "rental_tenant": [ClosureStage.PAID, ClosureStage.DENIED, ClosureStage.WITHDRAWN],
        "rental_landlord": [ClosureStage.PAID, ClosureStage.DUPLICATE],
        "appeal": [ClosureStage.UPHELD, ClosureStage.OVERTURNED],
    }

    def case_rows():
        for k in range(n):
            workflow = workflows[k % len(workflows)]
            chevrons = [s for s in WORKFLOWS[workflow] if s != "closed"]
            created = now - datetime.timedelta(minutes=rng.randrange(1, 3 * 365 * 24 * 60))
            moved = created + (now - created) * rng.random()
            closed = k >= bench_open and rng.random() < CLOSED_SHARE
            owner = user.pk if k < bench_open else others[k % len(others)]
            status = "closed" if closed else chevrons[k % len(chevrons)]
            yield (
                f"{PREFIXES[workflow]}-{created.year}-{first_serial + k:07d}",
                case_types[workflow].pk,
                workflow,
                status,
                moved,
                rng.choice(chevrons) if closed else "",
                rng.choice(closing.get(workflow, [ClosureStage.RESOLVED])) if closed else "",
                moved if closed else None,
                "urgent" if rng.random() < URGENT_SHARE else "normal",
                contact_ids[k % len(contact_ids)],
                property_ids[rng.randrange(len(property_ids))] if k % 3 else None,
                owner,
                created,
                moved,
            )

    first_case = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_case")[0]
    case_count = _copy(
        connection,
        Case,
        [
            "number",
            "case_type_id",
            "workflow",
            "status",
            "status_changed_at",
            "status_before_close",
            "closure_stage",
            "closed_at",
            "priority",
            "contact_id",
            "property_id",
            "owner_id",
            "created_at",
            "updated_at",
        ],
        case_rows(),
    )
    bench_case_ids = _ids(
        connection,
        "SELECT id FROM casework_case WHERE id > %s AND owner_id = %s AND status <> 'closed' ORDER BY id",
        [first_case, user.pk],
    )
    other_case_ids = _ids(
        connection, "SELECT id FROM casework_case WHERE id > %s ORDER BY id LIMIT %s", [first_case, max(1, n // 20)]
    )

    # --- tasks, notes and @mentions --------------------------------------------------------------
    today = timezone.localdate()
    tasks = max(1, n // 20)
    _copy(
        connection,
        Task,
        ["case_id", "kind", "subject", "assignee_id", "due_date", "status", "completed_at", "created_at", "updated_at"],
        (
            (
                bench_case_ids[k % len(bench_case_ids)]
                if k < 150 and bench_case_ids
                else other_case_ids[k % len(other_case_ids)],
                "todo",
                f"Call back about item {k}",
                user.pk if k < 150 else others[k % len(others)],
                today + datetime.timedelta(days=rng.randrange(-10, 20)) if k % 5 else None,
                "open" if k % 4 else "completed",
                None if k % 4 else now,  # a completed task has its completion time (a constraint)
                now,
                now,
            )
            for k in range(tasks)
        ),
    )
    notes = max(1, n // 20)
    first_note = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_note")[0]
    _copy(
        connection,
        Note,
        ["case_id", "author_id", "body", "created_at"],
        (
            (
                other_case_ids[k % len(other_case_ids)],
                others[k % len(others)],
                f"Spoke to the tenant about item {k}; @bench please check the rent account. " * 2,
                now - datetime.timedelta(minutes=k),
            )
            for k in range(notes)
        ),
    )
    note_ids = _ids(connection, "SELECT id FROM casework_note WHERE id > %s ORDER BY id", [first_note])
    _copy(
        connection,
        NoteMention,
        ["note_id", "user_id"],
        ((note_id, user.pk if k < 200 else others[(k * 7) % len(others)]) for k, note_id in enumerate(note_ids)),
    )
    return {
        "user_id": user.pk,
        "staff_ids": staff_ids,
        "case_type_ids": {workflow: ct.pk for workflow, ct in case_types.items()},
        "patch_ids": [patch.pk for patch in patches],
        "bench_open_case_ids": bench_case_ids,
        "case_count": case_count,
    }
