"""Supervisors send a letter (or email, or text) to a selection of open cases: choose the
template and the cases (by chevron, type, priority and patch, as the worktray filters), check how
many that is, then send. The batch runs in the background with a progress bar (core.jobs), and
one that stopped part-way can be resumed: it sends only what has not gone (communications.batches)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from casework.forms import GovukMixin, TemplateChoiceField
from casework.models import Case
from casework.selectors.messages import sendable_template_list_for
from casework.views.worktray import WorktrayFilter
from communications import batches
from communications.models import Batch
from core import errors
from core.forms import form_add_domain_error
from core.permissions import is_supervisor, staff_member_required

SAMPLE = 10  # case numbers shown when checking a selection


class BulkTemplateForm(GovukMixin, forms.Form):
    template = TemplateChoiceField()

    def __init__(self, *args, templates, **kwargs):
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


def _selection(data) -> WorktrayFilter:
    open_cases = Case.objects.exclude(status=Case.Status.CLOSED).order_by("created_at", "pk")
    return WorktrayFilter(data or None, queryset=open_cases)


def _page(request, *, form: BulkTemplateForm, selection: WorktrayFilter, checked=None, status: int = 200):
    recent = Batch.objects.select_related("template", "job", "created_by").order_by("-created_at")[:10]
    return render(
        request,
        "casework/bulk_letters.html",
        {"form": form, "filters": selection, "checked": checked, "batches": recent},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_member_required
def bulk_letters(request):
    if not is_supervisor(request.user):
        raise errors.PermissionDenied("Only supervisors can send letters in bulk.")
    templates = sendable_template_list_for(user=request.user)
    if request.method == "GET":
        return _page(request, form=BulkTemplateForm(templates=templates), selection=_selection(None))
    form = BulkTemplateForm(request.POST, templates=templates)
    selection = _selection(request.POST)
    if not (form.is_valid() and selection.is_valid()):
        return _page(request, form=form, selection=selection, status=400)
    cases = selection.qs
    if request.POST.get("action") != "send":
        count = cases.count()
        sample = list(cases.values_list("number", flat=True)[:SAMPLE])
        return _page(request, form=form, selection=selection, checked={"count": count, "sample": sample})
    try:
        batch = batches.batch_create(actor=request.user, template=form.cleaned_data["template"], targets=cases)
        job = batches.batch_start(actor=request.user, batch=batch)
    except errors.DomainError as exc:
        form_add_domain_error(form, exc)
        return _page(request, form=form, selection=selection, status=400)
    messages.success(
        request,
        _("Sending “%(name)s” to %(count)s cases.")
        % {
            "name": batch.template.name,
            "count": f"{len(batch.target_ids):,}",
        },
    )
    return redirect("job-detail", job_id=job.pk)


@require_POST
@staff_member_required
def bulk_letters_resume(request, batch_id: int):
    """Start a batch again whose run stopped part-way: it sends only what has not gone."""
    if not is_supervisor(request.user):
        raise errors.PermissionDenied("Only supervisors can send letters in bulk.")
    batch = get_object_or_404(Batch, pk=batch_id)
    try:
        job = batches.batch_start(actor=request.user, batch=batch)
    except errors.Conflict as exc:
        messages.error(request, exc.message)
        return redirect("staff-bulk-letters")
    messages.success(request, _("Resumed: only the letters not yet sent will go."))
    return redirect("job-detail", job_id=job.pk)
