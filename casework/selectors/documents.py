"""Reads of a case's documents, with the case's visibility rules (casework.selectors.cases):
whoever may see the case may see and download its documents."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.models import Case, Document
from casework.selectors.cases import case_get, case_list_for
from core import errors


def document_list_for(*, user, case_id: int | Case) -> QuerySet[Document]:
    """The documents on a case `user` may see, newest first. Raises NotFound otherwise."""
    case = case_get(user=user, case_id=case_id)
    return case.documents.select_related("uploaded_by").order_by("-uploaded_at", "-id")


def document_get(*, user, document_id: int) -> Document:
    """A document on a case `user` may see (staff; the case's applicant, or someone granted the
    case). Raises NotFound otherwise: nobody can tell another's document from a missing one."""
    document = (
        Document.objects.select_related("case", "uploaded_by")
        .filter(pk=document_id, case__in=case_list_for(user=user).values("pk"))
        .first()
    )
    if document is None:
        raise errors.NotFound("There is no such document.")
    return document
