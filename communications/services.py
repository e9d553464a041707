"""Every write of communications: templates and their versions, the decision to send a message,
its delivery, the provider's later word on it, and review of the ones that went wrong.

Exactly once: a message is a row with a unique idempotency key, written in the transaction
that decides to send it. Delivery claims it (pending → sending) with a conditional UPDATE, so
only one worker hands it over. A worker that dies mid-hand-over leaves it `sending`; the
recovery sweep asks the provider whether it got the message (by our reference) before anything
is sent again, and if the provider cannot say, the message is failed for a person to check
rather than risk a second letter."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import slugify

from communications import rendering
from communications.backends import backend_for
from communications.backends.base import LookupNotSupported, Outgoing, PermanentFailure, TemporaryFailure
from communications.letters import LetterError, address_lines, letter_pdf
from communications.models import Channel, Message, Template, TemplateVersion
from core import errors
from core.permissions import is_staff_member, is_supervisor

logger = logging.getLogger(__name__)

# Sent after a message's status changes (and when one is first recorded), inside the transaction
# that changed it: apps above this one write their feed entries, flags and tasks from it.
# Arguments: message, previous (the status before; "" when new).
message_changed = Signal()

KEY_MAX_LENGTH = 200  # Message.idempotency_key
MAX_ATTEMPTS = 6  # hand-over attempts before a message fails for good (about an hour of backoff)
RETRY_FIRST = datetime.timedelta(minutes=2)  # then doubling: 2, 4, 8, 16, 32 minutes
STUCK_AFTER = datetime.timedelta(minutes=10)  # a hand-over longer than this means its worker died
LOST_AFTER = datetime.timedelta(minutes=2)  # a waiting message nobody picked up (its job was lost)
POLL_FIRST = datetime.timedelta(minutes=5)
POLL_MOST = datetime.timedelta(hours=6)
POLL_FOR = datetime.timedelta(days=30)  # after this the provider's last word stands


def _refuse(fields: dict[str, list[str]]) -> errors.ValidationError:
    return errors.ValidationError("The template has problems.", fields=fields)


# --- templates -------------------------------------------------------------------------------

_TEXT_FIELDS = ("subject", "body", "required_fields")
_EDITABLE = ("name", "description", "is_active", *_TEXT_FIELDS)


def template_save(*, actor, template: Template | None = None, **changes) -> Template:
    """Create a template (`template` None; `key` and `channel` required) or change one. A change
    to its text or required fields is a new version; messages keep the version they were made
    from. The channel and key never change once created.

    Who: supervisors (or the system). Raises PermissionDenied; ValidationError (per field) for
    a syntax error or unknown merge field (with the line at fault), a missing subject on an
    email, a subject on a text message, an unknown required field, or a key already taken."""
    if actor is not None and not is_supervisor(actor):
        raise errors.PermissionDenied("Only supervisors can write templates.")
    unknown = set(changes) - {*_EDITABLE, "key", "channel"}
    if unknown:
        raise errors.ValidationError(fields={name: ["This cannot be changed here."] for name in sorted(unknown)})
    with transaction.atomic():
        if template is None:
            template = Template(created_by=actor)
            key = slugify(changes.pop("key", "") or "")
            if not key:
                raise _refuse({"key": ["Give the template a key, e.g. arrears-letter-1."]})
            if Template.objects.filter(key=key).exists():
                raise _refuse({"key": [f"There is already a template with the key “{key}”."]})
            template.key = key
            channel = changes.pop("channel", "")
            if channel not in Channel.values:
                raise _refuse({"channel": ["Choose letter, email or text message."]})
            template.channel = channel
            before = None
        else:
            template = Template.objects.select_for_update().get(pk=template.pk)
            if {"key", "channel"} & set(changes):
                fixed = [name for name in ("key", "channel") if name in changes]
                raise _refuse({name: ["This cannot change once the template exists."] for name in fixed})
            before = {name: getattr(template, name) for name in _TEXT_FIELDS}
        for name, value in changes.items():
            setattr(template, name, value)
        template.name = (template.name or "").strip()
        template.required_fields = [name.strip() for name in template.required_fields if name.strip()]
        problems = rendering.template_problems(
            channel=template.channel,
            subject=template.subject,
            body=template.body,
            required_fields=template.required_fields,
        )
        if not template.name:
            problems.setdefault("name", []).append("Give the template a name.")
        if problems:
            raise _refuse(problems)
        text_changed = before is None or any(getattr(template, name) != before[name] for name in _TEXT_FIELDS)
        if text_changed:
            template.version += 1
        template.updated_by = actor
        template.updated_at = timezone.now()
        template.save()
        if text_changed:
            TemplateVersion.objects.create(
                template=template,
                number=template.version,
                channel=template.channel,
                subject=template.subject,
                body=template.body,
                required_fields=template.required_fields,
                created_by=actor,
            )
    return template


def template_current_version(template: Template) -> TemplateVersion:
    return TemplateVersion.objects.get(template=template, number=template.version)


def message_preview(*, version: TemplateVersion | Template, context: dict[str, Any]) -> rendering.Rendered:
    """What a template would say with `context`, and what it lacks to be sent: its required
    fields, and the recipient's address, email or phone for its channel."""
    if isinstance(version, Template):
        version = template_current_version(version)
    rendered = rendering.render(
        subject=version.subject, body=version.body, required_fields=version.required_fields, context=context
    )
    try:
        _recipient_fields, recipient_missing = _recipient(version.channel, context)
    except errors.ValidationError:
        recipient_missing = []  # there but unusable: sending says so, with the reason
    rendered.missing = list(dict.fromkeys([*rendered.missing, *recipient_missing]))
    return rendered


def letter_preview_pdf(rendered: rendering.Rendered, context: dict[str, Any]) -> bytes:
    """The letter's PDF for a preview (the address must fit, as for a real letter)."""
    try:
        return letter_pdf(
            subject=rendered.subject,
            body=rendered.body,
            name=str(context.get("recipient.name") or ""),
            address=list(context.get("recipient.address") or []),
        )
    except LetterError as exc:
        raise errors.ValidationError(fields={"recipient.address": [str(exc)]}) from exc


# --- the decision to send --------------------------------------------------------------------


def _recipient(channel: str, context: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Who the message goes to, as Message fields, and the recipient fields that are missing.
    Raises ValidationError for a recipient that is there but unusable (an invalid email or
    phone number, an address that will not fit the envelope window)."""
    name = str(context.get("recipient.name") or "").strip()
    if channel == Channel.LETTER:
        address = [str(line).strip() for line in context.get("recipient.address") or [] if str(line).strip()]
        missing = [field for field, value in (("recipient.name", name), ("recipient.address", address)) if not value]
        if not missing:
            try:
                address_lines(name, address)
            except LetterError as exc:
                raise errors.ValidationError(fields={"recipient.address": [str(exc)]}) from exc
        return {"recipient_name": name, "recipient_address": address}, missing
    if channel == Channel.EMAIL:
        email = str(context.get("recipient.email") or "").strip()
        if not email:
            return {"recipient_name": name}, ["recipient.email"]
        try:
            validate_email(email)
        except DjangoValidationError as exc:
            raise errors.ValidationError(fields={"recipient.email": [f"“{email}” is not an email address."]}) from exc
        return {"recipient_name": name, "recipient_email": email}, []
    phone = str(context.get("recipient.phone") or "").strip()
    if not phone:
        return {"recipient_name": name}, ["recipient.phone"]
    return {"recipient_name": name, "recipient_phone": phone_for_sms(phone)}, []


def phone_for_sms(phone: str) -> str:
    """`phone` in E.164 if it is a mobile number a text can go to. Raises ValidationError."""
    refused = errors.ValidationError(
        fields={"recipient.phone": [f"“{phone}” is not a mobile phone number a text message can be sent to."]}
    )
    try:
        number = phonenumbers.parse(phone, settings.PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise refused from exc
    mobile = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    is_mobile = phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in mobile
    if not (is_mobile or _is_drama_mobile(number)):
        raise refused
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _is_drama_mobile(number: phonenumbers.PhoneNumber) -> bool:
    """Ofcom keeps 07700 900000-900999 for fiction: never anyone's phone, so the demo data and
    tests use them, and they go (to the file backend) like any mobile number."""
    return number.country_code == 44 and 7700900000 <= (number.national_number or 0) <= 7700900999


def message_request(
    *,
    actor,
    key: str,
    template: Template,
    context: dict[str, Any],
    regarding=None,
    batch=None,
) -> tuple[Message, bool]:
    """Record the decision to send `template` with `context` under the idempotency `key`, in the
    caller's transaction, and queue its delivery for after the commit. Returns (message, True),
    or (the message already recorded under `key`, False): deciding twice sends once.

    A message whose required fields (or recipient) are missing is recorded as blocked, not
    sent; `message_changed` lets the app it is about flag that. Who: staff or the system.
    Raises PermissionDenied; ValidationError for an inactive template or an unusable
    recipient (nothing is recorded then)."""
    if actor is not None and not is_staff_member(actor):
        raise errors.PermissionDenied("Only staff can send messages.")
    key = key.strip()
    if not key or len(key) > KEY_MAX_LENGTH:
        raise errors.ValidationError(fields={"key": ["A message needs a key of at most 200 characters."]})
    existing = Message.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    if not template.is_active:
        raise errors.ValidationError(fields={"template": [f"“{template.name}” is not in use any more."]})
    version = template_current_version(template)
    rendered = message_preview(version=version, context=context)
    recipient, _missing = _recipient(version.channel, context)
    missing = rendered.missing
    message = Message(
        idempotency_key=key,
        channel=version.channel,
        template_version=version,
        regarding=regarding,
        batch=batch,
        subject=rendered.subject,
        body=rendered.body,
        missing_fields=missing,
        status=Message.Status.BLOCKED if missing else Message.Status.PENDING,
        needs_review=bool(missing),
        created_by=actor,
        **recipient,
    )
    try:
        with transaction.atomic():  # a savepoint: a concurrent decision under the same key wins
            message.save()
    except IntegrityError:
        return Message.objects.get(idempotency_key=key), False
    _changed(message, "")
    if message.status == Message.Status.PENDING:
        _queue_delivery(message)
    return message, True


def message_record_refused(
    *, actor, key: str, template: Template, regarding, batch, refusal: errors.DomainError
) -> Message:
    """Record, as failed and needing review, a message a batch could not make (its recipient
    is unusable), so the batch goes on and the case shows what did not go."""
    reasons = [m for messages in refusal.fields.values() for m in messages] or [refusal.message]
    message, created = Message.objects.get_or_create(
        idempotency_key=key,
        defaults={
            "channel": template.channel,
            "template_version": template_current_version(template),
            "regarding": regarding,
            "batch": batch,
            "status": Message.Status.FAILED,
            "needs_review": True,
            "failure": " ".join(reasons)[:500],
            "created_by": actor,
        },
    )
    if created:
        _changed(message, "")
    return message


def message_refresh(*, actor, message: Message, context: dict[str, Any]) -> Message:
    """Render a blocked message again with `context` (the details as they are now): if nothing
    is missing any more it is queued to send; otherwise it stays blocked, listing what is.
    Who: staff. Raises PermissionDenied; Conflict unless the message is blocked."""
    if actor is not None and not is_staff_member(actor):
        raise errors.PermissionDenied("Only staff can send messages.")
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.status != Message.Status.BLOCKED:
            raise errors.Conflict(f"This message is {message.get_status_display().lower()}, not waiting for details.")
        version = message.template_version
        rendered = message_preview(version=version, context=context)
        recipient, _missing = _recipient(version.channel, context)
        missing = rendered.missing
        message.subject, message.body, message.missing_fields = rendered.subject, rendered.body, missing
        for name, value in recipient.items():
            setattr(message, name, value)
        if not missing:
            message.status, message.status_changed_at = Message.Status.PENDING, timezone.now()
            message.needs_review = False
        message.save()
        if not missing:
            _changed(message, Message.Status.BLOCKED)
            _queue_delivery(message)
    return message


def message_cancel(*, actor, message: Message, reason: str) -> Message:
    """Stop a message that has not been handed over (waiting, or blocked). Who: staff. Raises
    PermissionDenied; ValidationError without a reason; Conflict once it is on its way."""
    if not is_staff_member(actor):
        raise errors.PermissionDenied("Only staff can cancel messages.")
    if not reason.strip():
        raise errors.ValidationError(fields={"reason": ["Say why the message is cancelled."]})
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.status not in {Message.Status.PENDING, Message.Status.BLOCKED}:
            status = message.get_status_display().lower()
            raise errors.Conflict(f"This message is {status}: it can no longer be stopped.")
        previous = message.status
        message.status, message.status_changed_at = Message.Status.CANCELLED, timezone.now()
        message.failure, message.needs_review = f"Cancelled: {reason.strip()}"[:500], False
        message.save()
        _changed(message, previous)
    return message


def message_review(*, actor, message: Message) -> Message:
    """Mark a failed or blocked message as seen by a person (clears the case's flag for it).
    Who: staff. Raises PermissionDenied; Conflict if it does not need review."""
    if not is_staff_member(actor):
        raise errors.PermissionDenied("Only staff can review messages.")
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if not message.needs_review:
            raise errors.Conflict("This message does not need reviewing.")
        message.needs_review, message.reviewed_by, message.reviewed_at = False, actor, timezone.now()
        message.save(update_fields=["needs_review", "reviewed_by", "reviewed_at"])
    return message


def _changed(message: Message, previous: str) -> None:
    message_changed.send(sender=Message, message=message, previous=previous)


def _queue_delivery(message: Message) -> None:
    from communications.tasks import message_deliver  # tasks import this module

    message_id = message.pk
    transaction.on_commit(lambda: message_deliver.delay(message_id))


# --- delivery --------------------------------------------------------------------------------


def _move(message_id: int, *, source: set[str], target: str, **fields) -> Message | None:
    """Move a message from one of `source` to `target` with a conditional UPDATE; the message
    as it is afterwards, or None when it was not in `source` (someone else moved it)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id, status__in=source).first()
        if message is None:
            return None
        previous = message.status
        message.status, message.status_changed_at = target, timezone.now()
        for name, value in fields.items():
            setattr(message, name, value)
        message.save()
        if previous != target:
            _changed(message, previous)
    return message


def _fail(message_id: int, reason: str, *, source: set[str]) -> Message | None:
    return _move(message_id, source=source, target=Message.Status.FAILED, failure=reason[:500], needs_review=True)


def message_letter_pdf(message: Message) -> bytes:
    """A letter's PDF: the one handed over, or (not handed over yet) as it will be. Raises
    NotFound for an email or text, ValidationError if its address cannot make a letter."""
    if message.channel != Channel.LETTER:
        raise errors.NotFound("Only letters have a PDF.")
    try:
        return _stored_or_made(message)[0]
    except LetterError as exc:
        raise errors.ValidationError(fields={"recipient.address": [str(exc)]}) from exc


def _stored_or_made(message: Message) -> tuple[bytes, bool]:
    """The letter's PDF and whether it was stored already; raises LetterError."""
    storage = storages["documents"]
    if message.document and storage.exists(message.document):
        with storage.open(message.document, "rb") as stored:
            return stored.read(), True
    made = letter_pdf(
        subject=message.subject, body=message.body, name=message.recipient_name, address=message.recipient_address
    )
    return made, False


def _letter(message: Message) -> bytes:
    """The letter's PDF: stored once (under the message's id) and reused on a second try."""
    pdf, stored = _stored_or_made(message)
    if stored:
        return pdf
    storage = storages["documents"]
    stamp, slug = message.created_at, slugify(message.idempotency_key)[:60]
    name = storage.save(f"letters/{stamp:%Y/%m}/{message.pk}-{slug}.pdf", ContentFile(pdf))
    Message.objects.filter(pk=message.pk).update(document=name)
    message.document = name
    return pdf


def message_deliver(message_id: int) -> str:
    """Hand a waiting message to its channel's backend, once. Returns what happened: "sent",
    "retry" (a temporary failure: it waits again, with backoff, for the sweep), "failed", or
    "skipped" (not waiting: another worker has it, or it is done). Safe to call twice and
    after a crash: only the call that claims the message (pending → sending) hands it over."""
    message = _move(message_id, source={Message.Status.PENDING}, target=Message.Status.SENDING, next_poll_at=None)
    if message is None:
        return "skipped"
    attempts = message.attempts + 1
    Message.objects.filter(pk=message_id).update(attempts=attempts)
    backend = backend_for(message.channel)
    try:
        pdf = _letter(message) if message.channel == Channel.LETTER else b""
        provider_id = backend.send(
            Outgoing(
                reference=message.idempotency_key,
                channel=message.channel,
                subject=message.subject,
                body=message.body,
                html=rendering.body_html(message.body) if message.channel == Channel.EMAIL else "",
                email=message.recipient_email,
                phone=message.recipient_phone,
                address=[message.recipient_name, *message.recipient_address],
                pdf=pdf,
            )
        )
    except TemporaryFailure as exc:
        if attempts >= MAX_ATTEMPTS:
            _fail(message_id, f"Gave up after {MAX_ATTEMPTS} tries: {exc}", source={Message.Status.SENDING})
            return "failed"
        # Back to waiting; the sweep (messages_sweep) tries again when next_poll_at comes.
        retry_at = timezone.now() + RETRY_FIRST * 2 ** (attempts - 1)
        _move(
            message_id,
            source={Message.Status.SENDING},
            target=Message.Status.PENDING,
            failure=str(exc)[:500],
            next_poll_at=retry_at,
        )
        return "retry"
    except (PermanentFailure, LetterError) as exc:
        _fail(message_id, str(exc), source={Message.Status.SENDING})
        return "failed"
    _mark_sent(message_id, backend.name, provider_id)
    return "sent"


def _mark_sent(message_id: int, backend: str, provider_id: str) -> Message | None:
    now = timezone.now()
    return _move(
        message_id,
        source={Message.Status.SENDING},
        target=Message.Status.SENT,
        backend=backend,
        provider_id=provider_id,
        sent_at=now,
        failure="",
        next_poll_at=now + POLL_FIRST,
    )


def message_poll(message_id: int) -> str:
    """Ask the provider how a sent message is doing and record it: "delivered", "failed"
    (flagged for review), "sent" (asked again later, less often), or "skipped"."""
    message = Message.objects.filter(pk=message_id, status=Message.Status.SENT).first()
    if message is None:
        return "skipped"
    now = timezone.now()
    try:
        status = backend_for(message.channel).status(message.provider_id)
    except TemporaryFailure:
        Message.objects.filter(pk=message_id, status=Message.Status.SENT).update(next_poll_at=now + POLL_FIRST)
        return "sent"
    if status.outcome == "delivered":
        _move(
            message_id,
            source={Message.Status.SENT},
            target=Message.Status.DELIVERED,
            provider_status=status.status,
            delivered_at=now,
            next_poll_at=None,
        )
        return "delivered"
    if status.outcome == "failed":
        _move(
            message_id,
            source={Message.Status.SENT},
            target=Message.Status.FAILED,
            provider_status=status.status,
            failure=status.detail or status.status,
            needs_review=True,
            next_poll_at=None,
        )
        return "failed"
    waited = now - (message.sent_at or now)
    later = None if waited > POLL_FOR else now + min(POLL_MOST, max(POLL_FIRST, waited / 4))
    Message.objects.filter(pk=message_id, status=Message.Status.SENT).update(
        provider_status=status.status, next_poll_at=later
    )
    return "sent"


def message_recover(message_id: int) -> str:
    """Settle a message whose hand-over never finished (its worker died): if the provider has
    it (asked by our reference) it is sent; if the provider never got it, it waits to be sent
    again; if the provider cannot say, it fails for a person to check, rather than risk
    sending twice. Returns "sent", "requeued", "failed" or "skipped"."""
    message = Message.objects.filter(pk=message_id, status=Message.Status.SENDING).first()
    if message is None:
        return "skipped"
    backend = backend_for(message.channel)
    try:
        provider_id = backend.find(message.idempotency_key)
    except LookupNotSupported:
        _fail(
            message_id,
            f"The hand-over to {backend.name} was interrupted and it cannot tell whether it took the message: "
            "check with the provider before sending it again.",
            source={Message.Status.SENDING},
        )
        return "failed"
    except TemporaryFailure:
        return "skipped"  # ask again on the next sweep
    if provider_id:
        return "sent" if _mark_sent(message_id, backend.name, provider_id) else "skipped"
    moved = _move(message_id, source={Message.Status.SENDING}, target=Message.Status.PENDING)
    if moved is None:
        return "skipped"
    _queue_delivery(moved)
    return "requeued"


def messages_due(*, now: datetime.datetime | None = None, limit: int = 500) -> dict[str, list[int]]:
    """What the sweep has to do now: messages to "deliver" (waiting, and due for another try or
    never picked up), to "recover" (stuck mid-hand-over) and to "poll" (sent, due for news).
    One indexed query each, over messages still in flight only."""
    now = now or timezone.now()
    waiting = Message.objects.filter(status=Message.Status.PENDING).filter(
        Q(next_poll_at__lte=now) | Q(next_poll_at__isnull=True, status_changed_at__lt=now - LOST_AFTER)
    )
    stuck = Message.objects.filter(status=Message.Status.SENDING, status_changed_at__lt=now - STUCK_AFTER)
    polls = Message.objects.filter(status=Message.Status.SENT, next_poll_at__lte=now)
    return {
        "deliver": list(waiting.order_by("status_changed_at").values_list("pk", flat=True)[:limit]),
        "recover": list(stuck.order_by("status_changed_at").values_list("pk", flat=True)[:limit]),
        "poll": list(polls.order_by("next_poll_at").values_list("pk", flat=True)[:limit]),
    }
