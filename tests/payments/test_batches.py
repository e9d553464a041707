"""Export batches: verified payments submitted together, each in exactly one batch; the CSV (no
full account numbers, no formulas) and the NACHA file (read back with carta-ach's parser); what is
left out and why; who may export."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from ach.parser import Parser

from core import errors
from payments.models import Payee, PayeeVerification, Payment, PaymentBatch, PaymentStatus
from payments.services import batches as services
from payments.services import payments as payment_services
from tests.casework.factories import CaseFactory, CaseTypeFactory
from tests.payments.factories import last_audit, make_payee, make_payment

pytestmark = pytest.mark.django_db

S = PaymentStatus
TODAY = datetime.date(2026, 11, 20)  # a Friday: the ACH effective date is the next business day


def _verified(actor, **fields) -> Payment:
    return make_payment(actor, status=S.VERIFIED_BY_WORKER, **fields)


def _rows(batch: PaymentBatch) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(services.batch_file(batch, "csv")[2].decode())))


def test_an_export_submits_every_verified_payment_into_one_batch_and_audits_it(case_manager, supervisor):
    first, second = _verified(case_manager), _verified(case_manager, amount=Decimal("99.50"))
    untouched = make_payment(case_manager)  # not verified: not exported
    batch = services.batch_export(actor=supervisor, today=TODAY)
    assert batch.reference == "PB-20261120-01"
    assert (batch.payment_count, batch.total_amount, batch.created_by) == (2, Decimal("1349.50"), supervisor)
    assert set(batch.payments.all()) == {first, second}
    for payment in (first, second):
        payment.refresh_from_db()
        assert payment.status == S.SUBMITTED_FOR_PAYMENT
        audit = last_audit(payment)
        assert (audit["action"], audit["batch"], audit["user"]) == ("payment_submit", batch.reference, supervisor.pk)
    assert Payment.objects.get(pk=untouched.pk).batch is None


def test_each_payment_is_in_exactly_one_batch(case_manager, supervisor):
    first = _verified(case_manager)
    batch_one = services.batch_export(actor=supervisor, today=TODAY)
    second = _verified(case_manager)
    batch_two = services.batch_export(actor=None, today=TODAY)
    assert batch_two.reference == "PB-20261120-02" and batch_two.created_by is None
    assert list(batch_one.payments.all()) == [first] and list(batch_two.payments.all()) == [second]
    with pytest.raises(errors.ValidationError) as caught:
        services.batch_export(actor=supervisor, today=TODAY)
    assert caught.value.fields["batch"][0].startswith("No verified payments are ready to export.")
    assert PaymentBatch.objects.count() == 2


def test_an_export_for_one_programme_leaves_the_others(case_manager, supervisor):
    ours = _verified(case_manager)
    other_type = CaseTypeFactory(workflow="rental_tenant", code="other-programme", name="Other", number_prefix="OTH")
    theirs = _verified(case_manager, case=CaseFactory(case_type=other_type, status="payment"))
    batch = services.batch_export(actor=supervisor, case_type=ours.case.case_type, today=TODAY)
    assert list(batch.payments.all()) == [ours]
    assert Payment.objects.get(pk=theirs.pk).status == S.VERIFIED_BY_WORKER


def test_a_payment_whose_payee_changed_since_is_left_out_and_reported(case_manager, supervisor):
    ready = _verified(case_manager)
    stale = _verified(case_manager)
    Payee.objects.filter(pk=stale.payee_id).update(verification_status=PayeeVerification.UNVERIFIED)
    sort_code = _verified(case_manager, payee=make_payee(routing_number="12-34-56"))
    batch = services.batch_export(actor=supervisor, today=TODAY)
    assert list(batch.payments.all()) == [ready]
    reasons = {entry["payment"]: entry["reason"] for entry in batch.report}
    assert "no longer verified" in reasons[stale.export_reference]
    assert "9-digit routing number" in reasons[sort_code.export_reference]
    assert Payment.objects.get(pk=stale.pk).status == S.VERIFIED_BY_WORKER


def test_nothing_ready_says_why_each_was_left_out(case_manager, supervisor):
    stale = _verified(case_manager)
    Payee.objects.filter(pk=stale.payee_id).update(verification_status=PayeeVerification.UNVERIFIED)
    with pytest.raises(errors.ValidationError) as caught:
        services.batch_export(actor=supervisor, today=TODAY)
    assert stale.export_reference in caught.value.fields["batch"][0]
    assert not PaymentBatch.objects.exists()


@pytest.mark.parametrize("role", ["case_manager", "reviewer", "caseworker"])
def test_only_a_supervisor_or_the_job_exports(request, role, case_manager):
    _verified(case_manager)
    with pytest.raises(errors.PermissionDenied):
        services.batch_export(actor=request.getfixturevalue(role), today=TODAY)
    assert not PaymentBatch.objects.exists()


def test_the_csv_lists_every_payment_with_masked_account_numbers_and_no_formulas(case_manager, supervisor):
    transfer = _verified(case_manager, payee=make_payee(name='=HYPERLINK("http://x")', account_holder="-Lena"))
    cheque_payee = make_payee(
        payment_method="cheque", mailing_address_line_1="1 High Street", mailing_postcode="02134", name="Bo Cheque"
    )
    cheque = _verified(case_manager, payee=cheque_payee, payment_method="cheque")
    batch = services.batch_export(actor=supervisor, today=TODAY)
    name, content_type, content = services.batch_file(batch, "csv")
    assert (name, content_type) == ("PB-20261120-01.csv", "text/csv")
    rows = {row["payment_reference"]: row for row in _rows(batch)}
    bank_row, cheque_row = rows[transfer.export_reference], rows[cheque.export_reference]
    assert bank_row["amount"] == "1250.00" and bank_row["reason_code"] == "ARR"
    assert bank_row["payee_name"] == '\'=HYPERLINK("http://x")'
    assert bank_row["account_holder"] == "'-Lena"
    assert bank_row["account_number"] == "••••••••6789" and b"000123456789" not in content
    assert (cheque_row["payment_method"], cheque_row["mailing_address"]) == ("cheque", "1 High Street, 02134")
    assert cheque_row["account_number"] == ""


def test_the_ach_file_carries_the_transfers_and_reads_back(case_manager, supervisor):
    person = _verified(case_manager, amount=Decimal("1250.00"))
    business = _verified(
        case_manager, amount=Decimal("10.05"), payee=make_payee(kind="business", account_holder="Zoë Lets LLC")
    )
    _verified(
        case_manager,
        payee=make_payee(payment_method="cheque", mailing_address_line_1="1 High St", mailing_postcode="02134"),
        payment_method="cheque",
    )
    batch = services.batch_export(actor=supervisor, today=TODAY)
    name, _type, content = services.batch_file(batch, "ach")
    assert name == "PB-20261120-01.ach"
    lines = content.decode("ascii").splitlines()
    assert all(len(line) == 94 for line in lines) and len(lines) % 10 == 0
    parsed = Parser(content.decode("ascii")).as_dict()
    sec_codes = [entry["batch_header"]["std_ent_cls_code"] for entry in parsed["batches"]]
    assert sec_codes == ["PPD", "CCD"]
    entries = [entry["entry_detail"] for group in parsed["batches"] for entry in group["entries"]]
    assert [(e["ind_id"].strip(), int(e["amount"]), e["ind_name"].strip()) for e in entries] == [
        (person.export_reference, 125000, "LENA LORD"),
        (business.export_reference, 1005, "ZOE LETS LLC"),
    ]
    assert all(e["dfi_acnt_num"].strip() == "000123456789" for e in entries)
    assert parsed["batches"][0]["batch_header"]["eff_ent_date"] == "261123"  # Monday 23 November
    assert int(parsed["file_control"]["credit_amount"]) == 126005


def test_the_files_are_encrypted_at_rest_and_downloaded_as_exported(case_manager, supervisor):
    from django.db import connection

    payment = _verified(case_manager)
    batch = services.batch_export(actor=supervisor, today=TODAY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT csv_file, ach_file FROM payments_paymentbatch WHERE id = %s", [batch.pk])
        stored = " ".join(cursor.fetchone())
    assert payment.export_reference not in stored and "000123456789" not in stored
    before = services.batch_file(batch, "ach")
    make_payee(owner=payment.payee.owner, account_number="999988887777")  # details change afterwards
    assert services.batch_file(PaymentBatch.objects.get(pk=batch.pk), "ach") == before


def test_a_batch_with_no_transfers_has_no_ach_file_and_unknown_kinds_are_not_found(case_manager, supervisor):
    payee = make_payee(payment_method="cheque", mailing_address_line_1="1 High St", mailing_postcode="02134")
    _verified(case_manager, payee=payee, payment_method="cheque")
    batch = services.batch_export(actor=supervisor, today=TODAY)
    with pytest.raises(errors.NotFound, match="no bank transfers"):
        services.batch_file(batch, "ach")
    with pytest.raises(errors.NotFound):
        services.batch_file(batch, "xlsx")


def test_a_retried_payment_leaves_its_batch_and_goes_in_the_next(case_manager, supervisor):
    payment = _verified(case_manager)
    first = services.batch_export(actor=supervisor, today=TODAY)
    payment_services.payment_record_result(payment=payment, result="failed")
    payment_services.payment_retry(actor=case_manager, payment=payment, reason="New account")
    payment.refresh_from_db()
    assert payment.batch is None and last_audit(payment)["left_batch"] == first.reference
    payment_services.payment_verify(actor=case_manager, payment=payment)
    second = services.batch_export(actor=supervisor, today=TODAY)
    assert list(second.payments.all()) == [payment]
    assert payment.export_reference in services.batch_file(first, "csv")[2].decode()


def test_reading_payments_with_their_batch_never_loads_its_files(case_manager, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payments.selectors import payment_get

    payment = _verified(case_manager)
    services.batch_export(actor=supervisor, today=TODAY)
    with CaptureQueriesContext(connection) as queries:
        read = payment_get(user=supervisor, payment_id=payment.pk)
        assert read.batch.reference == "PB-20261120-01"
    assert not any("csv_file" in query["sql"] or "ach_file" in query["sql"] for query in queries.captured_queries)
    assert {"csv_file", "ach_file"} <= read.batch.get_deferred_fields()
