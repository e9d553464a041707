"""In-app notifications, each also emailed once by a job after the change commits."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.db import transaction

from casework.models import Notification


def notify(*, recipients: Iterable, kind: str, message: str, case=None, task=None, note=None) -> list[Notification]:
    """Put `message` in each recipient's notification list and queue its email. Inactive users
    and duplicates are skipped. Call inside the transaction of the change that causes it: if that
    rolls back, nobody is notified."""
    from casework import tasks

    seen: set[int] = set()
    created = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        created.append(
            Notification.objects.create(
                recipient=user, kind=kind, message=message[:500], case=case, task=task, note=note
            )
        )
    for notification in created:
        transaction.on_commit(partial(tasks.notification_email_send.delay, notification.pk))
    return created
