"""Reads for routing as staff meet it: my presence and load, my offers, a case's routing state.
Staff only; anything else is NotFound (or an empty list)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from assignments.models import CaseRouting, Offer, RoutingProfile, Skill
from assignments.permissions import can_view_routing
from casework.models import Case
from casework.selectors.cases import case_get
from core import errors
from core.models import User


def routing_profile_get(*, user, staff_id: int) -> RoutingProfile:
    """The routing profile (presence, load, capacity) of member of staff `staff_id`, with the
    number of offers waiting for their answer. Raises NotFound for a non-staff `user`, an unknown
    person, or someone without a routing profile."""
    pending = Count("user__offers", filter=Q(user__offers__status=Offer.Status.PENDING))
    profiles = RoutingProfile.objects.select_related("user").annotate(offers_pending=pending)
    profile = profiles.filter(user_id=staff_id).first() if can_view_routing(user) else None
    if profile is None:
        whose = "You have" if staff_id == getattr(user, "pk", None) else "This person has"
        raise errors.NotFound(f"{whose} no routing profile yet; a supervisor sets one up first.")
    return profile


def staff_get(*, user, staff_id: int) -> User:
    """A member of staff, for a supervisor acting on their routing. Raises NotFound."""
    staff = User.objects.filter(pk=staff_id, kind=User.Kind.STAFF).first() if can_view_routing(user) else None
    if staff is None:
        raise errors.NotFound("There is no such member of staff.")
    return staff


def offer_list_for(*, user) -> QuerySet[Offer]:
    """The offers waiting for `user`'s answer (pending and not yet expired), the soonest to
    expire first, with each case, its type and its routing state loaded."""
    if not can_view_routing(user):
        return Offer.objects.none()
    return (
        Offer.objects.filter(user=user, status=Offer.Status.PENDING, expires_at__gt=timezone.now())
        .select_related("case__case_type", "case__routing")
        .order_by("expires_at", "pk")
    )


def offer_get_for(*, user, offer_id: int) -> Offer:
    """One of `user`'s own offers, whatever its status. Raises NotFound for anyone else's: staff
    cannot answer (or probe) their colleagues' offers."""
    offer = None
    if can_view_routing(user):
        offer = Offer.objects.select_related("case__case_type", "case__routing").filter(pk=offer_id, user=user).first()
    if offer is None:
        raise errors.NotFound("There is no such offer for you.")
    return offer


@dataclass(frozen=True)
class CaseRoutingView:
    """A case's routing state as staff see it."""

    case: Case
    routing: CaseRouting
    skills: list[str]
    offer: Offer | None

    @property
    def potential_owner(self) -> User | None:
        return self.offer.user if self.offer else None


def case_routing_get(*, user, case_id: int) -> CaseRoutingView:
    """Where case `case_id` stands with the router: its state, chevron, the skills it needs (codes),
    since when it has waited, its potential owner (the pending offer's person) and its assignee.
    A case the router has never seen reads as not routed. Raises NotFound (no such case, or
    `user` is not staff)."""
    if not can_view_routing(user):
        raise errors.NotFound("There is no such case.")
    case = case_get(user=user, case_id=case_id)
    routing = CaseRouting.objects.select_related("assignee").filter(pk=case.pk).first()
    if routing is None:
        routing = CaseRouting(case=case, status=case.status)
    skills = list(Skill.objects.filter(pk__in=routing.skill_ids).order_by("code").values_list("code", flat=True))
    offer = Offer.objects.select_related("user").filter(case=case, status=Offer.Status.PENDING).first()
    return CaseRoutingView(case=case, routing=routing, skills=skills, offer=offer)
