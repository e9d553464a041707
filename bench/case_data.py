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
  @mentions (~200 of the benchmarked user);
- on each of the benchmarked user's open cases, the history its case page shows: 10 notes, 4
  tasks, 3 documents, 2 referrals, an appointment and a 25-entry feed, and a household with an
  active tenancy of the case's property;
- the benchmarked user in a team of 25 and Available for routing.

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

from assignments.models import RoutingProfile
from casework.models import (
    WORKFLOWS,
    Appointment,
    Case,
    CaseActivity,
    CaseType,
    ClosureStage,
    Contact,
    Document,
    Household,
    Note,
    NoteMention,
    Patch,
    Property,
    Referral,
    ReferralReason,
    ReferralSubtype,
    Region,
    Task,
    Team,
    TeamMembership,
    Tenancy,
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
NOTES_PER_CASE = 10  # on each of the benchmarked caseworker's open cases (see _case_histories)
TEAM_SIZE = 25  # the benchmarked caseworker's team
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


def _case_histories(connection, rng: random.Random, case_ids: list[int], user, others: list[int], now) -> None:
    """What a case page shows, for each of the benchmarked caseworker's open cases: notes by
    several people, open, team and done tasks, an open and an accepted referral, documents, an
    appointment, and the feed that records them all plus the case's moves (more entries than the
    page's first 20, so it offers "Show more"); and the caseworker's own team and routing
    profile, which every one of their pages reads."""
    teams = [
        Team.objects.get_or_create(code=f"bench-team-{k}", defaults={"name": f"Bench team {k}"})[0] for k in range(3)
    ]
    reasons = [
        ReferralReason.objects.get_or_create(team=team, name=f"Bench reason {k}")[0] for team in teams for k in range(2)
    ]
    subtype, _ = ReferralSubtype.objects.get_or_create(reason=reasons[0], name="Bench subtype")
    # The caseworker as they work: in a team of 25 (whom their tasks and appointments can go to)
    # and Available for routing (so the presence bar looks for their offers).
    TeamMembership.objects.bulk_create(
        TeamMembership(team=teams[0], user_id=member) for member in [user.pk, *others[: TEAM_SIZE - 1]]
    )
    RoutingProfile.objects.create(user=user, presence=RoutingProfile.Presence.AVAILABLE, capacity=5)
    days_ago = [now - datetime.timedelta(days=days, minutes=rng.randrange(600)) for days in range(60, 0, -2)]

    notes = (
        (case, rng.choice(others), f"Spoke to the tenant about the rent account, step {k}. " * 3, days_ago[k])
        for case in case_ids
        for k in range(NOTES_PER_CASE)
    )
    first_note = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_note")[0]
    _copy(connection, Note, ["case_id", "author_id", "body", "created_at"], notes)
    first_task = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_task")[0]
    tasks = []
    for case in case_ids:
        due = now.date() + datetime.timedelta(days=rng.randrange(-5, 15))
        tasks += [
            (case, "todo", "Check the rent statement", user.pk, None, due, "open", None, days_ago[3], days_ago[3]),
            (case, "callback", "Call the landlord back", user.pk, None, due, "open", None, days_ago[5], days_ago[5]),
            (case, "todo", "Visit the property", None, teams[1].pk, None, "open", None, days_ago[8], days_ago[8]),
            (case, "todo", "Send the form", rng.choice(others), None, None, "completed", now, days_ago[1], now),
        ]
    task_columns = ["case_id", "kind", "subject", "assignee_id", "assignee_team_id", "due_date", "status"]
    _copy(connection, Task, [*task_columns, "completed_at", "created_at", "updated_at"], tasks)
    first_document = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_document")[0]
    _copy(
        connection,
        Document,
        ["case_id", "category", "file", "original_name", "content_type", "size", "sha256", "uploaded_by_id"],
        (
            (
                case,
                category,
                f"cases/{case}/bench-{k}.pdf",
                f"{category} {k}.pdf",
                "application/pdf",
                48_213,
                "0" * 64,
                rng.choice(others),
            )
            for case in case_ids
            for k, category in enumerate(("identity", "tenancy", "arrears"))
        ),
    )
    _copy(
        connection,
        Referral,
        [
            "case_id",
            "team_id",
            "reason_id",
            "subtype_id",
            "comments",
            "status",
            "created_by_id",
            "accepted_by_id",
            "accepted_at",
            "created_at",
            "updated_at",
        ],
        (
            row
            for case in case_ids
            for row in (
                (
                    case,
                    teams[0].pk,
                    reasons[0].pk,
                    subtype.pk,
                    "Please check the arrears.",
                    "accepted",
                    user.pk,
                    rng.choice(others),
                    days_ago[12],
                    days_ago[14],
                    days_ago[12],
                ),
                (
                    case,
                    teams[2].pk,
                    reasons[4].pk,
                    None,
                    "Support with benefits.",
                    "open",
                    user.pk,
                    None,
                    None,
                    days_ago[4],
                    days_ago[4],
                ),
            )
        ),
    )
    _copy(
        connection,
        Appointment,
        ["case_id", "starts_at", "ends_at", "mode", "location", "with_user_id", "status", "created_at", "updated_at"],
        (
            (
                case,
                now + datetime.timedelta(days=3),
                now + datetime.timedelta(days=3, hours=1),
                "in_person",
                "Civic Centre, room 2",
                user.pk,
                "scheduled",
                days_ago[2],
                days_ago[2],
            )
            for case in case_ids
        ),
    )

    # The feed: every note, task and document above, the referrals, the appointment and moves.
    by_case = _rows_by_case(connection, first_note, first_task, first_document)
    feed = []
    for case in case_ids:
        feed.append((case, "created", days_ago[0], None, "Case created", "", "", None, None, None))
        for k, (source, to_status) in enumerate((("draft", "application_match"), ("application_match", "chaser"))):
            feed.append(
                (
                    case,
                    "status_changed",
                    days_ago[1 + k],
                    user.pk,
                    "Status changed",
                    source,
                    to_status,
                    None,
                    None,
                    None,
                )
            )
        for note_id, author, at in by_case["note"].get(case, []):
            feed.append((case, "note", at, author, "Note added", "", "", note_id, None, None))
        for task_id, _author, at in by_case["task"].get(case, []):
            feed.append((case, "task_created", at, user.pk, "Task created", "", "", None, task_id, None))
        for document_id, author, at in by_case["document"].get(case, []):
            feed.append((case, "document_added", at, author, "Document added", "", "", None, None, document_id))
        feed.append((case, "referral", days_ago[14], user.pk, "Referred to Bench team 0", "", "", None, None, None))
        feed.append((case, "appointment", days_ago[2], user.pk, "Appointment booked", "", "", None, None, None))
    _copy(
        connection,
        CaseActivity,
        [
            "case_id",
            "kind",
            "at",
            "actor_id",
            "summary",
            "from_status",
            "to_status",
            "note_id",
            "task_id",
            "document_id",
            "data",
        ],
        ((*row, "{}") for row in feed),
    )


def _tenancies(connection, case_ids: list[int], property_ids: list[int], now) -> None:
    """Each case a household and an active tenancy of its own property, as a rental or arrears
    case has: the summary shows both."""
    first_household = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_household")[0]
    households = ((f"HH-B{k:07d}", f"Bench household {k}") for k in range(len(case_ids)))
    _copy(connection, Household, ["reference", "name"], households)
    households = _ids(connection, "SELECT id FROM casework_household WHERE id > %s ORDER BY id", [first_household])
    first_tenancy = _ids(connection, "SELECT coalesce(max(id), 0) FROM casework_tenancy")[0]
    started = (now - datetime.timedelta(days=900)).date()
    _copy(
        connection,
        Tenancy,
        ["reference", "property_id", "household_id", "tenure_type", "start_date", "status", "weekly_rent"],
        (
            (f"TEN-B{k:07d}", property_id, household, "secure", started, "active", 112.5)
            for k, (property_id, household) in enumerate(zip(property_ids, households, strict=True))
        ),
    )
    tenancies = _ids(connection, "SELECT id FROM casework_tenancy WHERE id > %s ORDER BY id", [first_tenancy])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE casework_case SET tenancy_id = t.tenancy, property_id = t.property "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS t(id, tenancy, property) "
            "WHERE casework_case.id = t.id",
            [case_ids, tenancies, property_ids],
        )


def _rows_by_case(connection, first_note: int, first_task: int, first_document: int) -> dict:
    """{"note" | "task" | "document": {case id: [(id, author, when), ...]}} for the rows after each first id."""
    queries = {
        "note": ("SELECT id, case_id, author_id, created_at FROM casework_note WHERE id > %s", first_note),
        "task": ("SELECT id, case_id, assignee_id, created_at FROM casework_task WHERE id > %s", first_task),
        "document": (
            "SELECT id, case_id, uploaded_by_id, uploaded_at FROM casework_document WHERE id > %s",
            first_document,
        ),
    }
    found: dict = {}
    with connection.cursor() as cursor:
        for kind, (sql, after) in queries.items():
            cursor.execute(sql, [after])
            found[kind] = {}
            for row_id, case_id, author, at in cursor.fetchall():
                found[kind].setdefault(case_id, []).append((row_id, author, at))
    return found


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
        for model in (Case, Contact, Property, Task, Note, NoteMention, User, CaseActivity, Document, Referral):
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
    _case_histories(connection, rng, bench_case_ids, user, others, now)
    with_tenancy = min(len(bench_case_ids), len(property_ids))  # all of them, unless n is tiny
    _tenancies(connection, bench_case_ids[:with_tenancy], property_ids[-with_tenancy:], now)
    return {
        "user_id": user.pk,
        "staff_ids": staff_ids,
        "case_type_ids": {workflow: ct.pk for workflow, ct in case_types.items()},
        "patch_ids": [patch.pk for patch in patches],
        "bench_open_case_ids": bench_case_ids,
        "case_count": case_count,
    }
