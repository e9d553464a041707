"""Read-only staff API for contacts, properties and tenancies. Thin: the selectors decide what
the user may see; these views only page, filter and serialise."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from casework import selectors
from casework.api import filters, serializers
from casework.models import Contact, Property, Tenancy


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
