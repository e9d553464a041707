"""The payment status machine: every allowed transition, every disallowed one (the full status by
transition matrix, on the model and through the services), the guards, and the ADR's diagram
kept identical to the one drawn from the code."""

from __future__ import annotations

from pathlib import Path

import django_fsm
import pytest
from django.conf import settings
from django.core.management import call_command

from core import errors
from core.audit import events_for
from payments.diagram import final_statuses, status_diagram
from payments.models import Payee, PayeeVerification, Payment, PaymentStatus
from payments.models.payments import TERMINAL, TRANSITION_NAMES
from payments.services import payments as services
from tests.payments.factories import last_audit, make_payment

S = PaymentStatus

# The specification: (from, transition) → to. Anything not here is refused.
ALLOWED = {
    (S.NOT_VERIFIED, "verify"): S.VERIFIED_BY_WORKER,
    (S.NOT_VERIFIED, "reject"): S.REJECTED_BY_WORKER,
    (S.VERIFIED_BY_WORKER, "unverify"): S.NOT_VERIFIED,
    (S.VERIFIED_BY_WORKER, "reject"): S.REJECTED_BY_WORKER,
    (S.VERIFIED_BY_WORKER, "submit"): S.SUBMITTED_FOR_PAYMENT,
    (S.SUBMITTED_FOR_PAYMENT, "mark_successful"): S.PAYMENT_SUCCESSFUL,
    (S.SUBMITTED_FOR_PAYMENT, "mark_failed"): S.PAYMENT_FAILED,
    (S.SUBMITTED_FOR_PAYMENT, "void"): S.PAYMENT_VOIDED,
    (S.PAYMENT_SUCCESSFUL, "mark_returned"): S.PAYMENT_RETURNED,
    (S.PAYMENT_SUCCESSFUL, "recoup"): S.PAYMENT_RECOUPED,
    (S.PAYMENT_FAILED, "retry"): S.NOT_VERIFIED,
    (S.PAYMENT_FAILED, "refund_or_cancel"): S.REFUND_OR_CANCELLED,
    (S.PAYMENT_FAILED, "void"): S.PAYMENT_VOIDED,
    (S.PAYMENT_RETURNED, "refund_or_cancel"): S.REFUND_OR_CANCELLED,
}
DISALLOWED = [(status, name) for status in S.values for name in TRANSITION_NAMES if (status, name) not in ALLOWED]


def _in_memory(status: str, *, method: str = "bank_transfer", payee_verified: bool = True) -> Payment:
    """A payment that is never saved: the transitions are pure, so no database is needed."""
    payee = Payee(
        name="P",
        payment_method="bank_transfer",
        verification_status=PayeeVerification.VERIFIED_AUTOMATIC if payee_verified else PayeeVerification.UNVERIFIED,
    )
    payment = Payment(payee=payee, payment_method=method, reason="ARR", amount=1)
    payment.__dict__["status"] = status  # protected field: placed, not transitioned
    return payment


def test_the_specification_names_every_transition_the_model_declares():
    declared = {(str(source), name) for source, _, name in _edges()}
    assert declared == {(str(s), n) for s, n in ALLOWED}
    assert set(TRANSITION_NAMES) == {name for _, name in ALLOWED}


def _edges():
    from payments.diagram import transitions

    return transitions()


def test_final_statuses_have_no_way_out():
    assert set(final_statuses()) == set(TERMINAL)
    for status in TERMINAL:
        assert not [name for (source, name) in ALLOWED if source == status]


@pytest.mark.parametrize(("source", "name"), list(ALLOWED))
def test_each_allowed_transition_on_the_model(source, name):
    payment = _in_memory(source)
    getattr(payment, name)()
    assert payment.status == ALLOWED[(source, name)]


@pytest.mark.parametrize(("source", "name"), DISALLOWED)
def test_each_disallowed_transition_on_the_model_is_refused(source, name):
    payment = _in_memory(source)
    with pytest.raises(django_fsm.TransitionNotAllowed):
        getattr(payment, name)()
    assert payment.status == source


@pytest.mark.parametrize("name", ["verify", "submit"])
def test_verify_and_submit_need_a_method_and_a_verified_payee(name):
    source = S.NOT_VERIFIED if name == "verify" else S.VERIFIED_BY_WORKER
    for payment in (
        _in_memory(source, method=""),
        _in_memory(source, method="cheque"),  # the payee has bank details only
        _in_memory(source, payee_verified=False),
    ):
        with pytest.raises(django_fsm.TransitionNotAllowed):
            getattr(payment, name)()
        assert payment.status == source


# --- through the services, against the database ---------------------------------------------------


def _call(name: str, payment: Payment, actor):
    """The service that fires transition `name`, called as the most senior actor who may."""
    calls = {
        "verify": lambda: services.payment_verify(actor=actor, payment=payment),
        "unverify": lambda: services.payment_update(actor=actor, payment=payment, amount="1.00"),
        "reject": lambda: services.payment_reject(actor=actor, payment=payment, reason="Not owed"),
        "submit": lambda: services.payment_submit(actor=None, payment=payment),
        "mark_successful": lambda: services.payment_record_result(payment=payment, result="successful", reference="R1"),
        "mark_failed": lambda: services.payment_record_result(payment=payment, result="failed", reference="R1"),
        "mark_returned": lambda: services.payment_record_result(payment=payment, result="returned", reference="R2"),
        "retry": lambda: services.payment_retry(actor=actor, payment=payment, reason="Bank details corrected"),
        "recoup": lambda: services.payment_recoup(actor=actor, payment=payment, reason="Paid twice"),
        "refund_or_cancel": lambda: services.payment_refund_or_cancel(actor=actor, payment=payment, reason="Closed"),
        "void": lambda: services.payment_void(actor=actor, payment=payment, reason="Wrong payee"),
    }
    return calls[name]()


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "name"), list(ALLOWED))
def test_each_allowed_transition_through_its_service_is_saved_and_audited(source, name, supervisor):
    payment = make_payment(supervisor, status=source)
    _call(name, payment, supervisor)
    payment.refresh_from_db()
    target = ALLOWED[(source, name)]
    assert payment.status == target
    context = last_audit(payment)
    assert (context["action"], context["from_status"], context["to_status"]) == (f"payment_{name}", source, target)
    assert context["user"] == (
        None if name in ("submit", "mark_successful", "mark_failed", "mark_returned") else supervisor.pk
    )


# Recording a result a payment already has is not refused: it changes nothing (test_payments).
_IDEMPOTENT = {
    (S.PAYMENT_SUCCESSFUL, "mark_successful"),
    (S.PAYMENT_FAILED, "mark_failed"),
    (S.PAYMENT_RETURNED, "mark_returned"),
}
# unverify has no service of its own: payment_update fires it, and refuses edits elsewhere with Conflict.
_SERVICE_DISALLOWED = [(s, n) for s, n in DISALLOWED if (s, n) not in _IDEMPOTENT and n != "unverify"]


@pytest.mark.django_db
@pytest.mark.parametrize(("source", "name"), _SERVICE_DISALLOWED)
def test_each_disallowed_transition_through_its_service_is_refused_and_changes_nothing(source, name, supervisor):
    payment = make_payment(supervisor, status=source)
    before = Payment.objects.values().get(pk=payment.pk)
    events = events_for(payment).count()
    with pytest.raises(errors.TransitionNotAllowed):
        _call(name, payment, supervisor)
    assert Payment.objects.values().get(pk=payment.pk) == before
    assert events_for(payment).count() == events


# --- the ADR's diagram is the code's ------------------------------------------------------------------------


def test_the_adr_contains_exactly_the_diagram_drawn_from_the_code():
    adr = (Path(settings.BASE_DIR) / "docs/adr/0016-payment-status-machine.md").read_text()
    diagram = status_diagram()
    assert f"```mermaid\n{diagram}```" in adr
    assert adr.count("stateDiagram-v2") == 1
    for name in TRANSITION_NAMES:
        assert f": {name}\n" in diagram


def test_the_management_command_prints_the_diagram(capsys):
    call_command("payment_diagram")
    assert capsys.readouterr().out == status_diagram()
