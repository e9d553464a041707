"""Background jobs of communications (core.jobs): sending a batch, with its progress bar."""

from communications.batches import batch_send
from communications.models import Message
from core import jobs


@jobs.job_kind("communications.batch_send", label="Send letters in bulk")
def batch_send_job(job, *, batch_id: int) -> dict:
    """batch_send with progress on the jobs page and a summary at the end."""

    def progress(done: int, total: int) -> None:
        if done % 20 == 0 or done == total:
            jobs.job_progress(job.pk, done=done, total=total)

    outcome = batch_send(batch_id, progress=progress)
    summary = ", ".join(f"{n} {Message.Status(status).label.lower()}" for status, n in sorted(outcome.items()))
    return {"message": summary or "Nothing to send."}
