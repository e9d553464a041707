"""Emailing notifications. The communications app will take delivery over; until then this
uses Django's email backend (EMAIL_URL)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from casework.models import Notification


def notification_email_send(*, notification_id: int) -> bool:
    """Send the notification's email unless it has gone already (or the row is gone). The row
    stays locked while sending, so two deliveries of the same job send one email. Returns True
    if an email was sent."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "case")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None or not notification.recipient.email:
            return False
        subject = (
            f"[{notification.case.number}] {notification.get_kind_display()}"
            if notification.case
            else notification.get_kind_display()
        )
        send_mail(subject, notification.message, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return True
