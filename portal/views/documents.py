"""An application's documents page: what we still need from the applicant (each request with
its own upload form, and why when staff asked again), the documents on the application, and a
form to send something nobody asked for. Uploads go through casework's document services, so
a file is checked exactly as a staff upload is. A closed application's page is read-only.

Every view reads the application through portal.selectors (another applicant's application,
request or document is a 404) and is for verified applicants only."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework.models import Case, DocumentRequest
from casework.services import document_requests as request_services
from casework.services import documents as document_services
from core import errors
from portal.forms.documents import ExtraDocumentForm, RequestUploadForm, category_words
from portal.permissions import verified_applicant_required
from portal.selectors import application_get
from portal.selectors.documents import (
    application_document_get,
    document_request_get,
    documents_for,
    outstanding_requests_for,
)


def _request_form(document_request: DocumentRequest, data=None, files=None) -> RequestUploadForm:
    return RequestUploadForm(
        data, files, prefix=f"request-{document_request.pk}", description=document_request.description
    )


def _closed_message() -> str:
    return _("This application is closed, so you cannot send documents for it any more.")


def _add_refusal(form, exc: errors.DomainError) -> None:
    """A refused upload's sentences on the form: against the file (or the kind of document)
    when the service named it, otherwise at the top."""
    placed = False
    for name, field_messages in exc.fields.items():
        for message in field_messages:
            form.add_error(name if name in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def _page(request, case: Case, *, status: int = 200, refused_request_id: int | None = None, form=None, extra_form=None):
    """The documents page. `form` is the refused upload form of request `refused_request_id`,
    `extra_form` the refused "send another document" form; the others are shown empty."""
    outstanding = outstanding_requests_for(request.user, case)
    rows = []
    for item in outstanding:
        item.category_label = category_words(item.category)
        upload_form = form if item.pk == refused_request_id else _request_form(item)
        rows.append({"request": item, "form": upload_form})
    documents = documents_for(request.user, case)
    for document in documents:
        document.category_label = category_words(document.category)
    context = {
        "case": case,
        "is_closed": case.is_closed,
        "outstanding": rows,
        "documents": documents,
        "extra_form": extra_form or ExtraDocumentForm(prefix="extra"),
        "refused_form": form or extra_form,
    }
    return render(request, "portal/documents/page.html", context, status=status)


@require_GET
@verified_applicant_required
def documents_page(request, number: str):
    case = application_get(request.user, number)
    return _page(request, case)


@require_POST
@verified_applicant_required
def request_upload(request, number: str, request_id: int):
    """A file sent in answer to one request (the first time, or again when staff asked)."""
    case = application_get(request.user, number)
    document_request = document_request_get(request.user, case, request_id)
    if document_request.status != DocumentRequest.Status.OUTSTANDING:
        # Sent twice (a second click, or another tab): the first one counted.
        messages.info(request, _("We already have what you sent for this. Nothing else is needed for it."))
        return redirect("portal-application-documents", number=case.number)
    form = _request_form(document_request, request.POST, request.FILES)
    if case.is_closed:
        form.is_valid()
        form.add_error(None, _closed_message())
        return _page(request, case, status=409, refused_request_id=request_id, form=form)
    if not form.is_valid():
        return _page(request, case, status=400, refused_request_id=request_id, form=form)
    try:
        document = request_services.document_request_fulfil(
            actor=request.user, request=document_request, uploaded_file=form.cleaned_data["file"]
        )
    except errors.DomainError as exc:
        _add_refusal(form, exc)
        status = 409 if isinstance(exc, errors.Conflict) else exc.status_code
        return _page(request, case, status=status, refused_request_id=request_id, form=form)
    messages.success(
        request,
        _("Thank you. We have received %(name)s for “%(request)s”.")
        % {"name": document.original_name, "request": document_request.description},
    )
    return redirect("portal-application-documents", number=case.number)


@require_POST
@verified_applicant_required
def document_send(request, number: str):
    """A document the applicant sends without being asked for it."""
    case = application_get(request.user, number)
    form = ExtraDocumentForm(request.POST, request.FILES, prefix="extra")
    if case.is_closed:
        form.is_valid()
        form.add_error(None, _closed_message())
        return _page(request, case, status=409, extra_form=form)
    if not form.is_valid():
        return _page(request, case, status=400, extra_form=form)
    try:
        document = document_services.document_upload(
            actor=request.user,
            case=case,
            uploaded_file=form.cleaned_data["file"],
            category=form.cleaned_data["category"],
        )
    except errors.DomainError as exc:
        _add_refusal(form, exc)
        status = 409 if isinstance(exc, errors.Conflict) else exc.status_code
        return _page(request, case, status=status, extra_form=form)
    messages.success(request, _("Thank you. We have received %(name)s.") % {"name": document.original_name})
    return redirect("portal-application-documents", number=case.number)


@require_GET
@verified_applicant_required
def document_download(request, number: str, document_id: int):
    """One document on this application, as a download (never shown inline)."""
    case = application_get(request.user, number)
    document = application_document_get(request.user, case, document_id)
    return document_services.document_response(document)
