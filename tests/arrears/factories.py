"""Arrears factories: an account on a secure tenancy in a patch, with the head of household who
letters go to; transactions and diary entries written directly (the import and the services are
tested on their own)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from arrears.models import ActionDiaryEntry, RentAccount, Transaction
from tests.casework.factories import TenancyFactory


class RentAccountFactory(DjangoModelFactory):
    class Meta:
        model = RentAccount

    reference = factory.Sequence(lambda n: f"RA{n + 100000}")
    tenancy = factory.SubFactory(TenancyFactory)
    patch = factory.LazyAttribute(lambda o: o.tenancy.property.patch)
    weekly_rent = Decimal("100.00")


_external = iter(range(1, 10**9))


def post(
    account: RentAccount, amount: str | Decimal, *, on: datetime.date | None = None, code: str | None = None
) -> Transaction:
    """Post a charge (positive) or payment (negative) to `account`."""
    amount = Decimal(str(amount))
    return Transaction.objects.create(
        account=account,
        type_id=code or ("DRR" if amount > 0 else "RPY"),
        posted_on=on or timezone.localdate(),
        amount=amount,
        external_id=f"T{next(_external)}",
    )


def diary(
    account: RentAccount, code: str, *, at: datetime.datetime | None = None, comment: str = ""
) -> ActionDiaryEntry:
    return ActionDiaryEntry.objects.create(
        account=account, code_id=code, occurred_at=at or timezone.now(), comment=comment, source="system"
    )


# The arrears tests' clock: a Wednesday, so "this week" (from Monday) has two days behind it.
# London is on UTC in November, so local and UTC days agree. Freeze it with the `wednesday`
# fixture (tests/arrears/conftest.py).
NOW = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 18)
MONDAY = datetime.date(2026, 11, 16)


def account_in_arrears(amount: str = "250", **kwargs) -> RentAccount:
    """An account owing `amount` from charges posted before this week (not yet classified)."""
    account = RentAccountFactory(**kwargs)
    post(account, amount, on=MONDAY - datetime.timedelta(days=10))
    return account


def classified_in_arrears(amount: str = "250", **kwargs) -> RentAccount:
    """The same, classified as the nightly run would (nothing sent)."""
    from arrears.services.classification import account_reclassify

    return account_reclassify(account_in_arrears(amount, **kwargs), automate=False)
