"""The case page's sections that take input: tasks, notes (with @mention suggestions),
documents, reviews, referrals and appointments. Each view parses its form, loads through a
selector, calls one service and answers through case_page.section_response (the section again
for htmx, a redirect or the re-shown page without it)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework import forms
from casework.models import WorkflowPath
from casework.selectors.cases import case_get, case_page_get
from casework.selectors.messages import case_message_get, sendable_template_list_for
from casework.selectors.work import mention_suggestion_list_for, staff_choice_list_for, task_get
from casework.services import appointments as appointment_services
from casework.services import documents as document_services
from casework.services import messages as message_services
from casework.services import notes as note_services
from casework.services import paths as path_services
from casework.services import referrals as referral_services
from casework.services import reviews as review_services
from casework.services import tasks as task_services
from casework.views.case_page import (
    message_form_for,
    referral_form_for,
    refusal_status,
    render_page,
    section_response,
)
from communications import services as communications
from communications.fields import context_for, field_labels
from core import errors
from core.forms import domain_error_messages, form_add_domain_error
from core.permissions import staff_member_required


def _refused(request, case_id: int, section: str, form, exc: errors.DomainError):
    form_add_domain_error(form, exc)
    return section_response(request, case_id, section, status=refusal_status(exc), form=form)


def _task_refused(request, case_id: int, exc: errors.DomainError):
    """An action on a listed task was refused: its sentences at the top of the tasks section (the
    add-a-task form is not the one refused)."""
    reason = " ".join(domain_error_messages(exc))
    return section_response(request, case_id, "tasks", status=refusal_status(exc), refusal=reason)


@require_POST
@staff_member_required
def task_add(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    form = forms.TaskForm(request.POST, prefix="task", staff=staff_choice_list_for(user=request.user, case=case))
    if not form.is_valid():
        return section_response(request, case_id, "tasks", status=400, form=form)
    try:
        task = task_services.task_create(
            actor=request.user,
            case=case,
            subject=form.cleaned_data["subject"],
            due_date=form.cleaned_data["due_date"],
            assignee=form.cleaned_data["assignee"] or request.user,
        )
    except errors.DomainError as exc:
        return _refused(request, case_id, "tasks", form, exc)
    return section_response(
        request, case_id, "tasks", success=_("Task “%(subject)s” added.") % {"subject": task.subject}
    )


@require_POST
@staff_member_required
def task_complete(request, case_id: int, task_id: int):
    task = task_get(user=request.user, task_id=task_id)
    if task.case_id != case_id:
        raise errors.NotFound("There is no such task on this case.")
    try:
        task_services.task_complete(actor=request.user, task=task)
    except errors.DomainError as exc:
        return _task_refused(request, case_id, exc)
    return section_response(
        request, case_id, "tasks", success=_("Task “%(subject)s” completed.") % {"subject": task.subject}
    )


@require_POST
@staff_member_required
def task_checklist(request, case_id: int, task_id: int):
    """Tick a task's checklist (its script): the boxes ticked are the items done."""
    task = task_get(user=request.user, task_id=task_id)
    if task.case_id != case_id:
        raise errors.NotFound("There is no such task on this case.")
    try:
        done = [int(value) for value in request.POST.getlist("done")]
    except ValueError:
        done = [-1]  # not an item: refused by the service like any other
    try:
        task_services.task_checklist_set(actor=request.user, task=task, done=done)
    except errors.DomainError as exc:
        return _task_refused(request, case_id, exc)
    return section_response(
        request, case_id, "tasks", success=_("Checklist of “%(subject)s” saved.") % {"subject": task.subject}
    )


@require_POST
@staff_member_required
def path_start(request, case_id: int):
    """Start one of the case type's paths by hand."""
    case = case_get(user=request.user, case_id=case_id)
    path = WorkflowPath.objects.filter(pk=request.POST.get("path") or 0, case_type_id=case.case_type_id).first()
    if path is None:
        raise errors.NotFound("There is no such path for this case.")
    try:
        path_services.path_start(actor=request.user, case=case, path=path)
    except errors.DomainError as exc:
        return section_response(request, case_id, "clocks", status=refusal_status(exc), refusal=str(exc))
    return section_response(request, case_id, "clocks", success=_("Path “%(path)s” started.") % {"path": path})


@require_POST
@staff_member_required
def note_add(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    form = forms.NoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return section_response(request, case_id, "feed", status=400, form=form)
    try:
        note = note_services.note_add(actor=request.user, case=case, body=form.cleaned_data["body"])
    except errors.DomainError as exc:
        return _refused(request, case_id, "feed", form, exc)
    mentioned = [str(user) for user in note.mention_report.users if user.pk != request.user.pk]
    if mentioned:
        message = _("Note added. Notified: %(people)s.") % {"people": ", ".join(mentioned)}
    else:
        message = _("Note added.")
    return section_response(request, case_id, "feed", success=message)


@require_GET
@staff_member_required
def mention_suggestions(request, case_id: int):
    """Staff matching what was typed after "@" in the note box: a short list of buttons that
    insert the handle the notes service resolves (app.js calls this as the person types)."""
    case_get(user=request.user, case_id=case_id)
    query = request.GET.get("q", "")[:100]
    people = mention_suggestion_list_for(user=request.user, search=query)
    return render(request, "casework/_case_mention_suggestions.html", {"people": people, "query": query})


@require_POST
@staff_member_required
def document_upload(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    form = forms.DocumentForm(request.POST, request.FILES, prefix="document")
    if not form.is_valid():
        return section_response(request, case_id, "documents", status=400, form=form)
    try:
        document = document_services.document_upload(
            actor=request.user,
            case=case,
            uploaded_file=form.cleaned_data["file"],
            category=form.cleaned_data["category"],
        )
    except errors.DomainError as exc:
        return _refused(request, case_id, "documents", form, exc)
    return section_response(
        request, case_id, "documents", success=_("%(name)s uploaded.") % {"name": document.original_name}
    )


@require_POST
@staff_member_required
def review_log(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    form = forms.ReviewForm(request.POST, prefix="review")
    if not form.is_valid():
        return section_response(request, case_id, "review", status=400, form=form)
    try:
        review_services.case_review_log(actor=request.user, case=case, comment=form.cleaned_data["comment"])
    except errors.DomainError as exc:
        return _refused(request, case_id, "review", form, exc)
    return section_response(request, case_id, "review", success=_("Review logged."))


@require_POST
@staff_member_required
def referral_add(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    form = referral_form_for(request, request.POST)
    if not form.is_valid():
        return section_response(request, case_id, "referrals", status=400, form=form)
    data = form.cleaned_data
    try:
        referral = referral_services.referral_create(
            actor=request.user,
            case=case,
            team=data["team"],
            reason=data["reason"],
            to_queue=data["to_queue"],
            comments=data["comments"],
        )
    except errors.DomainError as exc:
        return _refused(request, case_id, "referrals", form, exc)
    return section_response(
        request, case_id, "referrals", success=_("Referred to %(team)s.") % {"team": referral.team.name}
    )


@require_POST
@staff_member_required
def appointment_add(request, case_id: int):
    case = case_get(user=request.user, case_id=case_id)
    form = forms.AppointmentForm(
        request.POST, prefix="appointment", staff=staff_choice_list_for(user=request.user, case=case)
    )
    if not form.is_valid():
        return section_response(request, case_id, "appointments", status=400, form=form)
    data = form.cleaned_data
    try:
        appointment_services.appointment_create(
            actor=request.user,
            case=case,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            mode=data["mode"],
            location=data["location"],
            with_user=data["with_user"],
            with_name=data["with_name"],
            notes=data["notes"],
        )
    except errors.DomainError as exc:
        return _refused(request, case_id, "appointments", form, exc)
    return section_response(request, case_id, "appointments", success=_("Appointment booked."))


# --- letters, emails and texts -------------------------------------------------------------


def _message_refused(request, case_id: int, exc: errors.DomainError):
    """An action on a listed message refused: the section again, the reason in its summary."""
    reason = " ".join([exc.message, *(m for messages in exc.fields.values() for m in messages)])
    return section_response(request, case_id, "messages", status=refusal_status(exc), refusal=reason)


def _message_on(request, case_id: int, message_id: int):
    message, case = case_message_get(user=request.user, message_id=message_id)
    if case.pk != case_id:
        raise errors.NotFound("There is no such message on this case.")
    return message, case


@require_POST
@staff_member_required
def message_send(request, case_id: int):
    """Preview (action=preview) or send (action=send) the chosen template about the case."""
    case = case_get(user=request.user, case_id=case_id)
    form = message_form_for(request, request.POST)
    if not form.is_valid():
        return section_response(request, case_id, "messages", status=400, form=form)
    template = form.cleaned_data["template"]
    try:
        if request.POST.get("action") == "preview":
            preview = preview_of(case, template)
            if request.htmx:
                return section_response(request, case_id, "messages", form=form, preview=preview)
            shown = case_page_get(user=request.user, case_id=case_id)
            return render_page(request, shown, messages={"form": form, "preview": preview})
        message, created = message_services.case_message_send(
            actor=request.user, case=case, template=template, key=f"page-{form.cleaned_data['token']}"
        )
    except errors.DomainError as exc:
        return _refused(request, case_id, "messages", form, exc)
    if message.status == message.Status.BLOCKED:
        done = _("“%(name)s” was not sent: the case is missing %(missing)s. A task has been set to add them.")
        done %= {"name": template.name, "missing": message_services.missing_labels(message)}
    elif created:
        done = _("“%(name)s” is being sent.") % {"name": template.name}
    else:
        done = _("“%(name)s” was already sent from this form.") % {"name": template.name}
    return section_response(request, case_id, "messages", success=done)


def preview_of(case, template) -> dict:
    """What the messages section shows for a preview: the text, what is missing, and for a
    letter the link to its PDF."""
    rendered = communications.message_preview(version=template, context=context_for(case))
    return {
        "template": template,
        "subject": rendered.subject,
        "body": rendered.body,
        "missing": field_labels(rendered.missing),
    }


@require_GET
@staff_member_required
def message_preview_pdf(request, case_id: int):
    """The letter a template would make for the case now, as a PDF (nothing is recorded)."""
    case = case_get(user=request.user, case_id=case_id)
    template = sendable_template_list_for(user=request.user).filter(key=request.GET.get("template", "")).first()
    if template is None or template.channel != template.Channel.LETTER:
        raise errors.NotFound("There is no such letter template.")
    context = context_for(case)
    rendered = communications.message_preview(version=template, context=context)
    return _pdf_response(communications.letter_preview_pdf(rendered, context), f"preview-{template.key}.pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
@staff_member_required
def message_retry(request, case_id: int, message_id: int):
    message, _case = _message_on(request, case_id, message_id)
    try:
        message = message_services.case_message_retry(actor=request.user, message=message)
    except errors.DomainError as exc:
        return _message_refused(request, case_id, exc)
    if message.status == message.Status.BLOCKED:
        done = _("Still not sent: the case is missing %(missing)s.") % {
            "missing": message_services.missing_labels(message)
        }
    else:
        done = _("The details are there now: it is being sent.")
    return section_response(request, case_id, "messages", success=done)


@require_POST
@staff_member_required
def message_review(request, case_id: int, message_id: int):
    message, _case = _message_on(request, case_id, message_id)
    try:
        communications.message_review(actor=request.user, message=message)
    except errors.DomainError as exc:
        return _message_refused(request, case_id, exc)
    return section_response(request, case_id, "messages", success=_("Marked as reviewed."))


@require_GET
@staff_member_required
def message_view(request, message_id: int):
    """A letter's PDF, or an email's or text's page."""
    message, case = case_message_get(user=request.user, message_id=message_id)
    if message.channel == message.Channel.LETTER:
        return _pdf_response(communications.message_letter_pdf(message), f"letter-{message.pk}.pdf")
    return render(request, "casework/message_detail.html", {"message": message, "case": case})
