"""Case types with their request type and subtype picklists. Readable by staff and by applicants
(the portal offers the picklists when they apply); changed only by supervisors, in the admin."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import SimpleRouter

from casework.models import CaseType, RequestType
from casework.selectors import case_types as case_type_selectors


class PicklistEntrySerializer(serializers.Serializer):
    """One entry of a picklist (a request subtype, a referral reason or subtype)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class RequestTypeSerializer(serializers.ModelSerializer):
    subtypes = PicklistEntrySerializer(many=True, read_only=True, help_text="Active subtypes only.")

    class Meta:
        model = RequestType
        fields = ["id", "name", "subtypes"]
        read_only_fields = fields


class CaseTypeSerializer(serializers.ModelSerializer):
    request_types = RequestTypeSerializer(many=True, read_only=True, help_text="Active request types only.")

    class Meta:
        model = CaseType
        fields = ["id", "code", "name", "workflow", "number_prefix", "description", "request_types"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="List case types",
        description="Active case types with their request type/subtype picklists. Staff and applicants may read.",
    ),
    retrieve=extend_schema(summary="Get a case type"),
)
class CaseTypeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CaseTypeSerializer
    # Applicants read these too; the selector still refuses anonymous and inactive users.
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CaseType.objects.none()
        return case_type_selectors.case_type_list_for(user=self.request.user)


router = SimpleRouter()
router.register("case-types", CaseTypeViewSet, basename="case-type")
urlpatterns = router.urls
