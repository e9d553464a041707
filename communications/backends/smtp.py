"""Email through Django's mail backend (EMAIL_URL: SMTP, or the console). SMTP says nothing
after it accepts a message, so a message it accepted counts as delivered."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from communications.backends.base import (
    DeliveryBackend,
    Outgoing,
    PermanentFailure,
    ProviderStatus,
    TemporaryFailure,
)


class SmtpBackend(DeliveryBackend):
    name = "smtp"

    def send(self, message: Outgoing) -> str:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.email],
            headers={"X-Reference": message.reference},
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"The mail server refused the address: {exc}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(f"The mail server could not be reached: {exc}") from exc
        return message.reference  # SMTP gives no id of its own; the X-Reference header carries ours

    def status(self, provider_id: str) -> ProviderStatus:
        return ProviderStatus(outcome="delivered", status="accepted")
