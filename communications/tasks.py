"""Celery tasks of communications: thin wrappers over communications.services. Each is safe to
run twice: the services claim a message before acting on it."""

from celery import shared_task

from communications import services


@shared_task(name="communications.message_deliver", acks_late=True, ignore_result=True)
def message_deliver(message_id: int) -> str:
    return services.message_deliver(message_id)


@shared_task(name="communications.messages_sweep", acks_late=True, ignore_result=True)
def messages_sweep() -> dict[str, int]:
    """Every minute (beat): retry waiting messages that are due, settle hand-overs whose worker
    died, and ask providers about sent messages. Deliveries fan out to the workers."""
    due = services.messages_due()
    for message_id in due["deliver"]:
        message_deliver.delay(message_id)
    recovered = [services.message_recover(message_id) for message_id in due["recover"]]
    polled = [services.message_poll(message_id) for message_id in due["poll"]]
    return {"queued": len(due["deliver"]), "recovered": len(recovered), "polled": len(polled)}
