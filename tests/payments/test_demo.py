"""The payments demo (`seed_demo`): payments in every status on the demo tenant's approved
application, each put there through the payment services, the demo landlord's payee verified by a
worker with evidence, a stipend run once, each payment in its own month, and a second run that
creates nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from casework.models import Case, Document, Status, Workflow
from core.models import User
from payments.models import (
    Payee,
    PayeeVerification,
    Payment,
    PaymentBatch,
    PaymentReason,
    PaymentStatus,
    StipendSchedule,
)
from tests.payments.factories import last_audit

pytestmark = pytest.mark.django_db

TENANT, LANDLORD = "tenant@demo.example", "landlord@demo.example"


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _state() -> tuple:
    return (
        sorted(Payment.objects.values_list("pk", "status", "period_start", "batch_id")),
        sorted(StipendSchedule.objects.values_list("pk", "status")),
        Document.objects.count(),
        sorted(Payee.objects.values_list("pk", "verification_status")),
    )


@pytest.fixture
def seeded(db):
    first = _seed()
    return first, _seed()


def test_the_payments_demo(seeded, client):
    """One seeding (each costs seconds) for every check below."""
    _every_status_is_present_and_a_second_seed_adds_nothing(seeded)
    _the_payments_are_on_the_demo_tenants_approved_application_to_the_verified_landlord()
    _each_payment_has_its_own_month_and_the_stipend_ran()
    _every_move_went_through_the_services()
    _the_demo_tenant_and_landlord_see_the_payments_made_in_the_portal(client)


def _created(output: str) -> str:
    """The "created: …" part of seed_demo's first line."""
    return output.splitlines()[0]


def _every_status_is_present_and_a_second_seed_adds_nothing(seeded):
    first, again = seeded
    assert "payments" in _created(first) and "stipend schedule" in _created(first)
    assert "payments" not in _created(again) and "stipend schedule" not in _created(again)
    assert set(Payment.objects.values_list("status", flat=True)) == set(PaymentStatus.values)
    before = _state()
    _seed()
    assert _state() == before


def _the_payments_are_on_the_demo_tenants_approved_application_to_the_verified_landlord():
    payments = list(Payment.objects.select_related("case", "payee__owner"))
    cases = {payment.case for payment in payments}
    assert len(cases) == 1
    (case,) = cases
    assert case.workflow == Workflow.RENTAL_TENANT and case.status == Status.PAYMENT
    assert case.applicant.email == TENANT
    assert {payment.payee.owner.email for payment in payments} == {LANDLORD}
    payee = Payee.objects.get(owner__email=LANDLORD)
    assert payee.verification_status == PayeeVerification.VERIFIED_BY_WORKER
    assert payee.verified_by.email == "casemanager@demo.example"
    assert payee.verification_reason
    evidence = payee.verification_evidence
    assert evidence.category == Document.Category.CORRESPONDENCE
    # Kept on the landlord's own application, never the tenant's.
    assert evidence.case.workflow == Workflow.RENTAL_LANDLORD and evidence.case.parent_id == case.pk


def _each_payment_has_its_own_month_and_the_stipend_ran():
    starts = list(Payment.objects.values_list("period_start", flat=True))
    assert len(starts) == len(set(starts))  # no two pay the household for the same month
    for payment in Payment.objects.all():
        assert payment.period_start.day == 1 and payment.period_end.month == payment.period_start.month
    schedule = StipendSchedule.objects.get()
    stipends = list(schedule.payments.order_by("period_start"))
    assert len(stipends) == 2 and all(p.reason == PaymentReason.STIPEND for p in stipends)
    arrears = Payment.objects.filter(reason=PaymentReason.ARREARS)
    assert arrears.count() == 10
    assert max(arrears.values_list("period_start", flat=True)) < schedule.first_month


def _every_move_went_through_the_services():
    """Each payment's latest history row was written under a service's audit context, by the
    supervisor or the system; the export or the supervisor submitted each one that went out."""
    for payment in Payment.objects.exclude(status=PaymentStatus.NOT_VERIFIED):
        audit = last_audit(payment)
        assert audit.get("action", "").startswith("payment_"), (payment.status, audit)
    went_out = Payment.objects.exclude(
        status__in=[PaymentStatus.NOT_VERIFIED, PaymentStatus.VERIFIED_BY_WORKER, PaymentStatus.REJECTED_BY_WORKER]
    )
    assert went_out.count() == 7
    # The payment job's export submitted them, in one batch; the verified one was verified after
    # the export, so it waits for the next.
    batch = PaymentBatch.objects.get()
    assert batch.created_by is None and batch.payment_count == 7
    assert set(went_out.values_list("batch_id", flat=True)) == {batch.pk}
    assert Payment.objects.get(status=PaymentStatus.VERIFIED_BY_WORKER).batch_id is None
    assert Payment.objects.get(status=PaymentStatus.PAYMENT_SUCCESSFUL).provider_reference.startswith("DEMO-")
    assert Payment.objects.get(status=PaymentStatus.REJECTED_BY_WORKER).status_reason


def _the_demo_tenant_and_landlord_see_the_payments_made_in_the_portal(client):
    case = Payment.objects.select_related("case").first().case
    landlord_case = Case.objects.exclude(status=Status.CLOSED).get(parent=case, workflow=Workflow.RENTAL_LANDLORD)
    client.force_login(User.objects.get(email=TENANT))
    html = client.get(f"/portal/applications/{case.number}/").content.decode()
    assert "Payments made" in html and "Lewis Grant" in html
    assert "00004111" not in html  # the demo payee's account number
    client.force_login(User.objects.get(email=LANDLORD))
    html = client.get(f"/portal/applications/{landlord_case.number}/").content.decode()
    assert "Payments made" in html and "Lewis Grant" in html
