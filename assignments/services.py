"""Writes for skills and routing profiles. Every function is one transaction, checks who is
acting, and runs under an audit context (actor None means the system: demo data, jobs)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assignments.models import RoutingProfile, RoutingProfileSkill, Skill
from assignments.permissions import can_manage_routing, can_set_presence
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
    return profile
