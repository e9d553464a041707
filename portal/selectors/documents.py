"""The portal's reads about documents: what an application still needs from the applicant, the
documents on it, and one request or document on it. Each is scoped to the signed-in applicant
through portal.selectors.application_get and the casework selectors: another applicant's
application, request or document raises Http404, the same as one that does not exist."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from casework.models import Case, Document, DocumentRequest
from casework.selectors.documents import document_get
from core import errors
from portal.selectors import application_get


def _own_case(user, case: Case) -> Case:
    """`case` re-read through the applicant's own applications (Http404 if it is not one)."""
    return application_get(user, case.number)


def outstanding_requests_for(user, case: Case) -> list[DocumentRequest]:
    """The documents still asked for on `case` (oldest request first), each with the document
    it replaces when staff asked again. Raises Http404 unless `case` is one of `user`'s
    applications (their own or granted). The status page and the documents page read this."""
    case = _own_case(user, case)
    # application_get has checked the case is theirs: no second visibility check is needed.
    return list(
        DocumentRequest.objects.filter(case=case, status=DocumentRequest.Status.OUTSTANDING)
        .select_related("replaces")
        .order_by("requested_at", "id")
    )


def documents_for(user, case: Case) -> list[Document]:
    """The documents on `case`, newest first (whoever uploaded them). Http404 unless it is one
    of `user`'s applications."""
    case = _own_case(user, case)
    return list(case.documents.order_by("-uploaded_at", "-id"))


def document_request_get(user, case: Case, request_id: int) -> DocumentRequest:
    """The request `request_id` on `case`, whatever its status (the view says so when it is no
    longer outstanding, e.g. a form sent twice). Http404 for another application's request or
    one that does not exist."""
    case = _own_case(user, case)
    found = DocumentRequest.objects.filter(case=case, pk=request_id).select_related("replaces").first()
    if found is None:
        raise Http404(_("There is no such document request."))
    found.case = case
    return found


def application_document_get(user, case: Case, document_id: int) -> Document:
    """The document `document_id` if it is on `case` and `case` is one of `user`'s
    applications. Http404 otherwise, including a document of the applicant's other application
    (a URL names one application; its documents are the only ones it serves)."""
    case = _own_case(user, case)
    try:
        document = document_get(user=user, document_id=document_id)
    except errors.NotFound as error:
        raise Http404(_("There is no such document.")) from error
    if document.case_id != case.pk:
        raise Http404(_("There is no such document."))
    return document
