"""Staff API for teams and their work queues: who is in each team, the open cases a queue owns,
and taking one of them. Every staff member may look; only the queue's team may take its cases
(casework.services.teams.queue_case_take decides)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.api.serializers import (
    ContactSummarySerializer,
    QueueSummarySerializer,
    TeamSummarySerializer,
    UserSummarySerializer,
)
from casework.models import Case, Queue, Team
from casework.selectors import cases as case_selectors
from casework.selectors import teams as team_selectors
from casework.services import teams as team_services

# --- serializers -----------------------------------------------------------------------------


class TeamSerializer(serializers.ModelSerializer):
    members = UserSummarySerializer(many=True, read_only=True)
    queues = QueueSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "code", "name", "email", "members", "queues"]
        read_only_fields = fields


class QueueSerializer(serializers.ModelSerializer):
    team = TeamSummarySerializer(read_only=True)
    open_cases = serializers.IntegerField(read_only=True, help_text="How many open cases the queue owns.")

    class Meta:
        model = Queue
        fields = ["id", "code", "name", "team", "open_cases"]
        read_only_fields = fields


class QueueCaseSerializer(serializers.ModelSerializer):
    """A case as a queue's worktray lists it."""

    case_type = serializers.CharField(source="case_type.name", read_only=True)
    contact = ContactSummarySerializer(read_only=True, allow_null=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    owner_queue = QueueSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "case_type",
            "workflow",
            "status",
            "priority",
            "contact",
            "owner",
            "owner_queue",
            "status_changed_at",
            "created_at",
        ]
        read_only_fields = fields


class QueueFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="team_id", help_text="Team id.")

    class Meta:
        model = Queue
        fields = ["team"]


# --- views -----------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary="List teams"), retrieve=extend_schema(summary="Get a team"))
class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TeamSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Team.objects.none()
        return team_selectors.team_list_for(user=self.request.user)


@extend_schema_view(list=extend_schema(summary="List work queues"), retrieve=extend_schema(summary="Get a work queue"))
class QueueViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = QueueSerializer
    filterset_class = QueueFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Queue.objects.none()
        return team_selectors.queue_list_for(user=self.request.user)

    @extend_schema(
        summary="List the open cases a queue owns",
        description="Urgent first, then the oldest. Every staff member may look.",
        filters=False,
        responses=QueueCaseSerializer(many=True),
    )
    @action(detail=True, methods=["get"], serializer_class=QueueCaseSerializer, filterset_class=None)
    def cases(self, request, pk=None):
        queue = self.get_object()
        page = self.paginate_queryset(team_selectors.queue_case_list_for(user=request.user, queue=queue))
        return self.get_paginated_response(QueueCaseSerializer(page, many=True).data)

    @extend_schema(
        summary="Take a case from the queue",
        description=(
            "The caller becomes the case's owner and the queue lets it go. Only members of the queue's team "
            "may take its cases (403); a case already owned by a person, closed, or no longer in this queue "
            "is refused (409)."
        ),
        parameters=[OpenApiParameter("case_id", int, OpenApiParameter.PATH, description="The case to take.")],
        filters=False,
        request=None,
        responses=QueueCaseSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"cases/(?P<case_id>[0-9]+)/take",
        serializer_class=QueueCaseSerializer,
        filterset_class=None,
    )
    def take(self, request, pk=None, case_id=None):
        queue = self.get_object()
        case = case_selectors.case_get(user=request.user, case_id=int(case_id))
        case = team_services.queue_case_take(actor=request.user, case=case, queue=queue)
        return Response(QueueCaseSerializer(case).data)


router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register("queues", QueueViewSet, basename="queue")
urlpatterns = router.urls
