"""Long work started from the staff pages, with a progress bar that updates until it is done.

A *kind* of job is a function registered with `@job_kind`, in an app's `jobs.py` (found by
autodiscovery, like admin.py):

    @job_kind("routing.loads_reconcile", label=_("Recount staff loads"), who_may_start=is_supervisor)
    def recount(job, **params):
        job_progress(job.pk, done=0, total=1)
        ...
        return {"message": "3 loads corrected", "result_url": "/staff/…"}

`job_start` records the job (queued) and queues the one Celery task, `core.tasks.job_run`, after
the transaction commits. The task claims the job with a conditional UPDATE (queued → running),
so a job delivered twice runs once, calls the function outside any transaction (so its
`job_progress` calls are seen by the page while it works), and records how it ended.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from core import errors
from core.models import Job
from core.permissions import is_staff_member, is_supervisor

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobKind:
    name: str
    label: Any  # str, or a lazily translated one
    function: Callable
    who_may_start: Callable
    # The button that starts it on /staff/jobs/ ("" = not offered there, e.g. started from a
    # page of its own with parameters).
    start_button: Any = ""


JOB_KINDS: dict[str, JobKind] = {}
_discovered = False


def job_kind(name: str, *, label: Any, who_may_start: Callable = is_supervisor, start_button: Any = ""):
    """Register the decorated function `(job, **params) -> dict | None` as the job kind `name`.
    It may return {"message": …, "result_url": …} to show when it is done."""

    def register(function: Callable) -> Callable:
        JOB_KINDS[name] = JobKind(
            name=name, label=label, function=function, who_may_start=who_may_start, start_button=start_button
        )
        return function

    return register


def job_kinds() -> dict[str, JobKind]:
    """Every registered kind; imports each installed app's jobs.py the first time."""
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True
    return JOB_KINDS


def job_kinds_startable_by(user) -> list[JobKind]:
    """The kinds `user` may start with a button on the jobs page."""
    return [kind for kind in job_kinds().values() if kind.start_button and kind.who_may_start(user)]


def job_start(*, actor, kind: str, label: str | None = None, total: int | None = None, **params) -> Job:
    """Record a job of `kind` started by `actor` and queue it to run after the transaction
    commits. `params` (JSON values: ids, not objects) are passed to the kind's function.
    Raises NotFound for an unknown kind and PermissionDenied when the kind's `who_may_start`
    refuses `actor`."""
    registered = job_kinds().get(kind)
    if registered is None:
        raise errors.NotFound(f"There is no kind of job called {kind!r}.")
    if not (is_staff_member(actor) and registered.who_may_start(actor)):
        raise errors.PermissionDenied("You may not start this job.")
    from core.tasks import job_run  # the tasks module imports this one

    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, label=label or str(registered.label), total=total, params=params, started_by=actor
        )
        job_run.delay_on_commit(str(job.pk))
    return job


def job_progress(job_id: uuid.UUID | str, *, done: int, total: int | None = None, message: str = "") -> None:
    """Record how far a running job has got: one UPDATE, cheap enough to call every few hundred
    rows from inside the work. Has no effect on a job that is not running."""
    changes: dict = {"done": done, "message": message[:500]}
    if total is not None:
        changes["total"] = total
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(**changes)


def job_finish(job_id: uuid.UUID | str, *, message: str = "", result_url: str = "") -> bool:
    """Mark a running job done (all its steps counted). Returns False if it was not running."""
    job = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).only("total", "done").first()
    if job is None:
        return False
    done = job.total if job.total is not None else max(job.done, 1)
    total = job.total if job.total is not None else done
    return bool(
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
            status=Job.Status.SUCCEEDED,
            done=done,
            total=total,
            message=message[:500],
            result_url=result_url,
            finished_at=timezone.now(),
        )
    )


def job_fail(job_id: uuid.UUID | str, *, error: str) -> bool:
    """Mark a queued or running job failed with `error` (shown to its starter). Returns False
    if it had already ended."""
    return bool(
        Job.objects.filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
            status=Job.Status.FAILED, error=error, finished_at=timezone.now()
        )
    )


def job_execute(job_id: uuid.UUID | str) -> bool:
    """Run a queued job: called by core.tasks.job_run. Claims it (queued → running) with a
    conditional UPDATE, so a second delivery of the same job does nothing and returns False.
    An exception in the work marks the job failed with the error; it is logged, not re-raised
    (a retry would not claim the job again)."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return False
    job = Job.objects.get(pk=job_id)
    registered = job_kinds().get(job.kind)
    if registered is None:
        job_fail(job.pk, error=f"There is no kind of job called {job.kind!r}.")
        return True
    try:
        outcome = registered.function(job, **job.params) or {}
    except Exception as exc:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job_fail(job.pk, error=f"{type(exc).__name__}: {exc}")
        return True
    job_finish(job.pk, message=str(outcome.get("message", "")), result_url=str(outcome.get("result_url", "")))
    return True


def job_list_for(*, user, limit: int = 20) -> QuerySet[Job]:
    """The jobs `user` started, newest first."""
    if not is_staff_member(user):
        return Job.objects.none()
    return Job.objects.filter(started_by=user).order_by("-created_at")[:limit]


def job_get(*, user, job_id) -> Job:
    """The job, if `user` started it or is a supervisor. Raises NotFound otherwise: someone else's
    job is indistinguishable from one that does not exist."""
    job = Job.objects.filter(pk=job_id).first() if is_staff_member(user) else None
    if job is None or not (job.started_by_id == user.pk or is_supervisor(user)):
        raise errors.NotFound("There is no such job.")
    return job
