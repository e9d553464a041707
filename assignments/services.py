"""Writes for skills and routing profiles. Every function is one transaction, checks who is
acting, and runs under an audit context (actor None means the system: demo data, jobs)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assignments import routing
from assignments.models import CaseRouting, DeclineReason, Offer, RoutingProfile, RoutingProfileSkill, Skill
from assignments.permissions import can_manage_routing, can_set_presence
from casework.models import Case, CaseActivity
from casework.services import cases as case_services
from casework.services.common import lock_case
from casework.services.feed import feed_record
from core import errors
from core.audit import audited
from core.models import User


@transaction.atomic
def skill_create(*, actor: User | None, code: str, name: str, category: str, description: str = "") -> Skill:
    """Define a skill. Who: supervisors and administrators (or the system).
    Raises PermissionDenied, or ValidationError for a malformed or taken code, a blank name or an
    unknown category."""
    if actor is not None and not can_manage_routing(actor):
        raise errors.PermissionDenied("Only supervisors can define skills.")
    code = (code or "").strip().lower()
    skill = Skill(code=code, name=(name or "").strip(), category=category, description=(description or "").strip())
    skill.stamp(actor)
    try:
        skill.full_clean(exclude=["created_by", "updated_by"])
    except DjangoValidationError as error:
        raise errors.ValidationError(fields={k: list(v) for k, v in error.message_dict.items()}) from error
    try:
        with audited(actor=actor, action="skill_create"), transaction.atomic():
            skill.save()
    except IntegrityError as error:  # someone created the same code since the check above
        raise errors.ValidationError(fields={"code": ["A skill with this code already exists."]}) from error
    return skill


@transaction.atomic
def routing_profile_set(
    *, actor: User | None, user: User, skills: Iterable[Skill], capacity: int, team: str
) -> RoutingProfile:
    """Give a member of staff exactly these skills, this capacity and team, creating their
    routing profile if they have none (presence starts offline). Granting and revoking skills
    are audited one by one (skill.granted, skill.revoked).

    Who: supervisors and administrators (or the system).
    Raises PermissionDenied for anyone else; ValidationError for an applicant account, a
    capacity outside 1-1000, or granting an inactive skill.
    """
    if actor is not None and not can_manage_routing(actor):
        raise errors.PermissionDenied("Only supervisors can change routing profiles.")
    user = User.objects.select_for_update().get(pk=user.pk)
    wanted = {skill.pk: skill for skill in skills}
    field_errors: dict[str, list[str]] = {}
    if user.kind != User.Kind.STAFF:
        field_errors["user"] = ["Applicant accounts cannot have a routing profile."]
    if (
        isinstance(capacity, bool)
        or not isinstance(capacity, int)
        or not (RoutingProfile.MIN_CAPACITY <= capacity <= RoutingProfile.MAX_CAPACITY)
    ):
        field_errors["capacity"] = [
            f"Capacity must be a whole number from {RoutingProfile.MIN_CAPACITY} to {RoutingProfile.MAX_CAPACITY}."
        ]
    profile = RoutingProfile.objects.select_for_update().filter(user=user).first()
    held = set(profile.skill_grants.values_list("skill_id", flat=True)) if profile else set()
    inactive = sorted(s.code for pk, s in wanted.items() if pk not in held and not s.is_active)
    if inactive:
        field_errors["skills"] = [f"Inactive skills cannot be granted: {', '.join(inactive)}."]
    if field_errors:
        raise errors.ValidationError(fields=field_errors)

    granted = sorted(wanted.keys() - held)
    revoked = sorted(held - wanted.keys())
    with audited(
        actor=actor,
        action="routing_profile_set",
        granted=sorted(wanted[pk].code for pk in granted),
        revoked=sorted(Skill.objects.filter(pk__in=revoked).values_list("code", flat=True)),
    ):
        if profile is None:
            profile = RoutingProfile(user=user)
        profile.capacity = capacity
        profile.team = (team or "").strip()
        # The router matches on this copy (one indexed array test instead of a join per skill).
        profile.skill_ids = sorted(wanted)
        profile.stamp(actor)
        profile.save()
        if revoked:
            # One statement, but the audit trigger fires per row: one skill.revoked event each.
            RoutingProfileSkill.objects.filter(profile=profile, skill_id__in=revoked).delete()
        RoutingProfileSkill.objects.bulk_create(RoutingProfileSkill(profile=profile, skill_id=pk) for pk in granted)
        if profile.presence == RoutingProfile.Presence.AVAILABLE:
            routing.route_after(now=timezone.now(), freed_user_ids=[user.pk])  # more capacity or skills: more work
    return profile


@transaction.atomic
def presence_set(*, actor: User | None, user: User, presence: str) -> RoutingProfile:
    """Set a member of staff's presence (available, busy, offline). Setting the presence they
    already have changes nothing.

    Who: the member of staff themselves; supervisors and administrators for anyone (or the system).
    Raises PermissionDenied for anyone else; ValidationError for an unknown presence or a user
    without a routing profile.
    """
    if actor is not None and not can_set_presence(actor, user):
        raise errors.PermissionDenied("You can only change your own presence.")
    if presence not in RoutingProfile.Presence.values:
        raise errors.ValidationError(
            fields={"presence": [f"{presence!r} is not a presence: use available, busy or offline."]}
        )
    profile = RoutingProfile.objects.select_for_update().filter(user_id=user.pk).first()
    if profile is None:
        raise errors.ValidationError(
            fields={"user": ["This person has no routing profile yet; a supervisor sets one up first."]}
        )
    if profile.presence == presence:
        return profile
    with audited(actor=actor, action="presence_set", presence=presence):
        profile.presence = presence
        profile.presence_changed_at = timezone.now()
        profile.stamp(actor)
        profile.save(update_fields=["presence", "presence_changed_at", "updated_at", "updated_by"])
        now = profile.presence_changed_at
        if presence == RoutingProfile.Presence.OFFLINE:
            # Pending offers go to others; accepted cases stay (rule 7). Busy keeps its offers.
            routing.route_after(now=now, case_ids=routing.offers_withdraw_for(user.pk, now=now))
        elif presence == RoutingProfile.Presence.AVAILABLE:
            routing.route_after(now=now, freed_user_ids=[user.pk])
    return profile


# --- routing: what staff and supervisors do ---------------------------------------------------------


def _lock_offer(actor: User, offer: Offer) -> Offer:
    case_id = Offer.objects.filter(pk=offer.pk, user_id=actor.pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise errors.NotFound("There is no such offer for you.")
    # One lock order for every change to a routed case: the case, its routing row, then the offer
    # (a manual assignment takes them in that order through casework). Taking the offer first
    # would deadlock against a supervisor assigning the case at the same moment.
    lock_case(offer.case)
    list(CaseRouting.objects.select_for_update().filter(pk=case_id).values_list("pk", flat=True))
    locked = Offer.objects.select_for_update(of=("self",)).select_related("case").get(pk=offer.pk)
    if locked.status != Offer.Status.PENDING:
        raise errors.Conflict(f"This offer is no longer open: it was {locked.get_status_display().lower()}.")
    return locked


@transaction.atomic
def offer_accept(*, actor: User, offer: Offer) -> Offer:
    """Accept an offer: the case becomes yours. Who: the person it was offered to.
    Raises NotFound (not your offer), Conflict (no longer open, or expired)."""
    now = timezone.now()
    offer = _lock_offer(actor, offer)
    if offer.expires_at <= now:
        raise errors.Conflict(
            f"This offer expired at {timezone.localtime(offer.expires_at):%H:%M} and is going to someone else."
        )
    with audited(actor=actor, action="offer_accept", case=offer.case.number):
        routing.offer_accepted(offer, now=now)
        token = routing.routing_write.set(True)
        try:
            case_services.case_owner_set(actor=actor, case=offer.case, owner=actor, reason="Accepted a routed offer")
        finally:
            routing.routing_write.reset(token)
    offer.refresh_from_db()
    return offer


@transaction.atomic
def offer_decline(*, actor: User, offer: Offer, reason: DeclineReason | None = None, note: str = "") -> Offer:
    """Decline an offer, optionally with a reason from the configured list. The case goes to the
    next eligible person and is not offered to you again this round.
    Who: the person it was offered to. Raises NotFound, Conflict, ValidationError."""
    now = timezone.now()
    if reason is not None and not reason.is_active:
        raise errors.ValidationError(fields={"reason": [f"“{reason}” is no longer a reason you can give."]})
    offer = _lock_offer(actor, offer)
    with audited(actor=actor, action="offer_decline", case=offer.case.number):
        Offer.objects.filter(pk=offer.pk).update(decline_reason=reason, note=(note or "").strip()[:500])
        routing.offer_ended(offer, Offer.Status.DECLINED, now=now)
        # On the case's timeline too: who turned it down and why is part of its history.
        feed_record(
            case=offer.case,
            kind=CaseActivity.Kind.OWNER_CHANGED,
            actor=actor,
            summary=f"Offer declined by {actor}" + (f": {reason}" if reason else ""),
            reason=(note or "").strip(),
        )
        routing.route_after(now=now, case_ids=[offer.case_id], freed_user_ids=[actor.pk])
    offer.refresh_from_db()
    return offer


@transaction.atomic
def case_assign(*, actor: User | None, case: Case, user: User, reason: str = "") -> Case:
    """Give a case to someone by hand. It leaves dynamic routing until its chevron changes or it
    is released; the person going offline does not undo it. Who: supervisors (team leads).
    Raises PermissionDenied, ValidationError, Conflict."""
    if actor is not None and not can_manage_routing(actor):
        raise errors.PermissionDenied("Only supervisors can assign cases by hand.")
    return case_services.case_owner_set(actor=actor, case=case, owner=user, reason=reason)


@transaction.atomic
def case_release(*, actor: User | None, case: Case, reason: str = "") -> Case:
    """Release a case to the queue: nobody owns it and routing offers it again.
    Who: its owner, or a supervisor. Raises PermissionDenied, Conflict."""
    # Who owns it is read under the lock: a stale copy must not let a former owner release it.
    case = lock_case(case)
    if actor is not None and not (can_manage_routing(actor) or case.owner_id == actor.pk):
        raise errors.PermissionDenied("Only the case's owner or a supervisor can release it.")
    return case_services.case_owner_release(actor=actor, case=case, reason=reason)
