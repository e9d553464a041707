"""Payees and payments for the payments tests, one per meaningful state. Payees and payments are
made through the services; a payment in a later status has its status written directly (as a
migration or import would), since replaying the machine is what the tests under test do."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from casework.models import Case
from core import services as core_services
from core.models import User
from payments.models import Payee, PayeeVerification, Payment
from tests.casework.factories import tenant_case

BANK = {
    "kind": "individual",
    "name": "Lena Lord",
    "payment_method": "bank_transfer",
    "tax_id": "123-45-6789",
    "account_holder": "Lena Lord",
    "routing_number": "021000021",
    "account_number": "000123456789",
}


def make_landlord(email: str = "landlord@test.example") -> User:
    return core_services.user_create(actor=None, email=email, kind=User.Kind.LANDLORD)


def make_payee(*, verified: bool = True, owner: User | None = None, **details) -> Payee:
    """A landlord's payee paid by bank transfer; verified by a worker unless `verified=False`."""
    from payments.services.payees import payee_save

    owner = owner or make_landlord(f"landlord{User.objects.count() + 1}@test.example")
    payee = payee_save(actor=owner, owner=owner, **{**BANK, **details})
    if verified:
        # Arranged, not under test: the verification fields written as the service would.
        Payee.objects.filter(pk=payee.pk).update(
            verification_status=PayeeVerification.VERIFIED_AUTOMATIC, verified_at=timezone.now()
        )
        payee.refresh_from_db()
    return payee


def approved_case(**kwargs) -> Case:
    """A tenant's rental application at the Payment chevron."""
    return tenant_case(status="payment", **kwargs)


def make_payment(actor: User, *, status: str = Payment.Status.NOT_VERIFIED, **fields) -> Payment:
    """A payment made by payment_create (ARR, 1250.00, bank transfer, verified payee), then put in
    `status` directly."""
    from payments.services.payments import payment_create

    values = {
        "case": approved_case(),
        "payee": make_payee(),
        "reason": "ARR",
        "amount": Decimal("1250.00"),
        "payment_method": "bank_transfer",
        "period_start": datetime.date(2026, 9, 1),
        "period_end": datetime.date(2026, 10, 31),
        **fields,
    }
    payment = payment_create(actor=actor, **values)
    if status != Payment.Status.NOT_VERIFIED:
        Payment.objects.filter(pk=payment.pk).update(status=status)
        payment = Payment.objects.get(pk=payment.pk)
    return payment


def last_audit(obj) -> dict:
    """The audit context (who, action, from, to, reason) of `obj`'s latest history row. Events in
    one test share a transaction time, so the newest is the highest id."""
    event = obj.events.select_related("pgh_context").order_by("-pgh_id").first()
    return {**event.pgh_context.metadata} if event and event.pgh_context else {}
