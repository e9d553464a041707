"""Reads of the documents asked for on a case, with the case's visibility rules
(casework.selectors.cases): whoever may see the case may see what is asked of it."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.models import Case, DocumentRequest
from casework.selectors.cases import case_get


def document_request_list_for(*, user, case_id: int | Case) -> QuerySet[DocumentRequest]:
    """Every request on a case `user` may see, oldest first. Raises NotFound otherwise."""
    case = case_get(user=user, case_id=case_id)
    return DocumentRequest.objects.filter(case=case).order_by("requested_at", "id")


def document_requests_outstanding_for(*, user, case_id: int | Case) -> QuerySet[DocumentRequest]:
    """The outstanding requests on a case `user` may see, with the document each replaces and
    who asked. Raises NotFound otherwise. The staff case page reads this."""
    return (
        document_request_list_for(user=user, case_id=case_id)
        .filter(status=DocumentRequest.Status.OUTSTANDING)
        .select_related("replaces", "requested_by")
    )
