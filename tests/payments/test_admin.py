"""The payments admin: totals of what is filtered, filters by status, batch and programme, the
supervisors' reasoned actions, batches and reconciliation imports read-only, programme caps."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from payments.models import Payment, PaymentStatus, ProgrammeCap
from payments.services import batches as batch_services
from tests.payments.factories import last_audit, make_payment

pytestmark = pytest.mark.django_db

S = PaymentStatus


def test_the_payment_list_shows_totals_of_what_is_filtered(client, case_manager, supervisor):
    make_payment(case_manager, amount=Decimal("100.00"))
    make_payment(case_manager, amount=Decimal("20.50"))
    make_payment(case_manager, status=S.PAYMENT_SUCCESSFUL, amount=Decimal("1000.00"))
    client.force_login(supervisor)
    everything = client.get("/admin/payments/payment/").context["payment_totals"]
    assert (everything["count"], everything["total"]) == (3, Decimal("1120.50"))
    assert [(row["status"], row["count"], row["total"]) for row in everything["rows"]] == [
        ("Not verified", 2, Decimal("120.50")),
        ("Payment successful", 1, Decimal("1000.00")),
    ]
    filtered = client.get("/admin/payments/payment/?status__exact=payment_successful")
    assert filtered.context["payment_totals"]["total"] == Decimal("1000.00")
    assert 'id="payment-totals"' in filtered.content.decode()


def test_the_payment_list_filters_by_batch_and_programme(client, case_manager, supervisor):
    exported = make_payment(case_manager, status=S.VERIFIED_BY_WORKER)
    other = make_payment(case_manager)
    batch = batch_services.batch_export(actor=supervisor, today=datetime.date(2026, 11, 20))
    client.force_login(supervisor)
    by_batch = client.get(f"/admin/payments/payment/?batch__id__exact={batch.pk}")
    assert list(by_batch.context["cl"].queryset) == [Payment.objects.get(pk=exported.pk)]
    by_programme = client.get(f"/admin/payments/payment/?case__case_type__id__exact={other.case.case_type_id}")
    assert by_programme.context["cl"].result_count == 2
    assert client.get("/admin/payments/paymentbatch/").status_code == 200
    assert client.get(f"/admin/payments/paymentbatch/{batch.pk}/change/").status_code == 200
    assert client.get("/admin/payments/reconciliationimport/").status_code == 200


def test_void_asks_for_the_reason_and_calls_the_service(client, case_manager, supervisor):
    payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    client.force_login(supervisor)
    data = {"action": "void_selected", "_selected_action": [payment.pk]}
    asked = client.post("/admin/payments/payment/", data)
    assert asked.status_code == 200 and "Give the reason" in asked.content.decode()
    client.post("/admin/payments/payment/", {**data, "apply": "1", "text": "Paid twice by the bank"}, follow=True)
    payment.refresh_from_db()
    assert (payment.status, payment.status_reason) == (S.PAYMENT_VOIDED, "Paid twice by the bank")
    assert last_audit(payment)["user"] == supervisor.pk


def test_a_supervisor_sets_a_programme_cap_with_history(client, administrator):
    case_type = make_payment(administrator).case.case_type
    client.force_login(administrator)
    response = client.post(
        "/admin/payments/programmecap/add/",
        {"case_type": case_type.pk, "max_total": "7000.00", "window_months": "12"},
    )
    assert response.status_code == 302
    cap = ProgrammeCap.objects.get()
    assert (cap.max_total, cap.created_by) == (Decimal("7000.00"), administrator)
    assert cap.events.count() == 1
