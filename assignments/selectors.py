"""Reads of skills and routing profiles, with the permission rules applied."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from assignments.models import RoutingProfile, Skill
from assignments.permissions import can_view_routing


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
