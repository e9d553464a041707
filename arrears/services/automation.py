"""Letters and texts sent because of a classification, and what the diary learns from messages.

Exactly once per account and step: the message's idempotency key names the account, the step
and the diary entry that was the account's last communication when the step was decided. The
message, its diary entry and the re-classification are written in the transaction that decides,
so a crash before the commit leaves nothing (the next run decides again, under the same key),
and one after it leaves a diary entry the next decision reads (so it decides differently).
Delivery is communications' job: it hands each message over once, retries the provider, and
asks the provider before sending again after a crash."""

from __future__ import annotations

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from arrears.defaults import MISSING_DATA_REASON
from arrears.models import ActionDiaryEntry, AutomatedStep, DiarySource, PauseReason, RentAccount, RuleSet
from communications import services as communications
from communications.fields import MergeField, context_for, context_provider, field_labels, merge_fields
from communications.models import Channel, Message
from core import errors

logger = logging.getLogger(__name__)

MISSING_DATA_PAUSE = datetime.timedelta(days=7)

# What step_send did.
SENT, ALREADY_SENT, MISSING_DATA = "sent", "already_sent", "missing_data"

merge_fields(
    MergeField("account.reference", _("Rent account reference"), "RA-100234"),
    MergeField("account.balance", _("Account balance (£)"), "412.60"),
    MergeField("account.arrears", _("Collectable arrears (£)"), "312.60"),
    MergeField("account.weekly_rent", _("Weekly gross rent (£)"), "104.30"),
    MergeField("account.tenancy_reference", _("Tenancy reference"), "TEN-000456"),
)

ACCOUNT_RELATED = ("tenancy__property", "tenancy__household", "patch")


def _head_contact(account: RentAccount):
    member = (
        account.tenancy.household.members.filter(is_head=True).select_related("contact").first()
        or account.tenancy.household.members.select_related("contact").first()
    )
    return member.contact if member else None


@context_provider("arrears.rentaccount", related=ACCOUNT_RELATED)
def account_context(account: RentAccount) -> dict[str, object]:
    """The merge field values of `account`: written to the tenancy's head of household at the
    property."""
    contact = _head_contact(account)
    prop = account.tenancy.property
    address = [part for part in (prop.address_line_1, prop.address_line_2, prop.town, prop.postcode) if part]
    arrears = account.collectable_arrears
    return {
        "account.reference": account.reference,
        "account.balance": f"{account.balance:.2f}",
        "account.arrears": "" if arrears is None else f"{arrears:.2f}",
        "account.weekly_rent": f"{account.weekly_gross_rent:.2f}",
        "account.tenancy_reference": account.tenancy.reference,
        "recipient.name": contact.full_name if contact else "",
        "recipient.address": address,
        "recipient.email": contact.email if contact else "",
        "recipient.phone": contact.phone if contact else "",
    }


def diary_write(
    account: RentAccount,
    *,
    code: str,
    comment: str,
    actor=None,
    occurred_at: datetime.datetime | None = None,
    message: Message | None = None,
    task=None,
) -> ActionDiaryEntry:
    """Append one entry to the account's diary (the caller holds the account's lock and
    re-classifies after)."""
    now = timezone.now()
    return ActionDiaryEntry.objects.create(
        account=account,
        code_id=code,
        comment=comment[:4000],
        occurred_at=occurred_at or now,
        created_at=now,
        created_by=actor,
        source=DiarySource.STAFF if actor is not None else DiarySource.SYSTEM,
        message=message,
        task=task,
    )


def _steps(rule_set: RuleSet, schedule: str) -> dict[str, tuple[AutomatedStep, set[int]]]:
    steps = (
        AutomatedStep.objects.filter(rule_set=rule_set, is_on=True, schedule=schedule)
        .select_related("template", "diary_code", "rule_set__team")
        .prefetch_related("patches")
    )
    return {step.classification: (step, {p.pk for p in step.patches.all()}) for step in steps}


def send_recommended(derived, *, rule_set: RuleSet, now: datetime.datetime, schedule: str = "nightly") -> int:
    """Send, for each freshly classified account, what its classification recommends where
    automation is on: the master switch, the step's own switch, the account's patch on the
    step's allow-list, the account in scope and not paused. Returns how many were sent."""
    if not rule_set.automation_on:
        return 0
    steps = _steps(rule_set, schedule)
    if not steps:
        return 0
    today = timezone.localdate(now)
    sent = 0
    for d in derived:
        if d.outcome is None or not d.in_scope:
            continue
        found = steps.get(d.outcome.classification.value)
        if found is None:
            continue
        step, patches = found
        if d.patch_id not in patches:
            continue
        paused_until = d.facts.paused_until
        if paused_until is not None and paused_until > today:
            continue
        result = step_send(d.account_id, step=step, last_communication_entry=d.last_communication_entry, now=now)
        sent += result == SENT
    return sent


def step_send(
    account_id: int,
    *,
    step: AutomatedStep,
    last_communication_entry: int | None,
    now: datetime.datetime,
    actor=None,
) -> str:
    """Send one step for one account (the caller's transaction holds its lock): automatically
    (no `actor`) or because a caseworker pressed the letter button. Both use the same key, so
    an automated and a manual send of the same step never both go. Missing details pause the
    account for a week with a task. Returns SENT, ALREADY_SENT or MISSING_DATA."""
    from arrears.services.classification import account_reclassify

    account = RentAccount.objects.select_related(*ACCOUNT_RELATED).get(pk=account_id)
    key = f"arrears-{account.pk}-{step.classification}-{last_communication_entry or 0}"
    context = context_for(account)
    try:
        with transaction.atomic():
            message, created = communications.message_request(
                actor=actor, key=key, template=step.template, context=context, regarding=account
            )
            if not created and message.status == Message.Status.BLOCKED:
                message = communications.message_refresh(actor=None, message=message, context=context)
                created = message.status == Message.Status.PENDING
    except errors.ValidationError as exc:
        problems = [m for messages in exc.fields.values() for m in messages] or [exc.message]
        _pause_for_missing_data(account, problems, now=now, team=step.rule_set.team)
        return MISSING_DATA
    if message.status == Message.Status.BLOCKED:
        _pause_for_missing_data(
            account, field_labels(message.missing_fields), now=now, team=step.rule_set.team, message=message
        )
        return MISSING_DATA
    if not created:
        return ALREADY_SENT  # decided before under this key: its diary entry is already there
    name = step.template.name
    how = "sent automatically" if actor is None else "sent"
    diary_write(
        account,
        code=step.diary_code_id,
        comment=f"{name} {how} ({step.get_classification_display()}).",
        actor=actor,
        message=message,
        occurred_at=now,
    )
    account_reclassify(account, now=now, automate=False)
    return SENT


def step_for(account: RentAccount, classification: str | None = None) -> AutomatedStep | None:
    """The letter or text the account's classification (or `classification`, e.g. the one a
    page showed) recommends, whether or not automation is switched on for it: what the account
    page's letter button sends."""
    from arrears.services.rulesets import rule_set_for

    classification = account.classification if classification is None else classification
    if not classification:
        return None
    return (
        AutomatedStep.objects.filter(rule_set=rule_set_for(account.kind), classification=classification)
        .select_related("template", "diary_code", "rule_set__team")
        .first()
    )


def recommended_send(*, actor, account: RentAccount, shown: str | None = None) -> str:
    """A caseworker sends the letter or text the account's classification recommends, now,
    under the same exactly-once key as the automated send. `shown` is the classification the
    caller was shown (default: the account's as loaded). Who: staff. Raises
    PermissionDenied; Conflict when the classification recommends nothing to send, has changed
    since the page was drawn, or the step was sent already. Returns SENT, or MISSING_DATA when
    missing details paused the account instead."""
    from arrears.services.classification import classify_batch
    from arrears.services.diary import lock_account, require_staff
    from arrears.services.rulesets import rule_set_for, rule_settings_for
    from core.audit import audited

    require_staff(actor)
    shown = account.classification if shown is None else shown
    with transaction.atomic(), audited(actor=actor, action="arrears_recommended_send"):
        account = lock_account(account)
        rule_set = rule_set_for(account.kind)
        now = timezone.now()
        # Classified afresh, so the button acts on the account as it is now, not as the page
        # showed it (a diary entry or payment may have landed in between).
        counts = classify_batch(
            [account.pk], rule_set=rule_set, settings=rule_settings_for(rule_set), now=now, automate=False
        )
        derived = counts.derived[0]
        current = derived.outcome.classification.value if derived.outcome else ""
        if current != shown:
            raise errors.Conflict("The account's recommended action has changed: reload the page.")
        account.classification = current
        step = step_for(account)
        if step is None:
            label = account.get_classification_display() or "No action"
            raise errors.Conflict(f"“{label}” has no letter or text to send.")
        result = step_send(
            account.pk, step=step, last_communication_entry=derived.last_communication_entry, now=now, actor=actor
        )
        if result == ALREADY_SENT:
            raise errors.Conflict(f"{step.template.name} has already been sent for this action.")
        return result


def _pause_for_missing_data(
    account: RentAccount, missing: list[str], *, now: datetime.datetime, team, message=None
) -> None:
    """Pause the account for a week, say what is missing in the diary, and give its patch
    officer (else the rule set's `team`) a task to add it (arrears-worktray.md §3)."""
    from casework.services.tasks import task_create

    reason = PauseReason.objects.filter(label=MISSING_DATA_REASON).first()
    if reason is None:
        return
    until = timezone.localdate(now) + MISSING_DATA_PAUSE
    listed = ", ".join(missing)
    comment = f"Missing data: {listed}. Paused to {until:%d/%m/%Y} so a letter can be sent once they are added."
    RentAccount.objects.filter(pk=account.pk).update(paused_until=until, pause_reason=reason, pause_comment=comment)
    officer = getattr(getattr(account.patch, "arrears_officer", None), "officer", None) if account.patch_id else None
    team = None if officer else team
    task = None
    if officer is not None or team is not None:
        task = task_create(
            actor=None,
            subject=f"Add missing details to rent account {account.reference}"[:200],
            description=f"An automated letter could not be sent because these are missing: {listed}.",
            assignee=officer,
            assignee_team=team,
            due_date=until,
        )
    diary_write(account, code=reason.code_id, comment=comment, message=message, task=task, occurred_at=now)


def _account_of(message: Message) -> RentAccount | None:
    if message.regarding_id is None:
        return None
    if message.regarding_type_id != ContentType.objects.get_for_model(RentAccount).pk:
        return None
    return RentAccount.objects.select_for_update().filter(pk=message.regarding_id).first()


@receiver(communications.message_changed)
def record_failed_letter(sender, message: Message, previous: str, **kwargs) -> None:
    """A letter about an account that failed (e.g. the provider's validation) goes in the diary,
    and the account is classified "review failed letter" until someone reviews it."""
    if (
        message.channel != Channel.LETTER
        or message.status != Message.Status.FAILED
        or previous == Message.Status.FAILED
    ):
        return
    account = _account_of(message)
    if account is None:
        return
    from arrears.services.classification import account_reclassify

    diary_write(account, code="VFL", comment=f"Letter failed: {message.failure}"[:4000], message=message)
    account_reclassify(account, automate=False)
