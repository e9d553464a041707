"""Delivery backends: how a message leaves us. One interface (base.DeliveryBackend), chosen per
channel by settings.COMMUNICATIONS_BACKENDS: "notify", "smtp" (email) or "file"."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from communications.backends.base import DeliveryBackend


def backend_for(channel: str) -> DeliveryBackend:
    name = settings.COMMUNICATIONS_BACKENDS.get(channel, "file")
    if name == "file":
        from communications.backends.file import FileBackend

        return FileBackend(settings.COMMUNICATIONS_OUTBOX)
    if name == "smtp":
        if channel != "email":
            raise ImproperlyConfigured(f"SMTP delivers email only, not {channel} messages.")
        from communications.backends.smtp import SmtpBackend

        return SmtpBackend()
    if name == "notify":
        from communications.backends.notify import NotifyBackend

        return NotifyBackend.from_settings()
    raise ImproperlyConfigured(f"{name!r} is not a delivery backend: use notify, smtp or file.")
