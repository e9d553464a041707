"""Celery jobs for casework: thin wrappers over services, safe to run twice."""

from celery import shared_task

from casework.services import clocks, notifications_email, paths, sweeps


@shared_task(name="casework.notification_email_send", acks_late=True, ignore_result=True)
def notification_email_send(notification_id: int) -> bool:
    """Email one in-app notification to its recipient, at most once."""
    return notifications_email.notification_email_send(notification_id=notification_id)


@shared_task(name="casework.notification_emails_send", acks_late=True, ignore_result=True)
def notification_emails_send(notification_ids: list[int]) -> int:
    """Email a batch of in-app notifications (a sweep's), each at most once."""
    return sum(notifications_email.notification_email_send(notification_id=pk) for pk in notification_ids)


@shared_task(name="casework.sla_sweep", acks_late=True, ignore_result=True)
def sla_sweep() -> int:
    """Fire the SLA rungs (amber, exceeded, follow-on) that are due."""
    return sweeps.clocks_sweep(kind="sla").fired


@shared_task(name="casework.timeout_sweep", acks_late=True, ignore_result=True)
def timeout_sweep() -> int:
    """Fire the timeout rungs (reminders, closing) that are due."""
    return sweeps.clocks_sweep(kind="timeout").fired


@shared_task(name="casework.clock_messages_send", acks_late=True, ignore_result=True)
def clock_messages_send(milestone_ids: list[int]) -> int:
    """Send the applicant messages of fired rungs (each once)."""
    return sweeps.clock_messages_send(milestone_ids=milestone_ids)


@shared_task(name="casework.clocks_reproject", acks_late=True, ignore_result=True)
def clocks_reproject(clock_ids: list[int]) -> int:
    """Work out what the given clocks used (after a bulk stop)."""
    return clocks.clocks_reproject(clock_ids=clock_ids)


@shared_task(name="casework.clocks_recalculate", acks_late=True, ignore_result=True)
def clocks_recalculate(rule_id: int | None = None, calendar_id: int | None = None) -> int:
    """Re-project the open clocks of a changed rule or calendar."""
    return clocks.clocks_recalculate(rule_id=rule_id, calendar_id=calendar_id)


@shared_task(name="casework.delays_sweep", acks_late=True, ignore_result=True)
def delays_sweep() -> int:
    """Wake the workflow-path runs whose delay is over."""
    return paths.delays_sweep().fired
