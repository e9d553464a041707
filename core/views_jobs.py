"""Staff pages for long work started from the UI: my recent jobs (and the buttons that start the
kinds I may start), and one job's progress, which htmx refreshes every two seconds until done."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import errors, jobs
from core.permissions import staff_member_required


@require_GET
@staff_member_required
def job_list(request):
    return render(
        request,
        "core/job_list.html",
        {
            "jobs": list(jobs.job_list_for(user=request.user)),
            "startable": jobs.job_kinds_startable_by(request.user),
        },
    )


@require_POST
@staff_member_required
def job_start(request):
    """Start a kind offered on the jobs page, then show its progress. A refusal (unknown kind,
    not allowed) goes back to the list with the reason."""
    try:
        job = jobs.job_start(actor=request.user, kind=request.POST.get("kind", ""))
    except (errors.NotFound, errors.PermissionDenied) as exc:
        context = {
            "jobs": list(jobs.job_list_for(user=request.user)),
            "startable": jobs.job_kinds_startable_by(request.user),
            "error_messages": [exc.message],
        }
        return render(
            request, "core/job_list.html", context, status=403 if isinstance(exc, errors.PermissionDenied) else 400
        )
    messages.success(request, _("Started: %(label)s.") % {"label": job.label})
    return redirect("job-detail", job_id=job.pk)


@require_GET
@staff_member_required
def job_detail(request, job_id):
    job = jobs.job_get(user=request.user, job_id=job_id)
    if request.htmx:
        return render(request, "includes/job_progress.html", {"job": job})
    return render(request, "core/job_detail.html", {"job": job})
