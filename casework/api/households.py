"""Adding a household member to a case: the one place staff create a contact by hand."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.api import serializers
from casework.api.views import validated
from casework.selectors.cases import case_get
from casework.services import people

_REFUSED = OpenApiResponse(description='Refused: {"error": {"code", "message", "fields"}} says why.')


class CaseHouseholdMemberView(APIView):
    @extend_schema(
        summary="Add a household member to a case",
        description=(
            "Creates the person's contact record and adds them to the household of the case's tenancy, instead of "
            "sending the application back to draft. Refused (400) when the case has no tenancy, for relationship "
            '"head" (a household has one head), or for a person already in the household; 409 on a closed case.'
        ),
        request=serializers.HouseholdMemberAddSerializer,
        responses={
            201: serializers.HouseholdMemberSerializer,
            400: _REFUSED,
            403: _REFUSED,
            404: _REFUSED,
            409: _REFUSED,
        },
    )
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        given = validated(serializers.HouseholdMemberAddSerializer, request)
        member = people.case_household_member_add(actor=request.user, case=case, **given)
        return Response(serializers.HouseholdMemberSerializer(member).data, status=status.HTTP_201_CREATED)
