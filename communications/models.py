"""Templates (and their versions), messages and bulk batches. No I/O here: rendering is in
communications.rendering and communications.letters, delivery in communications.services."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Stamped


class Channel(models.TextChoices):
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


@pghistory.track()
class Template(Stamped):
    """A letter, email or text message a supervisor writes once and staff (or automation) send
    many times. The body is Django template language over a restricted context: only the merge
    fields in communications.fields, as plain values. Every saved change is a new
    TemplateVersion; a message records the version it was made from."""

    Channel = Channel

    key = models.SlugField(
        max_length=80, unique=True, help_text=_("How automation and the API name it, e.g. arrears-letter-1.")
    )
    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    description = models.TextField(blank=True, help_text=_("When staff should use it."))
    subject = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("An email's subject or a letter's heading (merge fields allowed). Text messages have none."),
    )
    body = models.TextField(
        help_text=_(
            "Merge fields in double braces, e.g. {{ contact.first_name }}. Letters and emails may use simple "
            "formatting: a line starting '# ' is a heading, '* ' a bullet, a blank line starts a paragraph."
        )
    )
    required_fields = ArrayField(
        models.CharField(max_length=80),
        default=list,
        blank=True,
        help_text=_(
            "Merge fields that must have a value: without one the message is not sent and the case is flagged."
        ),
    )
    is_active = models.BooleanField(default=True, help_text=_("Only active templates can be sent."))
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()})"


class TemplateVersion(models.Model):
    """A template as it was saved: what a message was made from. Never changed once written."""

    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    required_fields = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="communications_version_once")]
        triggers = [pgtrigger.Protect(name="template_version_append_only", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to send")
    BLOCKED = "blocked", _("Not sent: details missing")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


@pghistory.track()
class Message(models.Model):
    """One letter, email or text message, from the decision to send it to the provider's last
    word on it. `idempotency_key` is unique: whoever decides to send (a caseworker's click, an
    automation step, a batch) names the message, so deciding twice finds the first one.

    Statuses: pending → sending → sent → delivered, or failed. pending ↔ blocked while required
    details are missing; pending/blocked → cancelled. A worker claims a message by moving it
    pending → sending with a conditional UPDATE, so only one worker ever hands it over."""

    Status = MessageStatus
    Channel = Channel

    idempotency_key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    template_version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="messages")
    # What the message is about: a case, a contact, a rent account… (apps above this one).
    regarding_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    regarding_id = models.BigIntegerField(null=True, blank=True)
    regarding = GenericForeignKey("regarding_type", "regarding_id")
    batch = models.ForeignKey("Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="messages")

    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_address = ArrayField(models.CharField(max_length=200), default=list, blank=True)
    recipient_email = models.EmailField(blank=True)
    recipient_phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +447700900123")

    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True, help_text="As rendered when the decision to send was made.")
    missing_fields = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    document = models.CharField(max_length=300, blank=True, help_text="The stored PDF of a letter.")

    status = models.CharField(max_length=20, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    status_changed_at = models.DateTimeField(default=timezone.now)
    needs_review = models.BooleanField(default=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failure = models.CharField(max_length=500, blank=True)

    backend = models.CharField(max_length=40, blank=True, help_text="Which delivery backend took it.")
    provider_id = models.CharField(max_length=100, blank=True)
    provider_status = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the sweep next looks at it: another try for a waiting message, news for a sent one.
    next_poll_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["regarding_type", "regarding_id", "-created_at"], name="message_regarding_idx"),
            # The sweep (retries, stuck hand-overs, status polls) reads only messages in flight.
            models.Index(
                fields=["status", "next_poll_at"],
                name="message_in_flight_idx",
                condition=models.Q(status__in=["pending", "sending", "sent"]),
            ),
            models.Index(fields=["batch", "status"], name="message_batch_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MessageStatus.values), name="communications_message_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.idempotency_key}"


@pghistory.track()
class Batch(models.Model):
    """Many messages from one template, e.g. a letter to every case in a selection. Sending is a
    job that can be killed and started again: each target's message has the key
    batch-<id>-<target>, so a second run finds what the first made and sends only the rest."""

    class Status(models.TextChoices):
        READY = "ready", _("Ready")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="batches")
    regarding_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_ids = ArrayField(models.BigIntegerField(), help_text="What each message is about, in sending order.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.READY)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # When its run last got through a chunk of targets: a run silent for long has died.
    progressed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return f"{self.template.name}: {len(self.target_ids)}"
