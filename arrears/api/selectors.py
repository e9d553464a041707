"""What the arrears API reads: accounts with what their rows show, an account with its current
arrangement and latest NOSP, court case and eviction, and the rows under an account. Staff only
(arrears accounts are not shown to applicants); every read is a fixed number of queries."""

from __future__ import annotations

from django.db.models import QuerySet

from arrears.models import (
    ACTIVE_STATES,
    ActionDiaryEntry,
    Arrangement,
    CourtCase,
    Eviction,
    Nosp,
    RentAccount,
    Transaction,
)
from core import errors
from core.permissions import is_staff_member

# What an account's row shows besides its own columns (one join each).
ACCOUNT_ROW_RELATED = ("tenancy", "patch", "pause_reason")


def _require_staff(user) -> None:
    if not is_staff_member(user):
        raise errors.PermissionDenied("Arrears accounts are for staff only.")


def account_list_for(*, user) -> QuerySet[RentAccount]:
    """Every account (rent and service charge, in scope or not), by reference."""
    _require_staff(user)
    return RentAccount.objects.select_related(*ACCOUNT_ROW_RELATED).order_by("reference", "id")


def account_get(*, user, account_id: int) -> RentAccount:
    """One account as its row shows it. Raises NotFound."""
    account = account_list_for(user=user).filter(pk=account_id).first()
    if account is None:
        raise errors.NotFound("No arrears account has that id.")
    return account


def account_detail_get(*, user, account_id: int) -> RentAccount:
    """One account with `current_arrangement` (its latest live or breached arrangement),
    `latest_nosp`, `latest_court_case` and `latest_eviction` set ("latest": the last one
    recorded, as the rules read them, arrears-rules.md §2). Raises NotFound."""
    account = account_get(user=user, account_id=account_id)
    account.current_arrangement = (
        Arrangement.objects.filter(account=account, state__in=ACTIVE_STATES)
        .select_related("created_by")
        .order_by("-id")
        .first()
    )
    account.latest_nosp = Nosp.objects.filter(account=account).select_related("created_by").order_by("-id").first()
    account.latest_court_case = (
        CourtCase.objects.filter(account=account).select_related("created_by").order_by("-id").first()
    )
    account.latest_eviction = (
        Eviction.objects.filter(account=account).select_related("created_by").order_by("-id").first()
    )
    return account


def transaction_list(*, account: RentAccount) -> QuerySet[Transaction]:
    """The account's transactions, newest first."""
    return Transaction.objects.filter(account=account).select_related("type").order_by("-posted_on", "-id")


def diary_list(*, account: RentAccount) -> QuerySet[ActionDiaryEntry]:
    """The account's action diary, newest first."""
    return (
        ActionDiaryEntry.objects.filter(account=account)
        .select_related("code", "created_by")
        .order_by("-occurred_at", "-id")
    )


def arrangement_list(*, account: RentAccount) -> QuerySet[Arrangement]:
    """The account's arrangements, the latest first."""
    return Arrangement.objects.filter(account=account).select_related("created_by").order_by("-id")


def arrangement_get(*, user, arrangement_id: int) -> Arrangement:
    """One arrangement with its state history (newest first). Raises NotFound."""
    _require_staff(user)
    arrangement = (
        Arrangement.objects.select_related("created_by", "account")
        .prefetch_related("history__created_by")
        .filter(pk=arrangement_id)
        .first()
    )
    if arrangement is None:
        raise errors.NotFound("No arrangement has that id.")
    return arrangement


def nosp_list(*, account: RentAccount) -> QuerySet[Nosp]:
    return Nosp.objects.filter(account=account).select_related("created_by").order_by("-id")


def court_case_list(*, account: RentAccount) -> QuerySet[CourtCase]:
    return CourtCase.objects.filter(account=account).select_related("created_by").order_by("-id")


def court_case_get(*, user, court_case_id: int) -> CourtCase:
    """One court case. Raises NotFound."""
    _require_staff(user)
    court_case = CourtCase.objects.select_related("created_by", "account").filter(pk=court_case_id).first()
    if court_case is None:
        raise errors.NotFound("No court case has that id.")
    return court_case


def eviction_list(*, account: RentAccount) -> QuerySet[Eviction]:
    return Eviction.objects.filter(account=account).select_related("created_by").order_by("-id")
