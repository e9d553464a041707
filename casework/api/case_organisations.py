"""The organisations involved in a case and their roles (staff only)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from casework.api.case_children import CaseChildrenView
from casework.api.serializers import OrganisationSummarySerializer
from casework.models import CaseOrganisation, Organisation
from casework.selectors.case_organisations import case_organisation_get, case_organisation_list_for
from casework.services import case_organisations as case_organisation_services


class CaseOrganisationSerializer(serializers.ModelSerializer):
    organisation = OrganisationSummarySerializer(read_only=True)

    class Meta:
        model = CaseOrganisation
        fields = ["id", "case", "organisation", "role", "created_at"]
        read_only_fields = fields


class CaseOrganisationInputSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    role = serializers.ChoiceField(choices=CaseOrganisation.Role.choices)


@extend_schema_view(
    get=extend_schema(summary="List the organisations on a case", responses=CaseOrganisationSerializer(many=True)),
    post=extend_schema(
        summary="Add an organisation to a case in a role",
        description="An organisation has each role on a case once; adding it again in that role is refused (400).",
        request=CaseOrganisationInputSerializer,
        responses={201: CaseOrganisationSerializer},
    ),
)
class CaseOrganisationsView(CaseChildrenView):
    """The organisations on a case, by role; add one in a role."""

    serializer_class = CaseOrganisationSerializer
    input_serializer_class = CaseOrganisationInputSerializer

    def list_for(self, request, case_id: int):
        return case_organisation_list_for(user=request.user, case_id=case_id)

    def create(self, request, case, **validated):
        return case_organisation_services.case_organisation_add(actor=request.user, case=case, **validated)


class CaseOrganisationDetailView(GenericAPIView):
    serializer_class = CaseOrganisationSerializer

    def get_queryset(self):
        return CaseOrganisation.objects.none()

    @extend_schema(summary="Take an organisation's role off a case", responses={204: None})
    def delete(self, request, case_id: int, link_id: int):
        link = case_organisation_get(user=request.user, case_id=case_id, link_id=link_id)
        case_organisation_services.case_organisation_remove(actor=request.user, link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("cases/<int:case_id>/organisations/", CaseOrganisationsView.as_view(), name="case-organisations"),
    path(
        "cases/<int:case_id>/organisations/<int:link_id>/",
        CaseOrganisationDetailView.as_view(),
        name="case-organisation-detail",
    ),
]
