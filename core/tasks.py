from celery import shared_task

from core import services


@shared_task(bind=True)
def record_heartbeat(self) -> None:
    services.heartbeat_record(name="worker", hostname=self.request.hostname or "")
