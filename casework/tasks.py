"""Celery jobs for casework: thin wrappers over services, safe to run twice."""

from celery import shared_task

from casework.services import notifications_email


@shared_task(name="casework.notification_email_send", acks_late=True, ignore_result=True)
def notification_email_send(notification_id: int) -> bool:
    """Email one in-app notification to its recipient, at most once."""
    return notifications_email.notification_email_send(notification_id=notification_id)
