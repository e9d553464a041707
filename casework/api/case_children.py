"""The shape shared by the lists that hang off a case (documents, appointments, organisations):
GET reads through a selector that applies the case's visibility rules, POST validates the input
and calls one service with the case. Subclasses say which selector, which service and which
serializers, and document themselves with extend_schema_view."""

from __future__ import annotations

from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from casework.selectors.cases import case_get


class CaseChildrenView(GenericAPIView):
    input_serializer_class: type | None = None

    def get_queryset(self):
        return self.serializer_class.Meta.model.objects.none()  # reads go through list_for

    def list_for(self, request, case_id: int):
        """The rows on the case that request.user may see (a selector call)."""
        raise NotImplementedError

    def create(self, request, case, **validated):
        """Add one row to the case (a service call); returns it."""
        raise NotImplementedError

    def serialize(self, request, rows, *, many: bool = False):
        return self.serializer_class(rows, many=many).data

    def get(self, request, case_id: int):
        page = self.paginate_queryset(self.list_for(request, case_id))
        return self.get_paginated_response(self.serialize(request, page, many=True))

    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        data = self.input_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        created = self.create(request, case, **data.validated_data)
        return Response(self.serializer_class(created).data, status=status.HTTP_201_CREATED)
