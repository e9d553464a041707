from celery import shared_task

from core import services


@shared_task(bind=True)
def record_heartbeat(self) -> None:
    services.heartbeat_record(name="worker", hostname=self.request.hostname or "")


@shared_task
def job_run(job_id: str) -> None:
    """Run a job started from the staff pages (core.jobs). Safe to deliver twice: only the
    delivery that claims the queued job runs it."""
    from core import jobs

    jobs.job_execute(job_id)
