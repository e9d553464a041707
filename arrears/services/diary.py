"""The action diary and pausing. Every write locks the account, writes its diary entry, and
re-classifies the account in the same transaction (arrears-rules.md §1.3), so the worktray and
automation never act on an account as it was before the entry."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from arrears.models import ActionCode, ActionDiaryEntry, PauseReason, RentAccount
from arrears.services.automation import diary_write
from arrears.services.classification import account_reclassify
from communications import services as communications
from communications.models import Message
from core import errors
from core.audit import audited
from core.permissions import is_staff_member

COMMENT_MAX = 2000
_STAFF_ONLY = "Only staff can work arrears accounts."


def require_staff(actor) -> None:
    if not is_staff_member(actor):
        raise errors.PermissionDenied(_STAFF_ONLY)


def lock_account(account: RentAccount) -> RentAccount:
    return RentAccount.objects.select_for_update(of=("self",)).select_related("patch", "tenancy").get(pk=account.pk)


def diary_add(
    *, actor, account: RentAccount, code: str, comment: str = "", occurred_at: datetime.datetime | None = None
) -> ActionDiaryEntry:
    """Record something done on the account (a call, a visit, a letter sent by hand…) under a
    code caseworkers may use, optionally backdated; re-classifies the account.

    Who: staff. Raises PermissionDenied; ValidationError (per field) for a code that is not
    theirs to use, an over-long comment, or a time in the future."""
    require_staff(actor)
    problems: dict[str, list[str]] = {}
    action = ActionCode.objects.filter(code=(code or "").strip().upper()).first()
    if action is None or not action.is_active:
        problems["code"] = [f"“{code}” is not an action code in use."]
    elif not action.user_accessible:
        problems["code"] = [f"{action.code} is recorded by the system, not by hand."]
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        problems["comment"] = [f"Keep the comment to {COMMENT_MAX} characters (it has {len(comment)})."]
    now = timezone.now()
    if occurred_at is not None and occurred_at > now:
        problems["occurred_at"] = ["The time cannot be in the future."]
    if problems or action is None:
        raise errors.ValidationError("The diary entry has problems.", fields=problems)
    code_value = action.code
    with transaction.atomic(), audited(actor=actor, action="arrears_diary_add"):
        account = lock_account(account)
        entry = diary_write(account, code=code_value, comment=comment, actor=actor, occurred_at=occurred_at or now)
        account_reclassify(account, now=now)
    return entry


def account_pause(
    *, actor, account: RentAccount, until: datetime.date, reason: PauseReason, comment: str
) -> RentAccount:
    """Pause the account until a date (it returns to the worktray on that day: "paused until
    today" is not paused), for a reason from the list, with a comment; the reason's code goes in
    the diary. Who: staff. Raises PermissionDenied; ValidationError (per field)."""
    require_staff(actor)
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    if until is None:
        problems["until"] = ["Enter the date the pause ends."]
    elif until <= today:
        problems["until"] = ["The pause must end after today: an account paused until today is not paused."]
    if reason is None or not reason.is_active:
        problems["reason"] = ["Choose why the account is paused."]
    comment = (comment or "").strip()
    if not comment:
        problems["comment"] = ["Say why the account is paused."]
    elif len(comment) > COMMENT_MAX:
        problems["comment"] = [f"Keep the comment to {COMMENT_MAX} characters (it has {len(comment)})."]
    if problems:
        raise errors.ValidationError("The pause has problems.", fields=problems)
    with transaction.atomic(), audited(actor=actor, action="arrears_pause"):
        account = lock_account(account)
        account.paused_until, account.pause_reason, account.pause_comment = until, reason, comment
        account.stamp(actor)
        account.save(update_fields=["paused_until", "pause_reason", "pause_comment", "updated_at", "updated_by"])
        diary_write(
            account, code=reason.code_id, comment=f"{reason.label}: Paused to {until:%d/%m/%Y}. {comment}", actor=actor
        )
        return account_reclassify(account)


def account_unpause(*, actor, account: RentAccount, comment: str = "") -> RentAccount:
    """End a pause early. Who: staff. Raises PermissionDenied; Conflict when not paused."""
    require_staff(actor)
    with transaction.atomic(), audited(actor=actor, action="arrears_unpause"):
        account = lock_account(account)
        if not account.is_paused():
            raise errors.Conflict("The account is not paused.")
        account.paused_until, account.pause_reason, account.pause_comment = None, None, ""
        account.stamp(actor)
        account.save(update_fields=["paused_until", "pause_reason", "pause_comment", "updated_at", "updated_by"])
        diary_write(account, code="UPS", comment=("Pause ended early. " + (comment or "").strip()).strip(), actor=actor)
        return account_reclassify(account)


def failed_letter_review(*, actor, account: RentAccount) -> RentAccount:
    """Mark the account's failed letter reviewed, so it leaves "review failed letter" and
    its classification moves on. Who: staff. Raises PermissionDenied; Conflict when no letter
    is waiting for review."""
    require_staff(actor)
    with transaction.atomic(), audited(actor=actor, action="arrears_failed_letter_review"):
        account = lock_account(account)
        failed = list(
            Message.objects.filter(
                regarding_type=ContentType.objects.get_for_model(RentAccount),
                regarding_id=account.pk,
                status=Message.Status.FAILED,
                needs_review=True,
            )
        )
        if not failed:
            raise errors.Conflict("No failed letter on this account is waiting for review.")
        for message in failed:
            communications.message_review(actor=actor, message=message)
        diary_write(account, code="FLR", comment="Failed letter reviewed.", actor=actor)
        return account_reclassify(account)
