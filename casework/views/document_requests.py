"""The case page's documents section, the part about documents asked for: the outstanding
requests (each with "Cancel request"), "Ask for it again" on each document, and "Request a
document". Each view parses its form, loads through a selector, calls one service
(casework.services.document_requests) and answers through case_page.section_response, like the
other sections (the section again for htmx, else a redirect or the page with the refused form).

`document_requests_context` is what the documents section adds to its context
(case_page.documents_context calls it)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from casework.forms import GovukMixin
from casework.models import Case, Document, DocumentRequest
from casework.models.document_requests import (
    DOCUMENT_REQUEST_DESCRIPTION_MAX_LENGTH,
    DOCUMENT_REQUEST_REASON_MAX_LENGTH,
)
from casework.permissions import can_change_closed_case
from casework.selectors.cases import case_get
from casework.selectors.document_requests import document_request_list_for, document_requests_outstanding_for
from casework.selectors.documents import document_get
from casework.services import document_requests as request_services
from casework.views.case_page import refusal_status, section_response
from core import errors
from core.forms import form_add_domain_error
from core.permissions import staff_member_required

# --- forms -----------------------------------------------------------------------------------


class DocumentRequestForm(GovukMixin, forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Kind of document"),
        choices=[("", gettext_lazy("Choose a category")), *Document.Category.choices],
        error_messages={"required": gettext_lazy("Choose the kind of document.")},
    )
    description = forms.CharField(
        label=gettext_lazy("What the applicant should send"),
        max_length=DOCUMENT_REQUEST_DESCRIPTION_MAX_LENGTH,
        help_text=gettext_lazy("In their words; they see this, e.g. “Your last two payslips”."),
        required=False,  # the service says what is missing, in the same words as everywhere
    )
    due_date = forms.DateField(
        label=gettext_lazy("Send by (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": gettext_lazy("Enter a real date, for example 27 3 2027.")},
    )


class ReasonForm(GovukMixin, forms.Form):
    """The reason for asking again (shown to the applicant) or for cancelling a request."""

    reason = forms.CharField(
        max_length=DOCUMENT_REQUEST_REASON_MAX_LENGTH,
        required=False,  # the service refuses an empty reason with its own sentence
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, label: str, hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = hint
        self.style_fields(["reason"])


def ask_again_form(document: Document, data=None) -> ReasonForm:
    return ReasonForm(
        data,
        prefix=f"askagain-{document.pk}",
        label=_("Why do you need %(name)s again?") % {"name": document.original_name},
        hint=_("The applicant sees this, so say what to send instead."),
    )


def cancel_form(request: DocumentRequest, data=None) -> ReasonForm:
    return ReasonForm(
        data,
        prefix=f"cancel-{request.pk}",
        label=_("Why is “%(description)s” no longer needed?") % {"description": request.description},
    )


# --- the section's context -------------------------------------------------------------------


def document_requests_context(
    request,
    case: Case,
    documents=(),
    *,
    request_form: DocumentRequestForm | None = None,
    ask_again: tuple[int, ReasonForm] | None = None,
    cancel: tuple[int, ReasonForm] | None = None,
) -> dict:
    """The outstanding requests (each with its cancel form) and an "ask for it again" form for
    each listed document; a refused form (the document's or the request's id, and the form) is
    shown in place of the empty one, opened."""
    may_change = not case.is_closed or can_change_closed_case(request.user)
    outstanding = list(document_requests_outstanding_for(user=request.user, case_id=case))
    for item in outstanding:
        refused = cancel is not None and cancel[0] == item.pk
        item.cancel_form = cancel[1] if refused else cancel_form(item)
        item.cancel_open = refused
    asked_again = {item.replaces_id for item in outstanding if item.replaces_id}
    for document in documents:
        refused = ask_again is not None and ask_again[0] == document.pk
        document.ask_again_form = ask_again[1] if refused else ask_again_form(document)
        document.ask_again_open = refused
        document.asked_again = document.pk in asked_again
    return {
        "document_requests": outstanding,
        "document_requests_may_change": may_change,
        "document_request_form": request_form or DocumentRequestForm(prefix="docrequest"),
        # The refused ask-again or cancel form, for the section's error summary.
        "document_requests_refused": (ask_again or cancel or (None, None))[1],
    }


# --- views -----------------------------------------------------------------------------------


def _refused(request, case_id: int, exc: errors.DomainError, form, **kwargs):
    form_add_domain_error(form, exc)
    return section_response(request, case_id, "documents", status=refusal_status(exc), **kwargs)


@require_POST
@staff_member_required
def document_request_add(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    form = DocumentRequestForm(request.POST, prefix="docrequest")
    if not form.is_valid():
        return section_response(request, case_id, "documents", status=400, request_form=form)
    try:
        created = request_services.document_request_create(
            actor=request.user,
            case=case,
            category=form.cleaned_data["category"],
            description=form.cleaned_data["description"],
            due_date=form.cleaned_data["due_date"],
        )
    except errors.DomainError as exc:
        return _refused(request, case_id, exc, form, request_form=form)
    return section_response(
        request,
        case_id,
        "documents",
        success=_("Asked the applicant for “%(description)s”.") % {"description": created.description},
    )


@require_POST
@staff_member_required
def document_ask_again(request, case_id: int, document_id: int):
    document = document_get(user=request.user, document_id=document_id)
    if document.case_id != case_id:
        raise errors.NotFound("There is no such document on this case.")
    form = ask_again_form(document, request.POST)
    if not form.is_valid():
        return section_response(request, case_id, "documents", status=400, ask_again=(document.pk, form))
    try:
        request_services.document_request_ask_again(
            actor=request.user, document=document, reason=form.cleaned_data["reason"]
        )
    except errors.DomainError as exc:
        return _refused(request, case_id, exc, form, ask_again=(document.pk, form))
    return section_response(
        request,
        case_id,
        "documents",
        success=_("Asked the applicant to send %(name)s again.") % {"name": document.original_name},
    )


@require_POST
@staff_member_required
def document_request_cancel(request, case_id: int, request_id: int):
    found = document_request_list_for(user=request.user, case_id=case_id).filter(pk=request_id).first()
    if found is None:
        raise errors.NotFound("There is no such document request on this case.")
    form = cancel_form(found, request.POST)
    if not form.is_valid():
        return section_response(request, case_id, "documents", status=400, cancel=(found.pk, form))
    try:
        request_services.document_request_cancel(actor=request.user, request=found, reason=form.cleaned_data["reason"])
    except errors.DomainError as exc:
        return _refused(request, case_id, exc, form, cancel=(found.pk, form))
    return section_response(
        request,
        case_id,
        "documents",
        success=_("Request for “%(description)s” cancelled.") % {"description": found.description},
    )
