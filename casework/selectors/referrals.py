"""Reads of referrals and the referral picklists, with the permission rules applied: referrals
are internal to the staff (every staff member sees them all; applicants none)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from casework.models import Case, Referral, ReferralReason, ReferralSubtype, Team
from casework.permissions import can_view_people_and_places
from core import errors

WORKTRAY_STATUSES = (Referral.Status.OPEN, Referral.Status.ACCEPTED)


def referral_list_for(
    *, user, case: Case | None = None, team: Team | None = None, statuses: list[str] | None = None
) -> QuerySet[Referral]:
    """Referrals `user` may see, newest first, optionally only `case`'s, `team`'s or those in
    `statuses`, with what a list shows loaded."""
    if not can_view_people_and_places(user):
        return Referral.objects.none()
    referrals = Referral.objects.select_related(
        "case", "team", "reason", "subtype", "created_by", "accepted_by", "completed_by"
    )
    if case is not None:
        referrals = referrals.filter(case=case)
    if team is not None:
        referrals = referrals.filter(team=team)
    if statuses:
        referrals = referrals.filter(status__in=statuses)
    return referrals


def referral_get(*, user, referral_id: int) -> Referral:
    """The referral, if `user` may see it. Raises NotFound otherwise."""
    referral = referral_list_for(user=user).filter(pk=referral_id).first()
    if referral is None:
        raise errors.NotFound("There is no such referral.")
    return referral


def referral_worktray_for(*, user, team: Team) -> QuerySet[Referral]:
    """`team`'s referrals still to do (open, then accepted), oldest first: the team's worktray."""
    return (
        referral_list_for(user=user, team=team, statuses=list(WORKTRAY_STATUSES)).order_by(
            "-status", "created_at", "pk"
        )  # "open" > "accepted": open ones first
    )


def referral_reason_list_for(*, user, team: Team | None = None) -> QuerySet[ReferralReason]:
    """The active referral reasons (of `team`, if given) with their active subtypes, for the
    referral form's picklists; none for anyone who is not staff."""
    if not can_view_people_and_places(user):
        return ReferralReason.objects.none()
    subtypes = ReferralSubtype.objects.filter(is_active=True).order_by("name")
    reasons = (
        ReferralReason.objects.filter(is_active=True)
        .select_related("team")
        .prefetch_related(Prefetch("subtypes", queryset=subtypes))
        .order_by("team__name", "name")
    )
    return reasons.filter(team=team) if team is not None else reasons
