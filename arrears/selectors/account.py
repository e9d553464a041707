"""What an arrears account's page reads: the account with the people and places it names, its
action diary and transactions a page at a time (each transaction with the balance after it), the
balance at the end of each week for the chart, and its arrangements, NOSPs, court cases,
evictions and failed letters. Staff only: anyone else gets NotFound, as for a case."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum, Value, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import Concat

from arrears.models import (
    ActionCode,
    ActionDiaryEntry,
    Arrangement,
    CourtCase,
    CourtOutcome,
    Eviction,
    Nosp,
    PauseReason,
    RentAccount,
    Transaction,
)
from casework.models import HouseholdMember
from communications.models import Message
from core import errors
from core.permissions import is_staff_member

__all__ = [
    "WeeklyBalance",
    "account_diary_for",
    "account_failed_letter_for",
    "account_message_get",
    "account_page_get",
    "account_transactions_for",
    "account_weekly_balances",
    "arrangement_list_for",
    "court_case_list_for",
    "court_outcome_labels",
    "diary_code_choice_list_for",
    "eviction_list_for",
    "nosp_list_for",
    "pause_reason_choice_list_for",
]


def _require_staff(user) -> None:
    if not is_staff_member(user):
        raise errors.NotFound("There is no such account.")


def _description_of(code_field: str) -> Subquery:
    return Subquery(ActionCode.objects.filter(code=OuterRef(code_field)).values("description")[:1])


def account_page_get(*, user, account_id: int) -> RentAccount:
    """The account, with its tenancy, property, household, patch and the patch's arrears
    officer, and annotated: `head_name` (the head of household, else any member),
    `last_action_description` and `last_communication_description`. One query. Raises NotFound
    for anyone but staff, or an unknown id."""
    _require_staff(user)
    member = HouseholdMember.objects.filter(household=OuterRef("tenancy__household")).order_by("-is_head", "pk")
    account = (
        RentAccount.objects.select_related(
            "tenancy__property", "tenancy__household", "patch__arrears_officer__officer", "pause_reason"
        )
        .annotate(
            head_name=Subquery(
                member.annotate(name=Concat("contact__first_name", Value(" "), "contact__last_name")).values("name")[:1]
            ),
            last_action_description=_description_of("last_action_code"),
            last_communication_description=_description_of("last_communication_code"),
        )
        .filter(pk=account_id)
        .first()
    )
    if account is None:
        raise errors.NotFound("There is no such account.")
    return account


def account_diary_for(*, user, account: RentAccount) -> QuerySet[ActionDiaryEntry]:
    """The account's action diary, newest first (by when it happened), with each entry's code,
    author and message."""
    _require_staff(user)
    return (
        ActionDiaryEntry.objects.filter(account=account)
        .select_related("code", "created_by", "message")
        .only(
            "occurred_at",
            "comment",
            "source",
            "message_id",
            "message__channel",
            "code__code",
            "code__description",
            "created_by__first_name",
            "created_by__last_name",
            "created_by__email",
        )
        .order_by("-occurred_at", "-pk")
    )


def account_transactions_for(*, user, account: RentAccount) -> QuerySet[Transaction]:
    """The account's transactions, newest first, each annotated with `running_balance`: the
    balance after it, in posting order (date, then the order they arrived). The window runs
    over all of the account's rows before any page of them is cut."""
    _require_staff(user)
    return (
        Transaction.objects.filter(account=account)
        .select_related("type")
        .annotate(
            running_balance=Window(
                Sum("amount"),
                order_by=[F("posted_on").asc(), F("pk").asc()],
                frame=RowRange(start=None, end=0),
            ),
        )
        .order_by("-posted_on", "-pk")
    )


@dataclass(frozen=True)
class WeeklyBalance:
    week_ending: datetime.date
    balance: Decimal


# One pass over the account's transactions up to the last week's end (the covering index
# arrears_tx_account_date_idx): each transaction summed into the week it falls in (everything
# before the window into the first week), then a running total over the weeks.
WEEKLY_BALANCES_SQL = """
WITH moves AS (
    SELECT CASE WHEN t.posted_on <= %(first)s THEN %(first)s
                ELSE %(first)s + 7 * CEIL((t.posted_on - %(first)s) / 7.0)::int END AS week_ending,
           SUM(t.amount) AS total
      FROM arrears_transaction t
     WHERE t.account_id = %(account)s AND t.posted_on <= %(last)s
     GROUP BY 1
)
SELECT w.week_ending::date, COALESCE(SUM(m.total) OVER (ORDER BY w.week_ending), 0)
  FROM generate_series(%(first)s::timestamp, %(last)s::timestamp, interval '7 days') AS w(week_ending)
  LEFT JOIN moves m ON m.week_ending = w.week_ending::date
 ORDER BY w.week_ending
"""


def account_weekly_balances(
    *, user, account: RentAccount, today: datetime.date, weeks: int = 52
) -> list[WeeklyBalance]:
    """The balance at the end of each of the last `weeks` rent weeks (Monday to Sunday), oldest
    first; the last is the current week's (to date, and anything already posted for it). One
    query, whatever the number of transactions."""
    _require_staff(user)
    last = today + datetime.timedelta(days=6 - today.weekday())  # this week's Sunday
    first = last - datetime.timedelta(weeks=weeks - 1)
    with connection.cursor() as cursor:
        cursor.execute(WEEKLY_BALANCES_SQL, {"first": first, "last": last, "account": account.pk})
        return [WeeklyBalance(week_ending, balance) for week_ending, balance in cursor.fetchall()]


def arrangement_list_for(*, user, account: RentAccount) -> list[Arrangement]:
    """The account's arrangements, latest first, each with its state history (newest first)
    and court case."""
    _require_staff(user)
    return list(
        Arrangement.objects.filter(account=account)
        .select_related("court_case")
        .prefetch_related("history__created_by")
        .order_by("-pk")
    )


def nosp_list_for(*, user, account: RentAccount) -> list[Nosp]:
    """The NOSPs recorded on the account, latest first."""
    _require_staff(user)
    return list(Nosp.objects.filter(account=account).order_by("-pk"))


def court_case_list_for(*, user, account: RentAccount) -> QuerySet[CourtCase]:
    """The account's court cases, latest first (the latest is the one the rules read)."""
    _require_staff(user)
    return CourtCase.objects.filter(account=account).order_by("-pk")


def eviction_list_for(*, user, account: RentAccount) -> list[Eviction]:
    _require_staff(user)
    return list(Eviction.objects.filter(account=account).order_by("-pk"))


def court_outcome_labels() -> dict[str, str]:
    """Each known outcome code's meaning (reference data supervisors edit)."""
    return dict(CourtOutcome.objects.values_list("code", "meaning"))


def pause_reason_choice_list_for(*, user) -> QuerySet[PauseReason]:
    """The reasons an account can be paused for, in the list's order."""
    _require_staff(user)
    return PauseReason.objects.filter(is_active=True).order_by("order", "label")


def diary_code_choice_list_for(*, user) -> QuerySet[ActionCode]:
    """The action codes caseworkers may record by hand."""
    _require_staff(user)
    return ActionCode.objects.filter(is_active=True, user_accessible=True).order_by("code")


def _about(account_id: int) -> QuerySet[Message]:
    return Message.objects.filter(
        regarding_type=ContentType.objects.get_for_model(RentAccount), regarding_id=account_id
    )


def account_failed_letter_for(*, user, account: RentAccount) -> Message | None:
    """The account's latest failed letter still waiting for someone to review it."""
    _require_staff(user)
    return (
        _about(account.pk)
        .filter(status=Message.Status.FAILED, needs_review=True)
        .select_related("template_version__template")
        .order_by("-created_at", "-pk")
        .first()
    )


def account_message_get(*, user, account: RentAccount, message_id: int) -> Message:
    """A letter, email or text about the account. Raises NotFound otherwise."""
    _require_staff(user)
    message = _about(account.pk).select_related("template_version__template").filter(pk=message_id).first()
    if message is None:
        raise errors.NotFound("There is no such message on this account.")
    return message
