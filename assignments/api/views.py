"""Read-only staff API for skills and routing profiles; the selectors decide visibility."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from assignments import selectors
from assignments.api import filters, serializers
from assignments.models import RoutingProfile, Skill


@extend_schema_view(list=extend_schema(summary="List skills"), retrieve=extend_schema(summary="Get a skill"))
class SkillViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.SkillSerializer
    filterset_class = filters.SkillFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Skill.objects.none()
        return selectors.skill_list_for(user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="List routing profiles"),
    retrieve=extend_schema(summary="Get a routing profile"),
)
class RoutingProfileViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.RoutingProfileSerializer
    filterset_class = filters.RoutingProfileFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RoutingProfile.objects.none()
        return selectors.routing_profiles_for(user=self.request.user)
