"""Documents asked for on a case: staff ask (or the case type's defaults are asked when an
application is submitted), the applicant answers by uploading, staff ask again for a document
that was not good enough, or withdraw a request.

Every write locks the case (then the request) for the rest of its transaction, checks who is
acting, moves the request through its state machine (casework.models.DocumentRequest), writes
the audit context and puts one entry on the case's feed. An upload that answers a request goes
through casework.services.documents.document_upload, so it is checked exactly as a staff upload
is; a refused file leaves the request outstanding and nothing stored."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from casework.models import Case, CaseActivity, Document, DocumentRequest, DocumentRequirement, Status
from casework.models.document_requests import (
    DOCUMENT_REQUEST_DESCRIPTION_MAX_LENGTH,
    DOCUMENT_REQUEST_REASON_MAX_LENGTH,
)
from casework.permissions import can_work_case, is_case_applicant
from casework.services.common import clean_text, ensure_case_open, lock_case, raise_if
from casework.services.documents import _delete_stored, document_upload
from casework.services.feed import feed_record
from core import errors
from core.audit import audited
from core.models import User

# --- helpers ---------------------------------------------------------------------------------


def _require_staff(actor: User | None, case: Case, *, doing: str) -> None:
    """Only staff who may work the case ask for, ask again for or withdraw documents; the system
    (actor None) asks for a case type's defaults."""
    if actor is not None and not can_work_case(actor, case):
        raise errors.PermissionDenied(f"Only staff can {doing}.")


def _lock_request(request: DocumentRequest) -> tuple[Case, DocumentRequest]:
    """Lock the request's case, then the request (always in that order, as every case write
    does), and return both freshly read."""
    case = lock_case(request.case)
    locked = DocumentRequest.objects.select_for_update(of=("self",)).select_related("replaces").get(pk=request.pk)
    locked.case = case
    return case, locked


def _ensure_outstanding(request: DocumentRequest, *, doing: str) -> None:
    if not request.is_outstanding:
        raise errors.Conflict(
            f"“{request.description}” is already {request.get_status_display().lower()}, so you cannot {doing}."
        )


def _description(value: str, field_errors: dict[str, list[str]]) -> str:
    text = clean_text(value)
    if not text:
        field_errors.setdefault("description", []).append("Say what you need, in words the applicant will understand.")
    elif len(text) > DOCUMENT_REQUEST_DESCRIPTION_MAX_LENGTH:
        field_errors.setdefault("description", []).append(
            f"Keep it to {DOCUMENT_REQUEST_DESCRIPTION_MAX_LENGTH} characters (you entered {len(text)})."
        )
    return text


def _reason(value: str, field_errors: dict[str, list[str]], *, what: str) -> str:
    text = (value or "").strip()
    if not text:
        field_errors.setdefault("reason", []).append(f"Give a reason {what}.")
    elif len(text) > DOCUMENT_REQUEST_REASON_MAX_LENGTH:
        field_errors.setdefault("reason", []).append(
            f"The reason can be at most {DOCUMENT_REQUEST_REASON_MAX_LENGTH} characters (you entered {len(text)})."
        )
    return text


def _category(value: str, field_errors: dict[str, list[str]]) -> str:
    if value not in Document.Category.values:
        field_errors.setdefault("category", []).append("Choose the kind of document.")
    return value


def _check_due_date(due_date: datetime.date | None, field_errors: dict[str, list[str]]) -> None:
    if due_date is not None and due_date < timezone.localdate():
        field_errors.setdefault("due_date", []).append("The due date cannot be in the past.")


def _record(case: Case, actor: User | None, summary: str, *, request: DocumentRequest, event: str, **links) -> None:
    feed_record(
        case=case,
        kind=CaseActivity.Kind.DOCUMENT_REQUESTED,
        actor=actor,
        summary=summary,
        data={"document_request": request.pk, "event": event, "category": request.category},
        **links,
    )


# --- staff -----------------------------------------------------------------------------------


@transaction.atomic
def document_request_create(
    *,
    actor: User | None,
    case: Case,
    category: str,
    description: str,
    due_date: datetime.date | None = None,
) -> DocumentRequest:
    """Ask the applicant for a document: an outstanding request in `category`, described in
    words the applicant reads (e.g. "Your last two payslips"), optionally due by `due_date`.

    Who: staff who may work the case (or the system, actor None), on an open case.
    Raises PermissionDenied, ValidationError (category, description, due_date) or Conflict (a
    closed case)."""
    _require_staff(actor, case, doing="ask for documents")
    field_errors: dict[str, list[str]] = {}
    category = _category(category, field_errors)
    text = _description(description, field_errors)
    _check_due_date(due_date, field_errors)
    raise_if(field_errors)
    case = lock_case(case)
    ensure_case_open(actor, case, doing="ask for documents on it")
    with audited(actor=actor, action="document_request_create", case=case.pk):
        request = DocumentRequest(case=case, category=category, description=text, due_date=due_date, requested_by=actor)
        request.stamp(actor)
        request.save()
        _record(
            case,
            actor,
            f"Document requested: {text} ({request.get_category_display()})",
            request=request,
            event="requested",
        )
    return request


@transaction.atomic
def document_request_ask_again(
    *, actor: User | None, document: Document, reason: str, due_date: datetime.date | None = None
) -> DocumentRequest:
    """Ask the applicant to send `document` again (the chaser's re-upload: unreadable, out of
    date, the wrong person's), saying why; the reason is shown to the applicant. The new
    request is outstanding, in the document's category, and names the document it replaces;
    any request the document answered stays received with it. Asking again for a document
    that already has an outstanding re-upload request is refused.

    Who: staff who may work the case, on an open case.
    Raises PermissionDenied, ValidationError (reason) or Conflict."""
    _require_staff(actor, document.case, doing="ask for documents again")
    field_errors: dict[str, list[str]] = {}
    text = _reason(reason, field_errors, what="so the applicant knows what to send instead")
    _check_due_date(due_date, field_errors)
    raise_if(field_errors)
    case = lock_case(document.case)
    ensure_case_open(actor, case, doing="ask for documents on it")
    if DocumentRequest.objects.filter(replaces=document, status=DocumentRequest.Status.OUTSTANDING).exists():
        raise errors.Conflict(f"“{document.original_name}” has already been asked for again.")
    answered = document.answered_requests.order_by("-received_at").first()
    description = answered.description if answered is not None else document.get_category_display()
    with audited(actor=actor, action="document_request_ask_again", case=case.pk):
        request = DocumentRequest(
            case=case,
            category=document.category,
            description=description,
            requested_by=actor,
            replaces=document,
            reason=text,
            due_date=answered.due_date
            if answered is not None and answered.due_date and answered.due_date >= timezone.localdate()
            else None,
        )
        request.stamp(actor)
        request.save()
        _record(
            case,
            actor,
            f"Document asked for again: {document.original_name} ({document.get_category_display()})",
            request=request,
            event="asked_again",
            document=document,
        )
    return request


@transaction.atomic
def document_request_cancel(*, actor: User | None, request: DocumentRequest, reason: str) -> DocumentRequest:
    """Withdraw an outstanding request (asked by mistake, or no longer needed); the applicant
    stops seeing it. Who: staff who may work the case. Raises PermissionDenied,
    ValidationError (reason) or Conflict (not outstanding, or the case is closed)."""
    _require_staff(actor, request.case, doing="cancel document requests")
    field_errors: dict[str, list[str]] = {}
    text = _reason(reason, field_errors, what="for cancelling the request")
    raise_if(field_errors)
    case, request = _lock_request(request)
    ensure_case_open(actor, case, doing="change its document requests")
    _ensure_outstanding(request, doing="cancel it")
    with audited(actor=actor, action="document_request_cancel", case=case.pk):
        request.cancel(text)
        request.stamp(actor)
        request.save()
        feed_record(
            case=case,
            kind=CaseActivity.Kind.DOCUMENT_REQUESTED,
            actor=actor,
            summary=f"Document request cancelled: {request.description}",
            reason=text,
            data={"document_request": request.pk, "event": "cancelled", "category": request.category},
        )
    return request


@transaction.atomic
def document_request_mark_received(
    *, actor: User | None, request: DocumentRequest, document: Document
) -> DocumentRequest:
    """Record that `document`, already on the case (e.g. one that came by post and was scanned
    in), answers the outstanding `request`. Who: staff who may work the case.
    Raises PermissionDenied, ValidationError (a document of another case, or the document being
    replaced) or Conflict."""
    _require_staff(actor, request.case, doing="mark document requests received")
    case, request = _lock_request(request)
    ensure_case_open(actor, case, doing="change its document requests")
    _ensure_outstanding(request, doing="mark it received")
    if document.case_id != case.pk:
        raise errors.ValidationError(fields={"document": ["Choose a document on this case."]})
    if document.pk == request.replaces_id:
        raise errors.ValidationError(fields={"document": ["That is the document being replaced; choose the new one."]})
    with audited(actor=actor, action="document_request_mark_received", case=case.pk):
        _receive(case, request, document, actor=actor)
    return request


def _receive(case: Case, request: DocumentRequest, document: Document, *, actor: User | None) -> None:
    request.receive(document)
    request.stamp(actor)
    request.save()
    _record(
        case,
        actor,
        f"Requested document received: {request.description} ({document.original_name})",
        request=request,
        event="received",
        document=document,
    )


# --- the applicant ---------------------------------------------------------------------------


@transaction.atomic
def document_request_fulfil(*, actor: User, request: DocumentRequest, uploaded_file) -> Document:
    """Answer an outstanding request with an upload: the file is checked and stored by
    casework.services.documents.document_upload (the same checks as a staff upload: type by
    content, size, a name that agrees with it) in the request's category, and the request is
    marked received with it, in one transaction. A refused file leaves the request outstanding
    and neither a row nor a stored file.

    Who: the case's applicant (or someone granted the case) while the case is open; staff who
    may work the case, on an open case. Raises PermissionDenied, ValidationError (field "file"),
    or Conflict (the request is no longer outstanding, or the application is closed)."""
    case = request.case
    if not (is_case_applicant(actor, case) or can_work_case(actor, case)):
        raise errors.PermissionDenied("You cannot send documents for this case.")
    case, request = _lock_request(request)
    if case.is_closed and is_case_applicant(actor, case):
        raise errors.Conflict(f"Application {case.number} is closed, so documents can no longer be added to it.")
    _ensure_outstanding(request, doing="send it again")
    document = document_upload(actor=actor, case=case, uploaded_file=uploaded_file, category=request.category)
    # document_upload removes its stored file if it fails itself; from here on, a failure rolls
    # back the row, so the file it stored must go too.
    try:
        with audited(actor=actor, action="document_request_fulfil", case=case.pk):
            _receive(case, request, document, actor=actor)
    except BaseException:
        _delete_stored(document.file.storage, document.file.name or "")
        raise
    return document


# --- a case type's defaults ------------------------------------------------------------------


def document_requests_for_requirements(*, case: Case, actor: User | None = None) -> list[DocumentRequest]:
    """Ask for the documents `case`'s type requires (its active DocumentRequirements) that the
    case has neither a document nor an outstanding request of that category for, and that were
    not asked for already. Safe to run again (submitted, sent back and submitted again asks
    nothing twice: one request per requirement and case, a constraint enforces it). Called in
    the transaction of the case's submission, with the case locked. The requests are the
    system's (requested_by None)."""
    requirements = list(
        DocumentRequirement.objects.filter(case_type_id=case.case_type_id, is_active=True).order_by("category")
    )
    if not requirements:
        return []
    have = set(case.documents.values_list("category", flat=True))
    have |= set(
        case.document_requests.filter(status=DocumentRequest.Status.OUTSTANDING).values_list("category", flat=True)
    )
    asked = set(case.document_requests.filter(requirement__in=requirements).values_list("requirement_id", flat=True))
    wanted = [r for r in requirements if r.category not in have and r.pk not in asked]
    if not wanted:
        return []
    new = []
    with audited(actor=actor, action="document_requests_for_requirements", case=case.pk):
        for requirement in wanted:
            # The case is locked by the submission, so nothing else asks meanwhile; the
            # constraint (one request per requirement and case) is the backstop.
            request = DocumentRequest(
                case=case, category=requirement.category, description=requirement.description, requirement=requirement
            )
            request.stamp(None)
            request.save()
            new.append(request)
        feed_record(
            case=case,
            kind=CaseActivity.Kind.DOCUMENT_REQUESTED,
            actor=None,
            summary="Documents requested: " + "; ".join(request.description for request in new),
            data={"event": "requirements", "categories": [request.category for request in new]},
        )
    return new


def on_case_status_changed(sender, case: Case, actor, transition: str = "", to_status: str = "", **kwargs) -> None:
    """When a rental application is submitted (Draft → Application match), ask for the
    documents its type requires. Connected in casework.apps."""
    if transition == "submit" and to_status == Status.APPLICATION_MATCH:
        document_requests_for_requirements(case=case, actor=actor)
