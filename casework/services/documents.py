"""Documents on a case: upload (checked by content, docs/adr/0006) and the download response.

A document is stored through the "documents" storage (the filesystem, or an S3-compatible
bucket when configured) under a random name; the uploader's file name is kept, cleaned, for
display only. Documents are never edited; there is no delete here (erasure is a later,
reviewed operation)."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import FileResponse

from casework.models import Case, CaseActivity, Document
from casework.permissions import can_work_case, is_case_applicant
from casework.services.common import ensure_case_open, lock_case
from casework.services.document_types import inspect_upload
from casework.services.feed import feed_record
from core import errors
from core.audit import audited
from core.models import User

logger = logging.getLogger(__name__)


def _storage():
    return Document._meta.get_field("file").storage


def _ensure_may_upload(actor: User, case: Case) -> None:
    if is_case_applicant(actor, case):
        if case.is_closed:
            raise errors.Conflict(f"Application {case.number} is closed, so documents can no longer be added to it.")
        return
    if not can_work_case(actor, case):
        raise errors.PermissionDenied("You cannot add documents to this case.")
    ensure_case_open(actor, case, doing="add documents to it")


@transaction.atomic
def document_upload(*, actor: User, case: Case, uploaded_file, category: str) -> Document:
    """Store `uploaded_file` (a Django UploadedFile or any seekable binary file with a name) on
    `case` in `category`, and put it on the case's feed.

    Who: staff, on open cases (a closed case is read-only except to supervisors); the case's
    applicant (or someone granted the case), on their own open case. An applicant's upload never
    changes the case's status, whichever chevron it is on.

    The type is decided by the content: PDF, JPEG, PNG, HEIC, DOCX or XLSX, under
    DOCUMENT_MAX_BYTES, with a name whose extension agrees with the content. The file is written
    to storage before the row; if anything after that fails, the stored file is deleted again, so
    a refused or failed upload leaves neither a row nor a file.

    Raises ValidationError (field "file" or "category"), PermissionDenied, or Conflict for a
    closed case."""
    _ensure_may_upload(actor, case)  # refuse early, before reading or storing anything
    if category not in Document.Category.values:
        choices = ", ".join(Document.Category.values)
        raise errors.ValidationError(fields={"category": [f"Choose a category: one of {choices}."]})
    name = getattr(uploaded_file, "name", "") or ""
    inspected = inspect_upload(uploaded_file, name=name, max_bytes=settings.DOCUMENT_MAX_BYTES)

    storage = _storage()
    content = uploaded_file if isinstance(uploaded_file, File) else File(uploaded_file, name=name)
    stored_name = storage.save(f"cases/{case.pk}/{uuid.uuid4().hex}", content)
    try:
        with audited(actor=actor, action="document_upload", case=case.pk):
            case = lock_case(case)
            _ensure_may_upload(actor, case)  # it may have closed while the file was stored
            document = Document.objects.create(
                case=case,
                category=category,
                file=stored_name,
                original_name=inspected.display_name,
                content_type=inspected.file_type.content_type,
                size=inspected.size,
                sha256=inspected.sha256,
                uploaded_by=actor,
            )
            feed_record(
                case=case,
                kind=CaseActivity.Kind.DOCUMENT_ADDED,
                actor=actor,
                summary=f"Document added: {document.original_name} ({document.get_category_display()})",
                document=document,
                data={"category": category, "content_type": document.content_type, "size": document.size},
            )
    except BaseException:
        _delete_stored(storage, stored_name)
        raise
    return document


def _delete_stored(storage, name: str) -> None:
    """Remove a file whose row was never written. A failure here is logged, not raised, so the
    caller sees the error that caused the clean-up rather than this one."""
    try:
        storage.delete(name)
    except Exception:
        logger.exception("Could not delete the stored document %s after a failed upload", name)


def document_response(document: Document) -> FileResponse:
    """The HTTP response that downloads `document`: streamed from storage as an attachment with
    its stored (sniffed) content type, never rendered inline or re-sniffed by the browser, and
    not kept in shared caches. The caller has already checked that the user may see the case
    (casework.selectors.documents.document_get)."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
