"""Staff API for referrals: a case's referrals and referring it to a team, every team's
referrals (their worktray with ?team=&status=), accepting and completing one, and the referral
reason/subtype picklists. Thin: selectors load, services decide."""

from __future__ import annotations

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.api.case_types import PicklistEntrySerializer
from casework.api.serializers import CaseReferenceSerializer, TeamSummarySerializer, UserSummarySerializer
from casework.models import Case, Queue, Referral, ReferralReason, ReferralSubtype, Team
from casework.selectors import cases as case_selectors
from casework.selectors import referrals as referral_selectors
from casework.services import referrals as referral_services

# --- serializers -----------------------------------------------------------------------------


class ReferralReasonSerializer(serializers.ModelSerializer):
    team = TeamSummarySerializer(read_only=True)
    subtypes = PicklistEntrySerializer(many=True, read_only=True, help_text="The reason's active subtypes.")

    class Meta:
        model = ReferralReason
        fields = ["id", "name", "team", "subtypes"]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer):
    case = CaseReferenceSerializer(read_only=True)
    team = TeamSummarySerializer(read_only=True)
    reason = PicklistEntrySerializer(read_only=True)
    subtype = PicklistEntrySerializer(read_only=True, allow_null=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    accepted_by = UserSummarySerializer(read_only=True, allow_null=True)
    completed_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "team",
            "reason",
            "subtype",
            "comments",
            "status",
            "created_at",
            "created_by",
            "accepted_at",
            "accepted_by",
            "completed_at",
            "completed_by",
        ]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), help_text="The team to refer the case to.")
    reason = serializers.PrimaryKeyRelatedField(
        queryset=ReferralReason.objects.all(), help_text="One of the team's active referral reasons."
    )
    subtype = serializers.PrimaryKeyRelatedField(
        queryset=ReferralSubtype.objects.all(),
        required=False,
        allow_null=True,
        help_text="One of the reason's active subtypes.",
    )
    comments = serializers.CharField(allow_blank=True, help_text="What the team needs to do.")
    to_queue = serializers.PrimaryKeyRelatedField(
        queryset=Queue.objects.all(),
        required=False,
        allow_null=True,
        help_text="One of the team's queues: the case's owner becomes that queue (e.g. the back-office queue).",
    )


class ReferralCompleteSerializer(serializers.Serializer):
    comments = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="What was done (kept on the case's feed)."
    )


class ReferralFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="team_id", help_text="Team id.")
    case = django_filters.NumberFilter(field_name="case_id", help_text="Case id.")
    status = django_filters.MultipleChoiceFilter(choices=Referral.Status.choices, help_text="Repeat for several.")

    class Meta:
        model = Referral
        fields = ["team", "case", "status"]


class ReferralReasonFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="team_id", help_text="Team id.")

    class Meta:
        model = ReferralReason
        fields = ["team"]


# --- views -----------------------------------------------------------------------------------


class CaseReferralListCreateView(generics.ListCreateAPIView):
    """/cases/{case_id}/referrals/"""

    serializer_class = ReferralSerializer
    filter_backends: list = []

    def _case(self) -> Case:
        return case_selectors.case_get(user=self.request.user, case_id=self.kwargs["case_id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        return referral_selectors.referral_list_for(user=self.request.user, case=self._case())

    @extend_schema(summary="List a case's referrals")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Refer a case to a team",
        description=(
            "The team's members are notified. With `to_queue`, the case's owner becomes that queue. "
            "A reason of another team, a subtype of another reason, a retired picklist entry or missing "
            "comments are refused (400); a closed case or a duplicate live referral (409)."
        ),
        request=ReferralCreateSerializer,
        responses={201: ReferralSerializer},
    )
    def post(self, request, *args, **kwargs):
        case = self._case()
        data = ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = referral_services.referral_create(actor=request.user, case=case, **data.validated_data)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List referrals", description="A team's worktray: ?team=<id>&status=open&status=accepted"
    ),
    retrieve=extend_schema(summary="Get a referral"),
)
class ReferralViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Referral.objects.none()
        return referral_selectors.referral_list_for(user=self.request.user)

    @extend_schema(
        summary="Accept a referral",
        description="For members of the referral's team: open → accepted (409 otherwise).",
        filters=False,
        request=None,
        responses=ReferralSerializer,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def accept(self, request, pk=None):
        referral = referral_services.referral_accept(actor=request.user, referral=self.get_object())
        return Response(ReferralSerializer(referral).data)

    @extend_schema(
        summary="Complete a referral",
        description="For members of the referral's team: accepted → completed (409 otherwise).",
        filters=False,
        request=ReferralCompleteSerializer,
        responses=ReferralSerializer,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def complete(self, request, pk=None):
        data = ReferralCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        referral = referral_services.referral_complete(
            actor=request.user, referral=self.get_object(), comments=data.validated_data["comments"]
        )
        return Response(ReferralSerializer(referral).data)


@extend_schema_view(
    list=extend_schema(summary="List referral reasons", description="Active reasons with their active subtypes."),
    retrieve=extend_schema(summary="Get a referral reason"),
)
class ReferralReasonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ReferralReasonSerializer
    filterset_class = ReferralReasonFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReferralReason.objects.none()
        return referral_selectors.referral_reason_list_for(user=self.request.user)


router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")
router.register("referral-reasons", ReferralReasonViewSet, basename="referral-reason")
urlpatterns = [
    path("cases/<int:case_id>/referrals/", CaseReferralListCreateView.as_view(), name="case-referral-list"),
    *router.urls,
]
