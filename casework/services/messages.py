"""Letters, emails and text messages about cases, through communications.

- The merge fields a case offers templates (`case.*`, `contact.*`, `property.*`, `tenancy.*`,
  `owner.*`, and the recipient: the case's contact at the case's property).
- case_message_send: the decision to send, in one transaction with its feed entry.
- What happens on the case when a message changes (`message_changed`): a feed entry for every
  message (linking to its PDF or text), and for one that cannot go (details missing) or went
  wrong (failed) a flag on the case (the message needs review) and, for missing details, a task
  listing what to add."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.dispatch import receiver
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from casework.models import Case, CaseActivity
from casework.services.common import ensure_case_open
from casework.services.feed import feed_record
from communications import services as communications
from communications.fields import MergeField, context_provider, field_labels, merge_fields
from communications.models import Channel, Message, Template
from core import errors
from core.models import User
from core.permissions import is_staff_member

merge_fields(
    MergeField("case.number", _("Case number"), "HSG-2026-000123"),
    MergeField("case.type", _("Case type"), "Rent arrears"),
    MergeField("case.status", _("Where the case is (chevron)"), "Case manager"),
    MergeField("case.opened", _("Date the case was opened"), "3 November 2026"),
    MergeField("case.application_code", _("Application code (rental assistance)"), "ABCD-EF23"),
    MergeField("contact.first_name", _("Contact's first name"), "Jane"),
    MergeField("contact.last_name", _("Contact's last name"), "Tenant"),
    MergeField("contact.full_name", _("Contact's full name"), "Jane Tenant"),
    MergeField("contact.reference", _("Contact's reference"), "C-000123"),
    MergeField("property.address", _("Property address (lines)"), ["1 High Street", "Anytown", "AB1 2CD"]),
    MergeField("property.postcode", _("Property postcode"), "AB1 2CD"),
    MergeField("tenancy.reference", _("Tenancy reference"), "T-000456"),
    MergeField("owner.name", _("Case owner's name"), "Sam Caseworker"),
    MergeField("owner.email", _("Case owner's email"), "sam@example.org"),
)


def _address(property_) -> list[str]:
    if property_ is None:
        return []
    parts = (property_.address_line_1, property_.address_line_2, property_.town, property_.postcode)
    return [part for part in parts if part]


CONTEXT_RELATED = ("case_type", "contact", "owner", "property", "tenancy__property")


@context_provider("casework.case", related=CONTEXT_RELATED)
def case_context(case: Case) -> dict[str, object]:
    """The merge field values of `case` (as the case is now). Reads its contact, property,
    tenancy and owner: load them with the case when building many."""
    contact, owner = case.contact, case.owner
    property_ = case.property or (case.tenancy.property if case.tenancy_id and case.tenancy else None)
    # A landlord's application is about the tenant's home: the landlord does not live there.
    address = [] if case.workflow == Case.Workflow.RENTAL_LANDLORD else _address(property_)
    return {
        "case.number": case.number,
        "case.type": case.case_type.name,
        "case.status": case.get_status_display(),
        "case.opened": date_format(case.created_at, "j F Y"),
        "case.application_code": case.application_code or "",
        "contact.first_name": contact.first_name if contact else "",
        "contact.last_name": contact.last_name if contact else "",
        "contact.full_name": contact.full_name if contact else "",
        "contact.reference": contact.reference if contact else "",
        "property.address": _address(property_),
        "property.postcode": property_.postcode if property_ else "",
        "tenancy.reference": case.tenancy.reference if case.tenancy_id and case.tenancy else "",
        "owner.name": owner.get_full_name() or owner.email if owner else "",
        "owner.email": owner.email if owner else "",
        "recipient.name": contact.full_name if contact else "",
        "recipient.address": address,
        "recipient.email": contact.email if contact else "",
        "recipient.phone": contact.phone if contact else "",
    }


def case_message_send(*, actor: User | None, case: Case, template: Template, key: str) -> tuple[Message, bool]:
    """Send `template` about `case` to its contact. `key` names this decision (a form's
    one-time token, or an automation's case + purpose + step): sending twice under one key
    sends once and returns (the first message, False). A message missing required details is
    recorded as not sent, with a flag and a task on the case.

    Who: staff (or the system). Raises PermissionDenied; Conflict on a closed case (unless a
    supervisor); ValidationError for an inactive template or an unusable email/phone/address."""
    if actor is not None and not is_staff_member(actor):
        raise errors.PermissionDenied("Only staff can send letters and messages.")
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related(*CONTEXT_RELATED).get(pk=case.pk)
        ensure_case_open(actor, case, doing="send a message on")
        return communications.message_request(
            actor=actor, key=f"case-{case.pk}-{key}", template=template, context=case_context(case), regarding=case
        )


def case_message_retry(*, actor: User, message: Message) -> Message:
    """Try a message that was held for missing details again, with the case's details as they
    are now. Raises as communications.services.message_refresh."""
    case = _case_of(message)
    if case is None:
        raise errors.NotFound("There is no such message.")
    case = Case.objects.select_related(*CONTEXT_RELATED).get(pk=case.pk)
    return communications.message_refresh(actor=actor, message=message, context=case_context(case))


def _case_of(message: Message) -> Case | None:
    if message.regarding_id is None or message.regarding_type_id != ContentType.objects.get_for_model(Case).pk:
        return None
    return Case.objects.filter(pk=message.regarding_id).first()


def _label(message: Message) -> str:
    template = message.template_version.template.name
    return f"{message.get_channel_display()} “{template}”"


def missing_labels(message: Message) -> str:
    return ", ".join(field_labels(message.missing_fields))


@receiver(communications.message_changed)
def record_on_case(sender, message: Message, previous: str, **kwargs) -> None:
    """The case's side of a message's change (inside the change's transaction)."""
    case = _case_of(message)
    if case is None:
        return
    kind = CaseActivity.Kind.LETTER if message.channel == Channel.LETTER else CaseActivity.Kind.MESSAGE
    label = _label(message)
    to = message.recipient_name or message.recipient_email or message.recipient_phone
    data = {"message_id": message.pk}
    status = message.status
    if previous == "" and status == Message.Status.PENDING:
        feed_record(case=case, kind=kind, actor=message.created_by, summary=f"{label} to {to}: sending.", data=data)
    elif status == Message.Status.BLOCKED:
        missing = missing_labels(message)
        summary = f"{label} not sent: {missing} missing."
        feed_record(case=case, kind=kind, actor=message.created_by, summary=summary, data=data)
        _task_for_missing(case, message, missing)
    elif status == Message.Status.FAILED:
        summary = f"{label} to {to} failed and needs review: {message.failure}"
        feed_record(case=case, kind=kind, actor=None, summary=summary, data=data)
    elif status == Message.Status.CANCELLED:
        feed_record(case=case, kind=kind, actor=None, summary=f"{label} cancelled.", reason=message.failure, data=data)
    elif previous == Message.Status.BLOCKED and status == Message.Status.PENDING:
        feed_record(case=case, kind=kind, actor=None, summary=f"{label} to {to}: details added, sending.", data=data)


def _task_for_missing(case: Case, message: Message, missing: str) -> None:
    """A to-do for whoever can add the details: the case's owner, else its queue's team, else
    whoever tried to send it."""
    from casework.services.tasks import task_create

    team = case.owner_queue.team if case.owner_queue_id and case.owner_queue and case.owner_queue.team_id else None
    owner = case.owner if is_staff_member(case.owner) else None  # not someone who has left
    assignee = owner or (None if team or not is_staff_member(message.created_by) else message.created_by)
    if assignee is None and team is None:
        return  # nobody to give it to: the flag on the case and the feed entry still show it
    task_create(
        actor=None,
        subject=f"Add {missing} so that {_label(message)} can be sent"[:200],
        description=(
            f"{_label(message)} was not sent because the case has no {missing}. Add them, then choose "
            "“Try again” in the case's letters and messages."
        ),
        assignee=assignee,
        assignee_team=None if assignee else team,
        case=case,
    )
