"""Reading notifications: each user marks their own in-app notifications as read."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from casework.models import Notification
from core import errors
from core.audit import audited
from core.models import User


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@transaction.atomic
def notification_mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's notifications as read (again is harmless: the first time read
    stands). Who: the notification's recipient only. Raises NotFound for a notification that
    does not exist or is someone else's (the two are not told apart)."""
    notification = (
        Notification.objects.select_for_update()
        .filter(pk=notification_id, recipient_id=actor.pk if _signed_in(actor) else None)
        .first()
    )
    if notification is None:
        raise errors.NotFound("There is no such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        with audited(actor=actor, action="notification_mark_read"):
            notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor's as read; returns how many there were.
    Who: any signed-in user, for their own notifications."""
    if not _signed_in(actor):
        raise errors.PermissionDenied("Sign in to read your notifications.")
    with audited(actor=actor, action="notification_mark_all_read"):
        return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
