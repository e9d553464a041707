"""Reads behind the arrears patch worktrays (/staff/arrears/, /staff/arrears/leasehold/) and the
supervisors' chart of classifications by patch (/staff/arrears/chart/).

Every list reads the account table alone: the nightly run stores what a row shows (balance,
last action, arrangement state, NOSP, court and eviction dates, the classification) on the
account, so a page is a fixed handful of queries whatever the patch holds: the tabs' counts in
one aggregate, the page of rows in one (names, code descriptions and outcome meanings joined in
as subqueries), and the classification chart in one GROUP BY."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Trim
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from arrears.models import ActionCode, CourtOutcome, PatchOfficer, RentAccount
from arrears.rules import Classification
from casework.models import HouseholdMember, Patch
from core import errors
from core.permissions import is_staff_member, is_supervisor

StrOrPromise = str | Promise


@dataclass(frozen=True)
class Tab:
    key: str
    label: StrOrPromise
    # The tab's own order (the date tabs: soonest first); None follows the chosen sort.
    order_by: tuple | None = None


TABS: tuple[Tab, ...] = (
    Tab("immediate", _("Immediate actions")),
    Tab("paused", _("Paused")),
    Tab("full", _("Full patch")),
    Tab("evictions", _("Upcoming evictions"), ("eviction_date", "-balance", "pk")),
    Tab("court", _("Upcoming court dates"), ("court_date", "-balance", "pk")),
)
TAB_KEYS = tuple(tab.key for tab in TABS)
DEFAULT_TAB = "immediate"

# The sorts a person can choose on the tabs without an order of their own: the worktray is worked
# highest balance first (arrears-worktray.md §1c); the paused tab can also show pauses ending soonest.
SORTS: dict[str, tuple[StrOrPromise, tuple[Any, ...]]] = {
    "balance": (_("Balance, highest first"), ("-balance", "pk")),
    "balance_low": (_("Balance, lowest first"), ("balance", "pk")),
    "classified_oldest": (
        _("Classification, oldest first"),
        (F("classification_since").asc(nulls_last=True), "-balance", "pk"),
    ),
    "classified_newest": (
        _("Classification, newest first"),
        (F("classification_since").desc(nulls_last=True), "-balance", "pk"),
    ),
    "pause_ending": (_("Pause ending soonest"), ("paused_until", "-balance", "pk")),
}
DEFAULT_SORT = "balance"
PAUSED_ONLY_SORTS = ("pause_ending",)

UNASSIGNED = "none"  # the patch filter's value for accounts with no patch


def tab_conditions(*, now: datetime.datetime | None = None) -> dict[str, Q]:
    """Each tab's condition on an in-scope account. Paused means paused until after today, so
    "paused until today" is already back on the lists (RentAccount.is_paused). The upcoming lists
    include today's evictions, and court dates from now on."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    paused = Q(paused_until__gt=today)
    return {
        "immediate": ~paused & ~Q(classification=Classification.NO_ACTION),
        "paused": paused,
        "full": Q(),
        "evictions": Q(eviction_date__gte=start_of_today),
        "court": Q(court_date__gte=now),
    }


def worktray_account_list_for(*, user, kind: str) -> QuerySet[RentAccount]:
    """The in-scope accounts of `kind` on the worktray; none for anyone but staff."""
    if not is_staff_member(user):
        return RentAccount.objects.none()
    return RentAccount.objects.filter(kind=kind, in_scope=True)


def patch_filter(*, patch: str = "", officer_patch_ids: Iterable[int] | None = None) -> Q:
    """Accounts in `patch` (a patch's id, or UNASSIGNED for none) and, given an officer's patch
    ids, in one of those."""
    condition = Q()
    if patch == UNASSIGNED:
        condition &= Q(patch__isnull=True)
    elif patch:
        condition &= Q(patch_id=int(patch))
    if officer_patch_ids is not None:
        condition &= Q(patch_id__in=list(officer_patch_ids))
    return condition


def tab_counts(accounts: QuerySet[RentAccount], *, now: datetime.datetime | None = None) -> dict[str, int]:
    """How many of `accounts` each tab holds, in one query."""
    conditions = tab_conditions(now=now)
    counts = accounts.order_by().aggregate(
        **{key: Count("pk", filter=condition) if condition else Count("pk") for key, condition in conditions.items()}
    )
    return {key: counts[key] or 0 for key in TAB_KEYS}


def worktray_rows(
    accounts: QuerySet[RentAccount], *, tab: str, sort: str = DEFAULT_SORT, now: datetime.datetime | None = None
) -> QuerySet[RentAccount]:
    """The accounts `tab` lists, in its order (the date tabs) or `sort`'s, with what a row shows
    in the same query: the patch and pause reason, `head_name` (the household head, else the
    household's name), `last_action_description` and `court_outcome_meaning`."""
    tab_info = next(t for t in TABS if t.key == tab)
    order_by = tab_info.order_by or SORTS.get(sort, SORTS[DEFAULT_SORT])[1]
    head = (
        HouseholdMember.objects.filter(household_id=OuterRef("tenancy__household_id"), is_head=True)
        .annotate(name=Trim(Concat("contact__first_name", Value(" "), "contact__last_name")))
        .values("name")[:1]
    )
    return (
        accounts.filter(tab_conditions(now=now)[tab])
        .select_related("patch", "pause_reason")
        .annotate(
            head_name=Coalesce(Subquery(head), F("tenancy__household__name")),
            last_action_description=Subquery(
                ActionCode.objects.filter(code=OuterRef("last_action_code")).values("description")[:1]
            ),
            court_outcome_meaning=Subquery(
                CourtOutcome.objects.filter(code=OuterRef("court_outcome_code")).values("meaning")[:1]
            ),
        )
        .order_by(*order_by)
    )


def patch_officer_list() -> list[PatchOfficer]:
    """Every patch with its arrears officer, by patch code (one query)."""
    return list(PatchOfficer.objects.select_related("patch", "officer").order_by("patch__code"))


def worktray_patch_list(*, kind: str) -> list[Patch]:
    """The patches with in-scope accounts of `kind`, by code (one query)."""
    has_accounts = RentAccount.objects.filter(patch=OuterRef("pk"), kind=kind, in_scope=True)
    return list(Patch.objects.filter(Exists(has_accounts)).order_by("code"))


@dataclass
class PatchClassifications:
    """One patch's in-scope accounts of a kind per classification ("" is not yet classified)."""

    patch_id: int | None
    code: str
    name: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def classification_counts_for(*, user, kind: str) -> list[PatchClassifications]:
    """In-scope accounts of `kind` per patch and classification, in one GROUP BY; patches by
    code, then the unassigned accounts. Supervisors only: raises PermissionDenied."""
    if not is_supervisor(user):
        raise errors.PermissionDenied("Only supervisors can see the classifications by patch.")
    grouped = (
        RentAccount.objects.filter(kind=kind, in_scope=True)
        .order_by()
        .values("patch_id", "patch__code", "patch__name", "classification")
        .annotate(accounts=Count("pk"))
    )
    patches: dict[int | None, PatchClassifications] = {}
    for row in grouped:
        patch = patches.setdefault(
            row["patch_id"],
            PatchClassifications(row["patch_id"], row["patch__code"] or "", row["patch__name"] or "", {}),
        )
        patch.counts[row["classification"]] = row["accounts"]
    return sorted(patches.values(), key=lambda p: (p.patch_id is None, p.code))
