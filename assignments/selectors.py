"""Reads of skills, routing profiles and the router's state, with the permission rules applied:
among them the supervisor view's data (each person's load, the backlog by skill set, and why a
waiting case is not offered)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from assignments.models import (
    CaseRouting,
    DeclineReason,
    Offer,
    RoutingProfile,
    RoutingRule,
    RoutingSettings,
    Skill,
)
from assignments.permissions import can_manage_routing, can_view_routing
from casework.models import Case, Status
from core import errors
from core.models import User


def skill_list_for(*, user) -> QuerySet[Skill]:
    """Skills `user` may see: all of them for staff, none for anyone else."""
    if not can_view_routing(user):
        return Skill.objects.none()
    return Skill.objects.all()


def routing_profiles_for(*, user) -> QuerySet[RoutingProfile]:
    """Routing profiles `user` may see (staff only), with the person and their skills loaded in
    two queries however many profiles there are."""
    if not can_view_routing(user):
        return RoutingProfile.objects.none()
    return RoutingProfile.objects.select_related("user").prefetch_related(
        Prefetch("skills", queryset=Skill.objects.order_by("category", "code"))
    )


def decline_reasons_for(*, user) -> QuerySet[DeclineReason]:
    """The reasons staff may give when declining an offer (active ones); none for non-staff."""
    if not can_view_routing(user):
        return DeclineReason.objects.none()
    return DeclineReason.objects.filter(is_active=True)


def routing_settings_for(*, user) -> RoutingSettings:
    """The router's settings, for staff. Raises PermissionDenied for anyone else."""
    if not can_view_routing(user):
        raise errors.PermissionDenied("Only staff can see the routing settings.")
    return RoutingSettings.current()


# --- the supervisor view ------------------------------------------------------------------------


def _require_supervisor(user, what: str) -> None:
    if not can_manage_routing(user):
        raise errors.PermissionDenied(f"Only supervisors can see {what}.")


class _IsAnyOf(Func):
    """`value = ANY(array)`, as a condition (Django would bracket ANY(...) as a lookup's right side)."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


def skill_codes_of(skill_ids) -> ArraySubquery:
    """An expression: the codes, sorted, of the skills whose ids are in the array `skill_ids` (an
    expression such as OuterRef("skill_ids")), for annotating rows that carry a skill-id array."""
    return ArraySubquery(Skill.objects.filter(_IsAnyOf(F("pk"), skill_ids)).order_by("code").values("code"))


def _count_of(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (which filters on an OuterRef), 0 when there are none."""
    counted = queryset.order_by().values(group=Value(1)).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def staff_load_for(*, user) -> QuerySet[RoutingProfile]:
    """Every member of staff the router knows, for the supervisor view: the person, team, presence
    (and since when), load and capacity, and, annotated, `pending_offers` (offers waiting for
    their answer) and `accepted_cases` (dynamically routed cases they accepted and still hold).
    One query however many people there are.

    Who: supervisors and administrators. Raises PermissionDenied for anyone else.
    """
    _require_supervisor(user, "everyone's workload")
    pending = Offer.objects.filter(user=OuterRef("user_id"), status=Offer.Status.PENDING)
    accepted = CaseRouting.objects.filter(assignee=OuterRef("user_id"), state=CaseRouting.State.ACCEPTED)
    return RoutingProfile.objects.select_related("user").annotate(
        pending_offers=_count_of(pending), accepted_cases=_count_of(accepted)
    )


@dataclass(frozen=True)
class BacklogGroup:
    """Cases awaiting assignment that need the same set of skills."""

    skill_ids: list[int]
    skills: list[str]  # their codes, sorted
    cases: int
    urgent: int
    oldest_waiting_since: datetime.datetime


# The skill set as a canonical (sorted, de-duplicated) array, so {2,1} and {1,2} group together.
_SORTED_SKILL_SET = Func(
    F("skill_ids"),
    template="ARRAY(SELECT DISTINCT s FROM unnest(%(expressions)s) AS s ORDER BY s)",
    output_field=ArrayField(BigIntegerField()),
)


def backlog_by_skill_set_for(*, user) -> list[BacklogGroup]:
    """Cases awaiting assignment grouped by the skills they need: how many, how many urgent, and
    the longest wait; biggest group first. One GROUP BY query plus one to name the skills.

    Who: supervisors and administrators. Raises PermissionDenied for anyone else.
    """
    _require_supervisor(user, "the routing backlog")
    rows = list(
        CaseRouting.objects.filter(state=CaseRouting.State.AWAITING)
        .annotate(skill_set=_SORTED_SKILL_SET)
        .values("skill_set")
        .annotate(
            cases=Count("pk"),
            urgent=Count("pk", filter=Q(priority_rank=0)),
            oldest=Min("waiting_since"),
        )
        .order_by("-cases", "oldest")
    )
    wanted = {pk for row in rows for pk in row["skill_set"]}
    codes = dict(Skill.objects.filter(pk__in=wanted).values_list("pk", "code"))
    return [
        BacklogGroup(
            skill_ids=list(row["skill_set"]),
            skills=sorted(codes.get(pk, f"#{pk}") for pk in row["skill_set"]),
            cases=row["cases"],
            urgent=row["urgent"],
            oldest_waiting_since=row["oldest"],
        )
        for row in rows
    ]


class Why(TextChoices):
    """Why a case is where it is with the router (`RoutingExplanation.reason`)."""

    CLOSED = "closed", "Closed: not routed"
    NO_RULE = "no_rule", "No routing rule for its chevron"
    MANUALLY_ASSIGNED = "manually_assigned", "Assigned by hand"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    NOT_YET_ROUTED = "not_yet_routed", "Not picked up by the router yet"
    SKILLS_NOT_HELD = "skills_not_held", "No one holds some of the skills"
    SKILLS_NOT_HELD_TOGETHER = "skills_not_held_together", "No one holds all the skills together"
    NO_ONE_ELIGIBLE = "no_one_eligible", "Everyone who holds the skills is offline, busy, full or held back"
    ROUND_COMPLETE = "round_complete", "Everyone who could take it declined: the round starts again"
    ELIGIBLE = "eligible", "Someone can take it now"


@dataclass
class RoutingExplanation:
    """Why a case is where it is with the router. For a case that needs skills, the people who
    hold every one of them (`holders`) are split, each counted once and in this order, into
    offline, busy, full (load >= capacity), held back by the flood guard this minute, excluded
    (declined or let an offer lapse this round) and eligible (could be offered it now)."""

    case_id: int
    case_number: str
    status: str
    state: str
    routable: bool
    reason: str
    summary: str
    required_skills: list[str] = field(default_factory=list)
    missing_skills: list[str] = field(default_factory=list)
    holders: int = 0
    offline: int = 0
    busy: int = 0
    full: int = 0
    flood_guarded: int = 0
    excluded: int = 0
    eligible: int = 0
    round_complete: bool = False
    waiting_since: datetime.datetime | None = None
    person: User | None = None  # who holds it (accepted, manual) or is offered it
    offer_expires_at: datetime.datetime | None = None


def _name(user: User | None) -> str:
    if user is None:  # the row constraint says accepted and manual rows have an assignee
        return "someone"
    return user.get_full_name() or user.email


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _is_are(n: int) -> str:
    return "is" if n == 1 else "are"


def _count_holders(explanation: RoutingExplanation, skill_ids: list[int], excluded: list[int], now) -> dict:
    """Count the people holding every skill in `skill_ids` by why they can or cannot be offered the
    case now, in one aggregate query; fill the counts into `explanation` and return the figures."""
    limit = RoutingSettings.current().max_offers_per_minute
    available = Q(presence=RoutingProfile.Presence.AVAILABLE)
    full = available & Q(load__gte=F("capacity"))
    candidate = available & Q(load__lt=F("capacity"))
    flooded = Q(
        offer_window_start__gt=now - datetime.timedelta(seconds=60),
        offer_window_start__lte=now,
        offers_in_window__gte=limit,
    )
    declined = Q(user_id__in=excluded)
    figures = RoutingProfile.objects.filter(user__is_active=True, skill_ids__contains=skill_ids).aggregate(
        holders=Count("pk"),
        offline=Count("pk", filter=Q(presence=RoutingProfile.Presence.OFFLINE)),
        busy=Count("pk", filter=Q(presence=RoutingProfile.Presence.BUSY)),
        full=Count("pk", filter=full),
        full_load=Sum("load", filter=full),
        full_capacity=Sum("capacity", filter=full),
        flood_guarded=Count("pk", filter=candidate & flooded),
        excluded=Count("pk", filter=candidate & ~flooded & declined),
        candidates=Count("pk", filter=candidate),
        candidates_declined=Count("pk", filter=candidate & declined),
    )
    for name in ("holders", "offline", "busy", "full", "flood_guarded", "excluded"):
        setattr(explanation, name, figures[name])
    explanation.eligible = figures["candidates"] - figures["flood_guarded"] - figures["excluded"]
    # Rule 5: once everyone who could take it has declined or let it lapse, all are eligible again.
    explanation.round_complete = figures["candidates"] > 0 and figures["candidates_declined"] == figures["candidates"]
    return {**figures, "limit": limit}


def _holders_summary(explanation: RoutingExplanation, figures: dict) -> str:
    """The sentence for a case whose skills someone holds: how the holders split."""
    e = explanation
    parts = []
    if e.offline:
        parts.append(f"{e.offline} {_is_are(e.offline)} offline")
    if e.busy:
        parts.append(f"{e.busy} {_is_are(e.busy)} busy")
    if e.full == 1:
        parts.append(f"1 is full ({figures['full_load']} of {figures['full_capacity']})")
    elif e.full:
        parts.append(f"{e.full} are full")
    if e.flood_guarded:
        has = "has" if e.flood_guarded == 1 else "have"
        parts.append(f"{e.flood_guarded} {has} had {figures['limit']} offers in the last minute (the flood guard)")
    if e.excluded:
        parts.append(f"{e.excluded} declined it or let an offer lapse this round")
    if e.eligible:
        parts.append(f"{e.eligible} can take it now")
    who = "1 person holds" if e.holders == 1 else f"{e.holders} people hold"
    summary = f"{who} every skill needed: {_join(parts)}."
    if e.round_complete:
        return f"{summary} Everyone who could take it has declined it or let it lapse, so the round starts again."
    if e.eligible:
        return f"{summary} It will be offered on the next routing pass."
    return summary


def _skills_explanation(explanation: RoutingExplanation, routing: CaseRouting, now) -> None:
    """Fill in why a case waiting for skills `routing.skill_ids` has not been offered."""
    skill_ids = sorted(set(routing.skill_ids))
    codes = dict(Skill.objects.filter(pk__in=skill_ids).values_list("pk", "code"))
    explanation.required_skills = sorted(codes.get(pk, f"#{pk}") for pk in skill_ids)
    explanation.waiting_since = routing.waiting_since
    held = set(
        RoutingProfile.objects.filter(user__is_active=True, skill_ids__overlap=skill_ids)
        .order_by()
        .annotate(skill_id=Func(F("skill_ids"), function="unnest", output_field=BigIntegerField()))
        .values_list("skill_id", flat=True)
        .distinct()
    )
    explanation.missing_skills = sorted(codes.get(pk, f"#{pk}") for pk in skill_ids if pk not in held)
    if explanation.missing_skills:
        missing = explanation.missing_skills
        explanation.reason = Why.SKILLS_NOT_HELD
        explanation.summary = f"No one holds the {'skill' if len(missing) == 1 else 'skills'} {', '.join(missing)}."
        return
    figures = _count_holders(explanation, skill_ids, list(routing.excluded_user_ids), now)
    if explanation.holders == 0:
        explanation.reason = Why.SKILLS_NOT_HELD_TOGETHER
        explanation.summary = (
            f"No one holds all of the skills needed together ({', '.join(explanation.required_skills)})."
            if skill_ids
            else "No member of staff has a routing profile."
        )
        return
    if explanation.round_complete:
        explanation.reason = Why.ROUND_COMPLETE
    elif explanation.eligible:
        explanation.reason = Why.ELIGIBLE
    else:
        explanation.reason = Why.NO_ONE_ELIGIBLE
    explanation.summary = _holders_summary(explanation, figures)


def case_routing_explanation(*, user, case: Case, now: datetime.datetime | None = None) -> RoutingExplanation:
    """Why `case` is or is not offered to anyone, as figures and one sentence: not routable (closed,
    no routing rule for its chevron, manually assigned), offered or accepted (to whom), or, for a
    case awaiting assignment, who holds the skills it needs and why none of them can take it
    (offline, busy, full, flood guard, declined this round). `now` is the instant the flood guard
    is judged at (default: now).

    Who: any member of staff. Raises PermissionDenied for anyone else.
    """
    if not can_view_routing(user):
        raise errors.PermissionDenied("Only staff can see why a case is waiting.")
    now = now or timezone.now()
    routing = CaseRouting.objects.select_related("assignee").filter(case=case).first()
    state = routing.state if routing else CaseRouting.State.NOT_ROUTABLE
    chevron = Status(case.status).label if case.status in Status.values else case.status
    explanation = RoutingExplanation(
        case_id=case.pk,
        case_number=case.number,
        status=case.status,
        state=state,
        routable=False,
        reason="",
        summary="",
    )
    if case.status == Status.CLOSED:
        explanation.reason, explanation.summary = Why.CLOSED, "The case is closed: closed cases are not routed."
        return explanation
    if routing is not None and routing.state == CaseRouting.State.MANUAL:
        explanation.reason, explanation.person = Why.MANUALLY_ASSIGNED, routing.assignee
        explanation.summary = (
            f"Assigned by hand to {_name(routing.assignee)}: it stays out of routing until its status changes, "
            "it is released to the queue or it is reassigned."
        )
        return explanation
    has_rule = RoutingRule.objects.filter(case_type_id=case.case_type_id, status=case.status, is_active=True).exists()
    if not has_rule:
        explanation.reason = Why.NO_RULE
        explanation.summary = (
            f"The {chevron} chevron of {case.case_type.name} needs no one: there is no routing rule for it."
        )
        return explanation
    explanation.routable = True
    if routing is None or routing.status != case.status or routing.state == CaseRouting.State.NOT_ROUTABLE:
        explanation.reason = Why.NOT_YET_ROUTED
        explanation.summary = f"The {chevron} chevron is routed, but the router has not picked this case up yet."
        return explanation
    if routing.state == CaseRouting.State.ACCEPTED:
        explanation.reason, explanation.person = Why.ACCEPTED, routing.assignee
        explanation.summary = f"Accepted by {_name(routing.assignee)}."
        return explanation
    if routing.state == CaseRouting.State.OFFERED:
        offer = case.offers.filter(status=Offer.Status.PENDING).select_related("user").first()
        explanation.reason = Why.OFFERED
        if offer is not None:
            explanation.person, explanation.offer_expires_at = offer.user, offer.expires_at
            until = timezone.localtime(offer.expires_at)
            explanation.summary = f"Offered to {_name(offer.user)}, who has until {until:%H:%M} to accept."
        else:
            explanation.summary = "Offered; the offer is being answered."
        return explanation
    _skills_explanation(explanation, routing, now)
    return explanation
