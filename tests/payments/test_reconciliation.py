"""Reconciliation imports: the provider's results move payments to successful / failed / returned;
a file with any bad row is refused whole with a report naming each row and field; the same file
imported twice changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core import errors
from payments.models import Payment, PaymentStatus, ReconciliationImport
from payments.services import batches as batch_services
from payments.services import payments as payment_services
from payments.services.reconciliation import reconciliation_import
from tests.payments.factories import last_audit, make_payment

pytestmark = pytest.mark.django_db

S = PaymentStatus
HEADER = "payment_reference,result,amount,provider_reference,reason\n"


@pytest.fixture
def exported(case_manager, supervisor):
    """Three payments exported in one batch."""
    payments = [
        make_payment(case_manager, status=S.VERIFIED_BY_WORKER, amount=Decimal(amount))
        for amount in ("1250.00", "300.00", "45.10")
    ]
    batch_services.batch_export(actor=supervisor, today=datetime.date(2026, 11, 20))
    return [Payment.objects.get(pk=payment.pk) for payment in payments]


def _file(*rows: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode()


def _status(payment: Payment) -> str:
    return Payment.objects.get(pk=payment.pk).status


def test_results_move_each_payment_and_are_reported_per_row(exported, supervisor):
    paid, failed, other = exported
    content = _file(
        f"{paid.export_reference},successful,1250.00,ACH-1,",
        f"{failed.export_reference},failed,300.00,ACH-2,R03 No account",
    )
    result = reconciliation_import(actor=supervisor, file_name="results.csv", content=content)
    assert (result.status, result.row_count, result.changed_count, result.error_count) == ("applied", 2, 2, 0)
    assert [(entry["row"], entry["outcome"]) for entry in result.report] == [(2, "changed"), (3, "changed")]
    assert (_status(paid), _status(failed), _status(other)) == (
        S.PAYMENT_SUCCESSFUL,
        S.PAYMENT_FAILED,
        S.SUBMITTED_FOR_PAYMENT,
    )
    failed = Payment.objects.get(pk=failed.pk)
    assert (failed.provider_reference, failed.status_reason) == ("ACH-2", "R03 No account")
    audit = last_audit(failed)
    assert (audit["action"], audit["user"], audit["from_status"]) == (
        "payment_mark_failed",
        supervisor.pk,
        S.SUBMITTED_FOR_PAYMENT,
    )


def test_importing_the_same_file_twice_changes_nothing_the_second_time(exported):
    paid, failed, _other = exported
    content = _file(f"{paid.export_reference},successful,1250.00,ACH-1,", f"{failed.export_reference},failed,300.00,,")
    reconciliation_import(actor=None, file_name="results.csv", content=content)
    events = sum(Payment.objects.get(pk=p.pk).events.count() for p in exported)
    again = reconciliation_import(actor=None, file_name="results.csv", content=content)
    assert (again.status, again.changed_count, again.unchanged_count) == ("applied", 0, 2)
    assert sum(Payment.objects.get(pk=p.pk).events.count() for p in exported) == events
    assert again.sha256 == ReconciliationImport.objects.order_by("pk").first().sha256


def test_a_return_after_success_and_an_old_success_row_after_the_return(exported):
    paid = exported[0]
    reconciliation_import(actor=None, file_name="a.csv", content=_file(f"{paid.export_reference},successful,1250.00,,"))
    reconciliation_import(
        actor=None, file_name="b.csv", content=_file(f"{paid.export_reference},returned,1250.00,,R02")
    )
    assert _status(paid) == S.PAYMENT_RETURNED
    # The first file again: its success is already recorded (the payment has gone past it).
    old = reconciliation_import(
        actor=None, file_name="a.csv", content=_file(f"{paid.export_reference},successful,1250.00,,")
    )
    assert (old.status, old.report[0]["outcome"]) == ("applied", "unchanged")
    assert _status(paid) == S.PAYMENT_RETURNED


def test_one_bad_row_refuses_the_whole_file_naming_each_row_and_field(exported, supervisor):
    paid, failed, other = exported
    content = _file(
        f"{paid.export_reference},successful,1250.00,,",
        f"{failed.export_reference},failed,301.00,,",  # wrong amount
        "PAY-99999999,successful,10.00,,",  # no such payment
        "12345,successful,10.00,,",  # not a reference
        f"{other.export_reference},paid,45.10,,",  # unknown result
        f"{paid.export_reference},failed,1250.00,,",  # the same payment twice
        f"{other.export_reference},returned,45.10,,",  # the same payment twice
        f"{other.export_reference},successful,lots,,",  # not an amount (and the same payment again)
    )
    result = reconciliation_import(actor=supervisor, file_name="bad.csv", content=content)
    assert (result.status, result.changed_count, result.error_count) == ("refused", 0, 7)
    report = {entry["row"]: entry for entry in result.report}
    assert report[2]["outcome"] == "not_applied" and "Not applied" in report[2]["message"]
    assert report[3]["fields"] == {"amount": "The amount 301.00 is not the payment's amount, 300.00."}
    assert report[4]["fields"] == {"payment_reference": "There is no payment PAY-99999999."}
    assert "not a payment reference" in report[5]["fields"]["payment_reference"]
    assert "must be one of successful, failed, returned" in report[6]["fields"]["result"]
    assert "also on row 2" in report[7]["fields"]["payment_reference"]
    assert "also on row 6" in report[8]["fields"]["payment_reference"]
    assert "not an amount" in report[9]["fields"]["amount"]
    assert [_status(p) for p in exported] == [S.SUBMITTED_FOR_PAYMENT] * 3
    assert ReconciliationImport.objects.get().status == "refused"


def test_a_result_that_cannot_follow_the_payment_s_status_is_a_bad_row(exported):
    result = reconciliation_import(
        actor=None, file_name="r.csv", content=_file(f"{exported[0].export_reference},returned,1250.00,,")
    )
    assert result.status == "refused"
    assert result.report[0]["fields"]["result"] == (
        "The payment is Submitted for payment; a “returned” result cannot follow that."
    )


def test_a_payment_never_exported_is_a_bad_row(case_manager):
    payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)  # submitted by hand, no batch
    result = reconciliation_import(
        actor=None, file_name="r.csv", content=_file(f"{payment.export_reference},successful,1250.00,,")
    )
    assert result.status == "refused"
    assert "has not been exported" in result.report[0]["fields"]["payment_reference"]


def test_a_row_for_an_earlier_submission_of_a_retried_payment_changes_nothing(exported, case_manager, supervisor):
    payment = exported[0]
    first_batch = payment.batch.reference
    payment_services.payment_record_result(payment=payment, result="failed")
    payment_services.payment_retry(actor=case_manager, payment=payment)
    payment_services.payment_verify(actor=case_manager, payment=payment)
    batch_services.batch_export(actor=supervisor, today=datetime.date(2026, 11, 21))
    header = "batch_reference,payment_reference,result,amount\n"
    old_row = _file(f"{first_batch},{payment.export_reference},failed,1250.00", header=header)
    result = reconciliation_import(actor=None, file_name="old.csv", content=old_row)
    assert (result.status, result.report[0]["outcome"]) == ("applied", "unchanged")
    assert "tried again since" in result.report[0]["message"]
    assert _status(payment) == S.SUBMITTED_FOR_PAYMENT


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00not text", "not a UTF-8 CSV file"),
        (b"reference,outcome\nPAY-1,successful\n", "missing: payment_reference, result, amount"),
        (HEADER.encode(), "no rows of results"),
        (HEADER.encode() + b",,,,\n", "no rows of results"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_sentence(content, message):
    with pytest.raises(errors.ValidationError) as caught:
        reconciliation_import(actor=None, file_name="x.csv", content=content)
    assert message in caught.value.fields["file"][0]
    assert not ReconciliationImport.objects.exists()


def test_columns_are_read_in_any_order_and_case_with_a_byte_order_mark(exported):
    paid = exported[0]
    content = "\ufeffAmount,Result,Payment_Reference\n1250.00,Successful,pay-" + paid.export_reference[4:] + "\n"
    result = reconciliation_import(actor=None, file_name="r.csv", content=content.encode())
    assert result.status == "applied" and _status(paid) == S.PAYMENT_SUCCESSFUL


@pytest.mark.parametrize("role", ["case_manager", "reviewer", "caseworker"])
def test_only_a_supervisor_or_the_job_imports(request, role, exported):
    with pytest.raises(errors.PermissionDenied):
        reconciliation_import(
            actor=request.getfixturevalue(role),
            file_name="r.csv",
            content=_file(f"{exported[0].export_reference},successful,1250.00,,"),
        )
    assert _status(exported[0]) == S.SUBMITTED_FOR_PAYMENT
