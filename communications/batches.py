"""Bulk sending: one template to many targets (cases, say), as a batch that can be killed and
run again without losing or repeating a letter.

Each target's message has the key batch-<batch>-<target>, so a run that finds a message from
an earlier run uses it: one already handed over is skipped, one still waiting is sent, and one
an interrupted run was handing over is settled by asking the provider (services.message_recover)
before anything is sent again. Runs go through core.jobs (a progress bar on the staff pages) or
the send_batch management command (a progress bar in the terminal)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from communications import services
from communications.fields import context_for, instances_for_context, provides_context
from communications.models import Batch, Message, Template
from core import errors, jobs
from core.models import Job
from core.permissions import is_supervisor

BATCH_MAX = 50_000
CHUNK = 200  # targets loaded (and progress recorded) at a time


def batch_create(*, actor, template: Template, targets: QuerySet | Iterable) -> Batch:
    """A batch of `template` to each of `targets` (a queryset, or model instances of one kind,
    e.g. cases), in their order, each once. Who: supervisors. Raises PermissionDenied;
    ValidationError for no targets, too many, targets of mixed kinds or of a kind nothing
    provides merge fields for, or an inactive template."""
    if not is_supervisor(actor):
        raise errors.PermissionDenied("Only supervisors can send letters in bulk.")
    if isinstance(targets, QuerySet):
        model, ids = targets.model, list(targets.values_list("pk", flat=True)[: BATCH_MAX + 1])
    else:
        instances = list(targets)
        kinds = {type(instance) for instance in instances}
        model = kinds.pop() if len(kinds) == 1 else None
        ids = [instance.pk for instance in instances]
    ids = list(dict.fromkeys(ids))
    problems: dict[str, list[str]] = {}
    if not template.is_active or not template.version:
        problems["template"] = [f"“{template.name}” is not in use."]
    if not ids:
        problems["targets"] = ["Choose at least one case."]
    elif len(ids) > BATCH_MAX:
        problems["targets"] = [f"A batch can have at most {BATCH_MAX:,} cases: choose fewer."]
    elif model is None or not provides_context(model):
        problems["targets"] = ["A batch goes to one kind of record that messages can be about."]
    if problems:
        raise errors.ValidationError(fields=problems)
    return Batch.objects.create(
        template=template, regarding_type=ContentType.objects.get_for_model(model), target_ids=ids, created_by=actor
    )


def batch_start(*, actor, batch: Batch) -> Job:
    """Send the batch in the background (a job with a progress bar), or resume it after its
    run died. Who: supervisors. Raises Conflict while a run is going or once it is done."""
    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        if batch.status in {Batch.Status.DONE, Batch.Status.CANCELLED}:
            raise errors.Conflict(f"This batch is {batch.get_status_display().lower()}.")
        running = Job.objects.filter(pk=batch.job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).exists()
        if running and not _is_dead(batch):
            raise errors.Conflict("This batch is being sent already.")
        if batch.job_id:
            jobs.job_fail(batch.job_id, error="Stopped before it finished; the batch was started again.")
        job = jobs.job_start(
            actor=actor,
            kind="communications.batch_send",
            label=f"Send “{batch.template.name}” to {len(batch.target_ids):,}",
            total=len(batch.target_ids),
            batch_id=batch.pk,
        )
        # Counted from now: a run that has not yet finished its first chunk is not a dead one.
        batch.job, batch.status, batch.progressed_at = job, Batch.Status.SENDING, timezone.now()
        batch.save(update_fields=["job", "status", "progressed_at"])
    return job


def _is_dead(batch: Batch) -> bool:
    """Its run has made no progress for longer than any one letter could take: its worker died."""
    return batch.progressed_at is None or timezone.now() - batch.progressed_at > services.STUCK_AFTER


def batch_send(batch_id: int, *, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Make and send every message of the batch not already on its way; returns how many
    messages ended in each status. Safe to run again after a crash (see the module)."""
    batch = Batch.objects.select_related("template", "regarding_type", "created_by").get(pk=batch_id)
    model = batch.regarding_type.model_class()
    total = len(batch.target_ids)
    Batch.objects.filter(pk=batch_id, status=Batch.Status.READY).update(status=Batch.Status.SENDING)
    done = 0
    for start in range(0, total, CHUNK):
        chunk = batch.target_ids[start : start + CHUNK]
        instances = instances_for_context(model, chunk)
        keys = {target: f"batch-{batch.pk}-{target}" for target in chunk}
        earlier = dict(Message.objects.filter(idempotency_key__in=keys.values()).values_list("idempotency_key", "pk"))
        for target in chunk:
            _send_one(batch, instances.get(target), keys[target], earlier.get(keys[target]))
            done += 1
            if progress:
                progress(done, total)
        Batch.objects.filter(pk=batch_id).update(progressed_at=timezone.now())
    Batch.objects.filter(pk=batch_id).update(status=Batch.Status.DONE, finished_at=timezone.now())
    return batch_outcome(batch_id)


def _send_one(batch: Batch, target, key: str, earlier_id: int | None) -> None:
    if earlier_id is None:
        if target is None:
            return  # deleted since the batch was made: nothing to send to
        try:
            with transaction.atomic():
                message, _created = services.message_request(
                    actor=batch.created_by,
                    key=key,
                    template=batch.template,
                    context=context_for(target),
                    regarding=target,
                    batch=batch,
                )
        except errors.DomainError as exc:  # an unusable recipient, say: recorded, and the batch goes on
            services.message_record_refused(
                actor=batch.created_by, key=key, template=batch.template, regarding=target, batch=batch, refusal=exc
            )
            return
        earlier_id = message.pk
    status = Message.objects.filter(pk=earlier_id).values_list("status", flat=True).first()
    if status == Message.Status.PENDING:
        services.message_deliver(earlier_id)
    elif status == Message.Status.SENDING and services.message_recover(earlier_id) == "requeued":
        # Only an interrupted run leaves one sending: the provider was asked before sending again.
        services.message_deliver(earlier_id)
    # Anything else (sent, delivered, failed, blocked, cancelled) is done with.


def batch_outcome(batch_id: int) -> dict[str, int]:
    counts = Message.objects.filter(batch_id=batch_id).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in counts}
