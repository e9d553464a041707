"""System checks: a delivery backend that cannot work is reported at start-up, not at the first
letter."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from communications.backends import CHANNELS_BY_BACKEND
from communications.models import Channel

_CHANNELS = tuple(Channel.values)


@register()
def delivery_backends(app_configs, **kwargs):
    problems = []
    chosen = settings.COMMUNICATIONS_BACKENDS
    for channel in _CHANNELS:
        backend = chosen.get(channel, "file")
        if channel not in CHANNELS_BY_BACKEND.get(backend, ()):
            allowed = " or ".join(name for name, channels in CHANNELS_BY_BACKEND.items() if channel in channels)
            problems.append(
                Error(
                    f"{channel.upper()}_DELIVERY is {backend!r}: {channel} messages can go through {allowed}.",
                    id="communications.E001",
                )
            )
    uses_notify = [channel for channel in _CHANNELS if chosen.get(channel) == "notify"]
    if uses_notify and not settings.NOTIFY_API_KEY:
        problems.append(
            Error("GOV.UK Notify is chosen for delivery but NOTIFY_API_KEY is empty.", id="communications.E002")
        )
    for channel, setting in (("email", "NOTIFY_EMAIL_TEMPLATE_ID"), ("sms", "NOTIFY_SMS_TEMPLATE_ID")):
        if channel in uses_notify and not getattr(settings, setting):
            problems.append(
                Warning(
                    f"{setting} is empty: {channel} messages through Notify will fail until it names the Notify "
                    "template whose content is ((subject)) / ((body)).",
                    id="communications.W001",
                )
            )
    return problems
