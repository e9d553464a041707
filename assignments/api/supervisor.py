"""The supervisor view's data (each person's load, the backlog by skill set), why a case is waiting,
the decline reasons and the router's settings. Staff only; the selectors and services decide the
rest (the load and the backlog are for supervisors, as is changing the settings)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assignments import config, selectors
from assignments.api.filters import RoutingProfileFilter
from assignments.api.serializers import StaffSummarySerializer
from assignments.models import DeclineReason, RoutingProfile, RoutingSettings
from casework.selectors.cases import case_get

_REFUSED = OpenApiResponse(description='Refused: {"error": {"code", "message", "fields"}} says why.')

# --- serializers ----------------------------------------------------------------------------------


class StaffLoadSerializer(serializers.ModelSerializer):
    user = StaffSummarySerializer(read_only=True)
    pending_offers = serializers.IntegerField(read_only=True, help_text="Offers waiting for their answer.")
    accepted_cases = serializers.IntegerField(
        read_only=True, help_text="Dynamically routed cases they accepted and still hold on the same chevron."
    )
    is_full = serializers.SerializerMethodField(help_text="Load has reached capacity: no new offers.")

    class Meta:
        model = RoutingProfile
        fields = [
            "id",
            "user",
            "team",
            "presence",
            "presence_changed_at",
            "load",
            "capacity",
            "is_full",
            "pending_offers",
            "accepted_cases",
            "last_offered_at",
        ]
        read_only_fields = fields

    def get_is_full(self, profile: RoutingProfile) -> bool:
        return profile.load >= profile.capacity


class BacklogGroupSerializer(serializers.Serializer):
    skills = serializers.ListField(child=serializers.CharField(), help_text="Skill codes, sorted.")
    skill_ids = serializers.ListField(child=serializers.IntegerField())
    cases = serializers.IntegerField(help_text="Cases awaiting assignment that need exactly these skills.")
    urgent = serializers.IntegerField(help_text="How many of them are urgent.")
    oldest_waiting_since = serializers.DateTimeField(help_text="When the longest-waiting of them became routable.")


class RoutingExplanationSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    status = serializers.CharField(help_text="The case's chevron.")
    state = serializers.CharField(help_text="not_routable, awaiting, offered, accepted or manual.")
    routable = serializers.BooleanField(help_text="Its chevron has a routing rule and it is not assigned by hand.")
    reason = serializers.ChoiceField(choices=selectors.Why.choices)
    summary = serializers.CharField(help_text="One sentence for people.")
    required_skills = serializers.ListField(child=serializers.CharField())
    missing_skills = serializers.ListField(child=serializers.CharField(), help_text="Needed, but held by no one.")
    holders = serializers.IntegerField(help_text="People holding every skill needed; split into the counts below.")
    offline = serializers.IntegerField()
    busy = serializers.IntegerField()
    full = serializers.IntegerField(help_text="Available, but load has reached capacity.")
    flood_guarded = serializers.IntegerField(help_text="Available, but had the most offers allowed this minute.")
    excluded = serializers.IntegerField(help_text="Available, but declined or let an offer lapse this round.")
    eligible = serializers.IntegerField(help_text="Could be offered it now.")
    round_complete = serializers.BooleanField(
        help_text="Everyone who could take it declined or let it lapse: the round starts again."
    )
    waiting_since = serializers.DateTimeField(allow_null=True)
    person = StaffSummarySerializer(allow_null=True, help_text="Who holds it or is offered it.")
    offer_expires_at = serializers.DateTimeField(allow_null=True)


class DeclineReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeclineReason
        fields = ["id", "code", "label"]
        read_only_fields = fields


class RoutingSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoutingSettings
        fields = ["offer_timeout_minutes", "max_offers_per_minute"]
        read_only_fields = fields


class RoutingSettingsChangeSerializer(serializers.Serializer):
    offer_timeout_minutes = serializers.IntegerField(required=False, help_text="1 to 1440.")
    max_offers_per_minute = serializers.IntegerField(required=False, help_text="1 to 1000.")


# --- views ---------------------------------------------------------------------------------------


@extend_schema(
    summary="Everyone's workload (supervisors)",
    description="Each person's presence, load and capacity, pending offers and accepted cases. Supervisors only.",
    responses={200: StaffLoadSerializer(many=True), 403: _REFUSED},
)
class StaffLoadView(generics.ListAPIView):
    serializer_class = StaffLoadSerializer
    filterset_class = RoutingProfileFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RoutingProfile.objects.none()
        return selectors.staff_load_for(user=self.request.user)


@extend_schema(
    summary="Backlog by skill set (supervisors)",
    description="Cases awaiting assignment grouped by the skills they need, biggest group first. Supervisors only.",
    responses={200: BacklogGroupSerializer(many=True), 403: _REFUSED},
)
class BacklogView(generics.ListAPIView):
    serializer_class = BacklogGroupSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return []
        return selectors.backlog_by_skill_set_for(user=self.request.user)


class CaseRoutingExplanationView(APIView):
    @extend_schema(
        summary="Why a case is (not) offered",
        description="Any member of staff may ask why a case is waiting: the figures and one sentence.",
        responses={200: RoutingExplanationSerializer, 403: _REFUSED, 404: _REFUSED},
    )
    def get(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        explanation = selectors.case_routing_explanation(user=request.user, case=case)
        return Response(RoutingExplanationSerializer(explanation).data)


@extend_schema(
    summary="Reasons for declining an offer",
    description="The active reasons staff may give when they decline an offer.",
    responses={200: DeclineReasonSerializer(many=True), 403: _REFUSED},
)
class DeclineReasonListView(generics.ListAPIView):
    serializer_class = DeclineReasonSerializer
    pagination_class = None  # a short picklist
    filter_backends: list = []

    def get_queryset(self):
        return selectors.decline_reasons_for(user=self.request.user)


class RoutingSettingsView(APIView):
    @extend_schema(
        summary="The router's settings",
        responses={200: RoutingSettingsSerializer, 403: _REFUSED},
    )
    def get(self, request):
        return Response(RoutingSettingsSerializer(selectors.routing_settings_for(user=request.user)).data)

    @extend_schema(
        summary="Change the router's settings (supervisors)",
        description="Offer timeout 1-1440 minutes; flood guard 1-1000 new offers per person per minute.",
        request=RoutingSettingsChangeSerializer,
        responses={200: RoutingSettingsSerializer, 400: _REFUSED, 403: _REFUSED},
    )
    def patch(self, request):
        given = RoutingSettingsChangeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        current = selectors.routing_settings_for(user=request.user)
        changed = config.routing_settings_update(
            actor=request.user,
            offer_timeout_minutes=given.validated_data.get("offer_timeout_minutes", current.offer_timeout_minutes),
            max_offers_per_minute=given.validated_data.get("max_offers_per_minute", current.max_offers_per_minute),
        )
        return Response(RoutingSettingsSerializer(changed).data)


urlpatterns = [
    path("routing/staff/", StaffLoadView.as_view(), name="routing-staff"),
    path("routing/backlog/", BacklogView.as_view(), name="routing-backlog"),
    path(
        "routing/cases/<int:case_id>/explanation/",
        CaseRoutingExplanationView.as_view(),
        name="routing-case-explanation",
    ),
    path("routing/decline-reasons/", DeclineReasonListView.as_view(), name="routing-decline-reasons"),
    path("routing/settings/", RoutingSettingsView.as_view(), name="routing-settings"),
]
