"""The arrears demo (`seed_demo`): every recommended action on the worktray whatever the day it
is loaded, leaseholders on their own ladder, plausible ledgers, and safe to load twice."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Count, Max, Min, Q

from arrears.demo_stories import LEASEHOLD_STORIES, RENT_STORIES
from arrears.labels import action_label
from arrears.models import (
    ActionDiaryEntry,
    Arrangement,
    ArrangementStateChange,
    CourtCase,
    Eviction,
    Nosp,
    PatchOfficer,
    RentAccount,
    Transaction,
)
from arrears.rules import Classification
from communications.models import Message

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MONDAY = datetime.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)  # Greenwich time
SUNDAY = datetime.datetime(2027, 7, 4, 18, 0, tzinfo=UTC)  # summer time
WEDNESDAY = datetime.datetime(2027, 2, 17, 12, 0, tzinfo=UTC)
LEASEHOLD_STEPS = {"no_action", "send_letter_one", "send_letter_two", "send_nosp"}
ROWS = [RentAccount, Transaction, ActionDiaryEntry, Nosp, CourtCase, Arrangement, ArrangementStateChange, Eviction]


def _seed(when: datetime.datetime) -> str:
    out = StringIO()
    with time_machine.travel(when, tick=False):
        call_command("seed_demo", stdout=out)
    return out.getvalue()


def _actions(kind: str) -> Counter:
    return Counter(RentAccount.objects.filter(kind=kind, in_scope=True).values_list("classification", flat=True))


def _assert_as_designed(actions: Counter, stories) -> None:
    """Each designed account lands where its story leads; accounts that just pay add no action."""
    designed: Counter = Counter()
    for _story, action, n in stories:
        if action is not None:
            designed[action.value] += n
    for action, n in designed.items():
        assert actions[action] >= n if action == "no_action" else actions[action] == n, (action, actions)
    assert set(actions) == set(designed), actions


def _snapshot() -> dict:
    return {
        "rows": {model.__name__: model._default_manager.count() for model in ROWS},
        "messages": Message.objects.count(),
        "accounts": list(
            RentAccount.objects.order_by("reference").values_list(
                "reference", "balance", "in_scope", "classification", "classification_since", "arrangement_state"
            )
        ),
    }


@pytest.mark.parametrize("when", [MONDAY, SUNDAY], ids=["monday", "sunday"])
def test_every_recommended_action_is_on_the_worktray_whatever_the_day(when):
    output = _seed(when)
    assert "rent account" in output.splitlines()[0]

    rent = _actions("rent")
    assert set(rent) == set(Classification.values), set(Classification.values) - set(rent)
    _assert_as_designed(rent, RENT_STORIES)
    assert 60 <= RentAccount.objects.filter(kind="rent").count() <= 120

    leasehold = _actions("service_charge")
    assert set(leasehold) == LEASEHOLD_STEPS
    _assert_as_designed(leasehold, LEASEHOLD_STORIES)
    assert RentAccount.objects.filter(kind="service_charge").count() == 10
    assert "Send letter before action" in {action_label(action, "service_charge") for action in leasehold}
    assert not RentAccount.objects.filter(kind="service_charge").exclude(tenancy__tenure_type="leasehold").exists()

    # The stories behind some of them, recorded the way staff would record them.
    today = when.date()
    paused = RentAccount.objects.filter(paused_until__gt=today)
    assert paused.exists() and set(paused.values_list("classification", flat=True)) == {"no_action"}
    assert RentAccount.objects.filter(court_date__gt=when, classification="no_action").exists()
    assert RentAccount.objects.filter(eviction_date__gt=when, classification="no_action").exists()
    failed = RentAccount.objects.get(classification="review_failed_letter")
    letter = Message.objects.get(
        regarding_type=ContentType.objects.get_for_model(RentAccount), regarding_id=failed.pk, channel="letter"
    )
    assert (letter.status, letter.needs_review) == (Message.Status.FAILED, True)
    assert failed.diary.filter(code="VFL").exists()
    states = Counter(Arrangement.objects.values_list("kind", "state"))
    assert states[("informal", "live")] and states[("informal", "breached")] and states[("formal", "breached")]
    # Automation is off: nothing was sent.
    assert not Message.objects.exclude(status=Message.Status.FAILED).filter(channel__in=["letter", "sms"]).exists()


def test_the_ledgers_are_a_year_of_weekly_rent_and_payments_and_each_patch_has_its_officer():
    _seed(WEDNESDAY)
    monday = WEDNESDAY.date() - datetime.timedelta(days=2)
    accounts = RentAccount.objects.filter(kind="rent").annotate(
        charges=Count("transactions", filter=Q(transactions__type="DRR")),
        first=Min("transactions__posted_on", filter=Q(transactions__type="DRR")),
        last=Max("transactions__posted_on"),
        paid=Count("transactions", filter=Q(transactions__amount__lt=0, transactions__type__category="payment")),
    )
    year = monday - datetime.timedelta(weeks=52)
    for account in accounts.select_related("tenancy"):
        assert Decimal("85") <= account.weekly_rent <= Decimal("135")
        assert account.weekly_rent == account.tenancy.weekly_rent
        assert account.first.weekday() == 0
        assert account.charges == 1 + (monday - max(account.first, year)).days // 7
        assert account.last <= WEDNESDAY.date()
        assert account.paid >= account.charges // 2
    assert not Transaction.objects.filter(type__category="charge", amount__lte=0).exists()
    assert not Transaction.objects.filter(type__category="payment", amount__gte=0).exists()
    assert set(
        RentAccount.objects.filter(kind="rent", in_scope=True).values_list("tenancy__tenure_type", flat=True)
    ) == {"secure"}
    officers = dict(PatchOfficer.objects.values_list("patch__code", "officer__email"))
    assert set(officers) == set(RentAccount.objects.values_list("patch__code", flat=True))


def test_a_second_run_creates_nothing_and_changes_no_classification():
    _seed(WEDNESDAY)
    first = _snapshot()
    assert first["rows"]["RentAccount"] > 0

    again = _seed(WEDNESDAY + datetime.timedelta(hours=1))

    assert "created: nothing new" in again
    assert _snapshot() == first
