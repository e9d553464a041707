"""Delivery backends: how a message leaves us. One interface (base.DeliveryBackend), chosen per
channel by settings.COMMUNICATIONS_BACKENDS: "notify", "smtp" (email) or "file"."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from communications.backends.base import DeliveryBackend

# Each backend and the channels it can deliver.
CHANNELS_BY_BACKEND = {"notify": {"letter", "email", "sms"}, "smtp": {"email"}, "file": {"letter", "email", "sms"}}


def backend_for(channel: str) -> DeliveryBackend:
    name = settings.COMMUNICATIONS_BACKENDS.get(channel, "file")
    if channel not in CHANNELS_BY_BACKEND.get(name, ()):
        raise ImproperlyConfigured(f"{name!r} cannot deliver {channel} messages (communications.checks).")
    if name == "file":
        from communications.backends.file import FileBackend

        return FileBackend(settings.COMMUNICATIONS_OUTBOX)
    if name == "smtp":
        from communications.backends.smtp import SmtpBackend

        return SmtpBackend()
    from communications.backends.notify import NotifyBackend

    return NotifyBackend.from_settings()
