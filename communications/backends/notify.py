"""GOV.UK Notify (notifications-python-client): letters as precompiled PDFs, email and SMS
through one Notify template each whose content is ((subject)) and ((body)). Our reference (the
message's idempotency key) goes with every message, so after a crash we can ask Notify whether it
already has one (`find`)."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from communications.backends.base import (
    DeliveryBackend,
    Outgoing,
    PermanentFailure,
    ProviderStatus,
    TemporaryFailure,
)

# Notify's statuses (docs.notifications.service.gov.uk, "Get the status of one message").
_DELIVERED = {"delivered", "received"}  # a letter is "received" once the printer has posted it
_FAILED = {
    "permanent-failure",
    "temporary-failure",  # Notify has stopped trying (a full inbox, a phone switched off)
    "technical-failure",
    "validation-failed",
    "virus-scan-failed",
    "cancelled",
}


def _failure(exc: APIError, doing: str) -> Exception:
    detail = f"Notify refused to {doing}: {exc.status_code} {exc.message}"
    if exc.status_code == 429 or exc.status_code >= 500:
        return TemporaryFailure(detail)
    return PermanentFailure(detail)


class NotifyBackend(DeliveryBackend):
    name = "notify"

    def __init__(self, *, api_key: str, base_url: str, email_template: str, sms_template: str, postage: str):
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=30)
        self.email_template = email_template
        self.sms_template = sms_template
        self.postage = postage

    @classmethod
    def from_settings(cls) -> NotifyBackend:
        if not settings.NOTIFY_API_KEY:
            raise ImproperlyConfigured("NOTIFY_API_KEY is empty: set it, or deliver through the file backend.")
        return cls(
            api_key=settings.NOTIFY_API_KEY,
            base_url=settings.NOTIFY_BASE_URL,
            email_template=settings.NOTIFY_EMAIL_TEMPLATE_ID,
            sms_template=settings.NOTIFY_SMS_TEMPLATE_ID,
            postage=settings.NOTIFY_LETTER_POSTAGE,
        )

    def send(self, message: Outgoing) -> str:
        try:
            if message.channel == "letter":
                response = self.client.send_precompiled_letter_notification(
                    reference=message.reference, pdf_file=io.BytesIO(message.pdf), postage=self.postage
                )
            elif message.channel == "email":
                response = self.client.send_email_notification(
                    email_address=message.email,
                    template_id=self._template(self.email_template, "NOTIFY_EMAIL_TEMPLATE_ID"),
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=message.reference,
                )
            else:
                response = self.client.send_sms_notification(
                    phone_number=message.phone,
                    template_id=self._template(self.sms_template, "NOTIFY_SMS_TEMPLATE_ID"),
                    personalisation={"body": message.body},
                    reference=message.reference,
                )
        except APIError as exc:
            raise _failure(exc, f"take the {message.channel}") from exc
        return str(response["id"])

    def _template(self, template_id: str, setting: str) -> str:
        if not template_id:
            raise PermanentFailure(f"{setting} is not set: Notify needs the id of the template to send through.")
        return template_id

    def status(self, provider_id: str) -> ProviderStatus:
        try:
            notification = self.client.get_notification_by_id(provider_id)
        except APIError as exc:
            raise TemporaryFailure(f"Notify could not be asked about {provider_id}: {exc}") from exc
        status = str(notification.get("status", ""))
        outcome = "delivered" if status in _DELIVERED else "failed" if status in _FAILED else "sent"
        return ProviderStatus(outcome=outcome, status=status, detail=f"Notify: {status}")

    def find(self, reference: str) -> str | None:
        try:
            found = self.client.get_all_notifications(reference=reference).get("notifications", [])
        except APIError as exc:
            raise TemporaryFailure(f"Notify could not be asked about {reference}: {exc}") from exc
        return str(found[0]["id"]) if found else None
