"""Reads of case types and their request type/subtype picklists. Staff and applicants (whose
portal offers them) may read the active ones; anonymous visitors see none."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from casework.models import CaseType, RequestSubtype, RequestType


def case_type_list_for(*, user) -> QuerySet[CaseType]:
    """Active case types with their active request types and those types' active subtypes."""
    if not (user and user.is_authenticated and user.is_active):
        return CaseType.objects.none()
    subtypes = RequestSubtype.objects.filter(is_active=True).order_by("name")
    request_types = (
        RequestType.objects.filter(is_active=True).order_by("name").prefetch_related(Prefetch("subtypes", subtypes))
    )
    return CaseType.objects.filter(is_active=True).prefetch_related(Prefetch("request_types", request_types))
