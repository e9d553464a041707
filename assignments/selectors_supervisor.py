"""Reads for the supervisor pages (staff, backlog, why a case waits, charts), built on the
supervisor selectors in assignments.selectors. Supervisors and administrators only: each raises
PermissionDenied for anyone else. Every one runs a fixed number of queries, however many people,
cases or offers there are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from assignments import selectors
from assignments.models import BacklogSnapshot, CaseRouting, Offer, RoutingProfile, Skill
from assignments.permissions import can_manage_routing
from casework.models import Case, CaseActivity, Status
from casework.selectors.cases import case_get
from core import errors
from core.models import User


def _require_supervisor(user) -> None:
    if not can_manage_routing(user):
        raise errors.PermissionDenied("Only supervisors can see this.")


# --- staff ------------------------------------------------------------------------------------------


def staff_board_for(*, user) -> QuerySet[RoutingProfile]:
    """Everyone the router knows (staff_load_for: presence, load, capacity, pending offers) with the
    time of their oldest pending offer and their skills. Two queries. Supervisors only."""
    oldest = Offer.objects.filter(user=OuterRef("user_id"), status=Offer.Status.PENDING).order_by("offered_at")
    return (
        selectors.staff_load_for(user=user)
        .annotate(oldest_pending_offer=Subquery(oldest.values("offered_at")[:1]))
        .prefetch_related(Prefetch("skills", queryset=Skill.objects.order_by("code")))
    )


def staff_profile_get(*, user, staff_id: int) -> RoutingProfile:
    """One member of staff's routing profile, for a supervisor setting their presence. Raises
    PermissionDenied (not a supervisor) or NotFound (no such person, or no routing profile)."""
    _require_supervisor(user)
    profile = RoutingProfile.objects.select_related("user").filter(user_id=staff_id).first()
    if profile is None:
        raise errors.NotFound("This person has no routing profile.")
    return profile


# --- backlog ----------------------------------------------------------------------------------------


def backlog_cases_for(*, user, skill_ids: list[int]) -> QuerySet[CaseRouting]:
    """The cases awaiting assignment that need exactly the skills `skill_ids` (in any order), urgent
    first, then the longest waiting, with each case and its type loaded. Supervisors only."""
    _require_supervisor(user)
    ids = sorted(set(skill_ids))
    # Set equality as "contains and is contained by": both are served by the GIN index on skill_ids.
    return (
        CaseRouting.objects.filter(
            state=CaseRouting.State.AWAITING, skill_ids__contains=ids, skill_ids__contained_by=ids
        )
        .select_related("case__case_type")
        .order_by("priority_rank", "waiting_since", "case_id")
    )


def skill_codes_for(*, user, skill_ids: list[int]) -> list[str]:
    """The codes of these skills, sorted (unknown ids read as #id). Supervisors only."""
    _require_supervisor(user)
    codes = dict(Skill.objects.filter(pk__in=skill_ids).values_list("pk", "code"))
    return sorted(codes.get(pk, f"#{pk}") for pk in set(skill_ids))


# --- why is this case waiting -----------------------------------------------------------------------


@dataclass
class CaseRoutingPage:
    case: Case
    explanation: selectors.RoutingExplanation
    routing: CaseRouting | None
    offers: list[Offer]
    staff: list[User]


def case_routing_page_for(*, user, case_id: int) -> CaseRoutingPage:
    """Everything the "why is this case waiting?" page shows: the case, the router's explanation
    (case_routing_explanation), its routing row, every offer made for it (newest first, with the
    person and any decline reason) and the active staff a supervisor may assign it to.
    Raises PermissionDenied (not a supervisor) or NotFound (no such case)."""
    _require_supervisor(user)
    case = case_get(user=user, case_id=case_id)
    explanation = selectors.case_routing_explanation(user=user, case=case)
    routing = CaseRouting.objects.filter(pk=case.pk).first()
    offers = list(
        Offer.objects.filter(case=case).select_related("user", "decline_reason").order_by("-offered_at", "-pk")[:50]
    )
    return CaseRoutingPage(
        case=case, explanation=explanation, routing=routing, offers=offers, staff=list(assignable_staff_for(user=user))
    )


def assignable_staff_for(*, user) -> QuerySet[User]:
    """Active staff a supervisor may give a case to, by name, with their routing profile (load and
    capacity, when they have one). Supervisors only."""
    _require_supervisor(user)
    return (
        User.objects.filter(kind=User.Kind.STAFF, is_active=True)
        .select_related("routing_profile")
        .order_by("first_name", "last_name", "email")
    )


def assignable_staff_get(*, user, staff_id) -> User | None:
    """One member of staff from the assignable list, or None (unknown, not staff, inactive)."""
    if not str(staff_id or "").isdigit():
        return None
    _require_supervisor(user)
    return User.objects.filter(pk=int(staff_id), kind=User.Kind.STAFF).first()


# --- charts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacklogPoint:
    hour: datetime.datetime
    cases: int
    oldest_wait_seconds: int


def backlog_history_for(*, user, now: datetime.datetime, hours: int = 24) -> list[BacklogPoint]:
    """The total backlog for each of the last `hours` hours: the last snapshot taken in each hour
    (hours with no snapshot are left out). One query on the (taken_at, skill_set) unique index."""
    _require_supervisor(user)
    since = now - datetime.timedelta(hours=hours)
    rows = (
        BacklogSnapshot.objects.filter(skill_set=BacklogSnapshot.TOTAL, taken_at__gt=since, taken_at__lte=now)
        .annotate(hour=TruncHour("taken_at"))
        .order_by("hour", "-taken_at")
        .distinct("hour")
        .values("hour", "cases", "oldest_wait_seconds")
    )
    return [BacklogPoint(row["hour"], row["cases"], row["oldest_wait_seconds"]) for row in rows]


@dataclass(frozen=True)
class OfferDay:
    day: datetime.date
    accepted: int
    declined: int
    timed_out: int


def offer_outcomes_by_day_for(*, user, today: datetime.date, days: int = 14) -> list[OfferDay]:
    """Offers accepted, declined and timed out on each of the last `days` days (today included),
    by the day they were answered or lapsed (in the site's time zone); days with none read as
    zeros. One aggregate query over Offer."""
    _require_supervisor(user)
    first = today - datetime.timedelta(days=days - 1)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min), tz)
    ended = (Offer.Status.ACCEPTED, Offer.Status.DECLINED, Offer.Status.TIMED_OUT)
    # responded_at is set when an offer is answered and, for a lapse, to when it expired.
    rows = (
        Offer.objects.filter(status__in=ended, responded_at__gte=start)
        .annotate(day=TruncDate("responded_at", tzinfo=tz))
        .order_by()
        .values("day")
        .annotate(
            accepted=Count("pk", filter=Q(status=Offer.Status.ACCEPTED)),
            declined=Count("pk", filter=Q(status=Offer.Status.DECLINED)),
            timed_out=Count("pk", filter=Q(status=Offer.Status.TIMED_OUT)),
        )
    )
    by_day: dict[datetime.date, dict] = {row["day"]: dict(row) for row in rows}
    result = []
    for n in range(days):
        day = first + datetime.timedelta(days=n)
        row: dict = by_day.get(day, {})
        result.append(OfferDay(day, row.get("accepted", 0), row.get("declined", 0), row.get("timed_out", 0)))
    return result


@dataclass(frozen=True)
class ChevronTime:
    status: str
    label: str
    moves: int  # how many times a case left this chevron in the period
    average_seconds: int
    median_seconds: int


def chevron_times_for(*, user, now: datetime.datetime, days: int = 30) -> list[ChevronTime]:
    """How long cases stayed on each chevron before moving on, for moves in the last `days` days:
    the average and median, chevrons in workflow order. One query.

    Source: the case feed (CaseActivity), not the pghistory events. Its status-change entries carry
    the chevron left (`from_status`) and the time, and it is indexed by (case, at) — exactly the
    order a per-case LAG() walks — whereas the event table would need every case row version
    compared with the one before to find a status change. A stay starts at the case's previous
    status change, or at its creation entry for the first chevron."""
    _require_supervisor(user)
    since = now - datetime.timedelta(days=days)
    table = CaseActivity._meta.db_table
    sql = f"""
        WITH steps AS (
            SELECT a.kind, a.from_status, a.at,
                   LAG(a.at) OVER (PARTITION BY a.case_id ORDER BY a.at, a.id) AS previous_at
            FROM {table} a
            WHERE a.kind IN (%(created)s, %(changed)s)
              AND a.case_id IN (SELECT b.case_id FROM {table} b WHERE b.kind = %(changed)s AND b.at >= %(since)s)
        )
        SELECT from_status, COUNT(*),
               AVG(EXTRACT(EPOCH FROM at - previous_at)),
               PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM at - previous_at))
        FROM steps
        WHERE kind = %(changed)s AND at >= %(since)s AND previous_at IS NOT NULL AND from_status <> ''
        GROUP BY from_status
    """  # noqa: S608 - the only interpolation is our own table name
    params: dict[str, str | datetime.datetime] = {
        "created": CaseActivity.Kind.CREATED.value,
        "changed": CaseActivity.Kind.STATUS_CHANGED.value,
        "since": since,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    order = {status: n for n, status in enumerate(Status.values)}
    return sorted(
        (
            ChevronTime(
                status=status,
                label=Status(status).label if status in Status.values else status,
                moves=moves,
                average_seconds=round(average or 0),
                median_seconds=round(median or 0),
            )
            for status, moves, average, median in rows
        ),
        key=lambda row: order.get(row.status, len(order)),
    )


# What counts as "acting on" a case: working it. Being given it (owner changes: routing offers
# accepted or declined, supervisors reassigning) is not acting on it, nor is the system's own
# record of its creation; entries written by the system or by an applicant do not count either.
FIRST_ACTION_KINDS = [
    CaseActivity.Kind.STATUS_CHANGED,
    CaseActivity.Kind.UPDATED,
    CaseActivity.Kind.NOTE,
    CaseActivity.Kind.TASK_CREATED,
    CaseActivity.Kind.TASK_UPDATED,
    CaseActivity.Kind.DOCUMENT_ADDED,
    CaseActivity.Kind.REVIEW_LOGGED,
    CaseActivity.Kind.REFERRAL,
    CaseActivity.Kind.APPOINTMENT,
    CaseActivity.Kind.LETTER,
    CaseActivity.Kind.MESSAGE,
]


@dataclass(frozen=True)
class FirstAction:
    case_type: str
    cases: int
    acted_on: int
    average_seconds: int | None


def time_to_first_action_for(*, user, now: datetime.datetime, days: int = 30) -> list[FirstAction]:
    """For cases opened in the last `days` days, by case type: how many, how many a member of
    staff has acted on (FIRST_ACTION_KINDS on the feed), and the average time from opening to that
    first action. One query: the first action is a correlated subquery on the feed's (case, at)
    index."""
    _require_supervisor(user)
    first_action = (
        CaseActivity.objects.filter(case=OuterRef("pk"), kind__in=FIRST_ACTION_KINDS, actor__kind=User.Kind.STAFF)
        .order_by("at")
        .values("at")[:1]
    )
    rows = (
        Case.objects.filter(created_at__gte=now - datetime.timedelta(days=days), created_at__lte=now)
        .annotate(first_action=Subquery(first_action))
        .order_by()
        .values("case_type__name")
        .annotate(
            cases=Count("pk"),
            acted_on=Count("first_action"),
            average=Avg(ExpressionWrapper(F("first_action") - F("created_at"), output_field=DurationField())),
        )
        .order_by("case_type__name")
    )
    return [
        FirstAction(
            case_type=row["case_type__name"],
            cases=row["cases"],
            acted_on=row["acted_on"],
            average_seconds=round(row["average"].total_seconds()) if row["average"] is not None else None,
        )
        for row in rows
    ]
