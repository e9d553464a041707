"""The case page's sections that take input: tasks, notes (with @mention suggestions),
documents, reviews, referrals and appointments. Each view parses its form, loads through a
selector, calls one service and answers through case_page.section_response (the section again
for htmx, a redirect or the re-shown page without it)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework import forms
from casework.selectors.cases import case_get
from casework.selectors.work import mention_suggestion_list_for, staff_choice_list_for, task_get
from casework.services import appointments as appointment_services
from casework.services import documents as document_services
from casework.services import notes as note_services
from casework.services import referrals as referral_services
from casework.services import reviews as review_services
from casework.services import tasks as task_services
from casework.views.case_page import referral_form_for, refusal_status, section_response
from core import errors
from core.forms import form_add_domain_error
from core.permissions import staff_member_required


def _refused(request, case_id: int, section: str, form, exc: errors.DomainError):
    form_add_domain_error(form, exc)
    return section_response(request, case_id, section, status=refusal_status(exc), form=form)


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
        form = forms.TaskForm(prefix="task", staff=staff_choice_list_for(user=request.user, case=task.case))
        return _refused(request, case_id, "tasks", form, exc)
    return section_response(
        request, case_id, "tasks", success=_("Task “%(subject)s” completed.") % {"subject": task.subject}
    )


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
