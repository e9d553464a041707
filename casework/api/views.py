"""Staff API for contacts, properties and tenancies. Thin: the selectors decide what the user
may see, the services make the few changes offered (linking an external key, verifying or
overriding a property's patch); these views only page, filter, parse and serialise. There is no
"create contact": applicants' contacts come from registrations and submissions."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from casework import selectors
from casework.api import filters, serializers
from casework.models import Contact, Property, Tenancy
from casework.selectors.people import property_patch_worklist_for
from casework.services import identity, regions

_REFUSED = OpenApiResponse(description='Refused: {"error": {"code", "message", "fields"}} says why.')


def validated(serializer_class, request) -> dict:
    """The request body checked by `serializer_class`; a 400 with per-field messages otherwise."""
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    return given.validated_data


def _search_parameter(description: str) -> OpenApiParameter:
    return OpenApiParameter("search", str, OpenApiParameter.QUERY, required=False, description=description)


@extend_schema_view(
    list=extend_schema(
        summary="List contacts",
        parameters=[_search_parameter("Words to find in first name, last name, reference or email (all must match).")],
    ),
    retrieve=extend_schema(summary="Get a contact"),
)
class ContactViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ContactSerializer
    filterset_class = filters.ContactFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contact.objects.none()
        return selectors.contact_list_for(user=self.request.user, search=self.request.query_params.get("search"))

    @extend_schema(
        summary="Link another system's key to a contact",
        description=(
            "Links e.g. the benefits system's tenant key, only when the contact is the head of their household, "
            "the other system's member is its head of household (relationship H), and the national ids match "
            "exactly. Otherwise 400 with the reason."
        ),
        request=serializers.ExternalKeyLinkSerializer,
        responses={201: serializers.ContactExternalKeySerializer, 400: _REFUSED, 403: _REFUSED, 404: _REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="external-keys", filterset_class=None)
    def link_external_key(self, request, pk=None):
        given = validated(serializers.ExternalKeyLinkSerializer, request)
        link = identity.contact_external_key_link(actor=request.user, contact=self.get_object(), **given)
        return Response(serializers.ContactExternalKeySerializer(link).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List properties",
        parameters=[_search_parameter("Words to find in the address lines, town or postcode (all must match).")],
    ),
    retrieve=extend_schema(summary="Get a property"),
)
class PropertyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.PropertySerializer
    filterset_class = filters.PropertyFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Property.objects.none()
        return selectors.property_list_for(user=self.request.user, search=self.request.query_params.get("search"))

    def _property_response(self, prop: Property) -> Response:
        fresh = selectors.property_list_for(user=self.request.user).get(pk=prop.pk)
        return Response(serializers.PropertySerializer(fresh).data)

    @extend_schema(
        summary='The "verify region" worklist',
        description="Properties whose postcode the region lookup does not cover, oldest first: each needs its "
        "patch set by a case manager, reviewer or supervisor (override-patch).",
    )
    @action(detail=False, methods=["get"], url_path="patch-worklist", filterset_class=None)
    def patch_worklist(self, request):
        page = self.paginate_queryset(property_patch_worklist_for(user=request.user))
        return self.get_paginated_response(serializers.PropertySerializer(page, many=True).data)

    @extend_schema(
        summary="Verify a property's looked-up patch",
        description="Confirms the patch the postcode lookup gave. Case managers, reviewers and supervisors only.",
        request=None,
        responses={200: serializers.PropertySerializer, 403: _REFUSED, 404: _REFUSED, 409: _REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="verify-patch", filterset_class=None)
    def verify_patch(self, request, pk=None):
        prop = regions.property_patch_verify(actor=request.user, property=self.get_object())
        return self._property_response(prop)

    @extend_schema(
        summary="Override a property's patch, with a reason",
        description="Sets the patch by hand, e.g. when the lookup does not cover the postcode. "
        "Case managers, reviewers and supervisors only; the reason is required.",
        request=serializers.PatchOverrideSerializer,
        responses={200: serializers.PropertySerializer, 400: _REFUSED, 403: _REFUSED, 404: _REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="override-patch", filterset_class=None)
    def override_patch(self, request, pk=None):
        given = validated(serializers.PatchOverrideSerializer, request)
        prop = regions.property_patch_override(actor=request.user, property=self.get_object(), **given)
        return self._property_response(prop)


@extend_schema_view(
    list=extend_schema(summary="List tenancies"),
    retrieve=extend_schema(summary="Get a tenancy"),
)
class TenancyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.TenancySerializer
    filterset_class = filters.TenancyFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Tenancy.objects.none()
        return selectors.tenancy_list_for(user=self.request.user)
