"""The interface every delivery backend offers, and what it says back."""

from __future__ import annotations

from dataclasses import dataclass, field


class DeliveryError(Exception):
    """The provider did not take the message."""


class TemporaryFailure(DeliveryError):
    """Worth trying again later: the provider is down, slow or rate-limiting us."""


class PermanentFailure(DeliveryError):
    """Trying again will not help: the provider refused the message (validation failed)."""


class LookupNotSupported(Exception):
    """The backend cannot tell whether it has already been handed a message."""


@dataclass(frozen=True)
class Outgoing:
    """A message as handed to a backend. `reference` is the message's idempotency key: the
    provider stores it, so after a crash we can ask whether it already has the message."""

    reference: str
    channel: str
    subject: str = ""
    body: str = ""  # formatting source (letters, email) or plain text (SMS)
    html: str = ""
    email: str = ""
    phone: str = ""
    address: list[str] = field(default_factory=list)
    pdf: bytes = b""


@dataclass(frozen=True)
class ProviderStatus:
    """The provider's word on a message: `outcome` is "sent" (still on its way), "delivered" or
    "failed"; `status` is the provider's own status name."""

    outcome: str
    status: str
    detail: str = ""


class DeliveryBackend:
    name = ""

    def send(self, message: Outgoing) -> str:
        """Hand the message over; returns the provider's id for it. Raises TemporaryFailure or
        PermanentFailure."""
        raise NotImplementedError

    def status(self, provider_id: str) -> ProviderStatus:
        """The provider's current status of a message handed over earlier. Raises
        TemporaryFailure when it cannot be asked now."""
        raise NotImplementedError

    def find(self, reference: str) -> str | None:
        """The provider's id of a message handed over earlier with `reference`, or None if it
        never got one. Raises LookupNotSupported when the backend cannot tell."""
        raise LookupNotSupported(self.name)
