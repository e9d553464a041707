"""The supervisors' export batch and reconciliation pages: what is ready, exporting a batch (and
the refusal when nothing is), a batch's payments and what was left out, downloading its files,
importing the provider's results (applied, refused with its per-row report, an unreadable file)
and a past import's report. Only supervisors: everyone else gets 403."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from payments.models import Payee, PayeeVerification, Payment, PaymentBatch, PaymentStatus, ReconciliationImport
from tests.casework.factories import CaseFactory, CaseTypeFactory
from tests.payments.factories import make_payee, make_payment

pytestmark = pytest.mark.django_db

S = PaymentStatus
HEADER = "payment_reference,result,amount,provider_reference,reason\n"


def _verified(actor, **fields) -> Payment:
    return make_payment(actor, status=S.VERIFIED_BY_WORKER, **fields)


def _upload(content: bytes, name: str = "results.csv"):
    file = io.BytesIO(content)
    file.name = name
    return file


def _results(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def _html(response) -> str:
    return response.content.decode()


BATCHES = "/staff/payments/batches/"
RECONCILIATION = "/staff/payments/reconciliation/"


def test_the_pages_are_at_their_addresses():
    assert reverse("staff-payment-batches") == BATCHES
    assert reverse("staff-payment-batch", args=[7]) == "/staff/payments/batches/7/"
    assert reverse("staff-payment-batch-file", args=[7, "csv"]) == "/staff/payments/batches/7/files/csv/"
    assert reverse("staff-payment-reconciliation") == RECONCILIATION
    assert reverse("staff-payment-reconciliation-detail", args=[3]) == "/staff/payments/reconciliation/3/"


# --- export batches --------------------------------------------------------------------------------


def test_the_batch_list_shows_what_is_ready_and_what_is_held_back(client, supervisor, case_manager):
    _verified(case_manager)
    _verified(case_manager, amount=Decimal("99.50"))
    stale = _verified(case_manager)
    Payee.objects.filter(pk=stale.payee_id).update(verification_status=PayeeVerification.UNVERIFIED)
    make_payment(case_manager)  # not verified: not counted
    client.force_login(supervisor)
    response = client.get(BATCHES)
    assert response.status_code == 200
    html = _html(response)
    assert '<td class="govuk-table__cell govuk-table__cell--numeric" id="ready-count">2</td>' in html
    assert "1,349.50" in html
    assert "Why 1 verified payment is held back" in html
    assert stale.export_reference in html and "verify the payee again" in html
    assert "No batches have been exported yet." in html
    assert 'name="case_type"' in html and "All programmes" in html


def test_a_supervisor_exports_a_batch_and_sees_its_payments_and_what_was_left_out(client, supervisor, case_manager):
    first = _verified(case_manager)
    second = _verified(case_manager, amount=Decimal("99.50"))
    stale = _verified(case_manager)
    Payee.objects.filter(pk=stale.payee_id).update(verification_status=PayeeVerification.UNVERIFIED)
    client.force_login(supervisor)
    response = client.post(BATCHES, {"case_type": ""})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-payment-batch", args=[batch.pk])
    assert (batch.created_by, batch.payment_count, batch.total_amount) == (supervisor, 2, Decimal("1349.50"))
    assert set(batch.payments.all()) == {first, second}
    assert Payment.objects.get(pk=first.pk).status == S.SUBMITTED_FOR_PAYMENT

    page = client.get(response["Location"])
    html = _html(page)
    assert page.status_code == 200
    assert f"Batch {batch.reference} exported: 2 payments, 1,349.50." in html
    for payment in (first, second):
        assert (
            f'<a class="govuk-link" href="{reverse("staff-payment", args=[payment.pk])}">{payment.export_reference}</a>'
            in html
        )
    assert "Lena Lord" in html and "Bank transfer" in html and "Submitted for payment" in html
    assert stale.export_reference in html and "The payee is no longer verified" in html
    assert reverse("staff-payment-batch-file", args=[batch.pk, "csv"]) in html
    assert reverse("staff-payment-batch-file", args=[batch.pk, "ach"]) in html

    listing = _html(client.get(BATCHES))
    assert batch.reference in listing and str(supervisor) in listing
    assert reverse("staff-payment-batch-file", args=[batch.pk, "ach"]) in listing


def test_an_export_for_one_programme_leaves_the_others(client, supervisor, case_manager):
    ours = _verified(case_manager)
    other_type = CaseTypeFactory(workflow="rental_tenant", code="other-programme", name="Other", number_prefix="OTH")
    theirs = _verified(case_manager, case=CaseFactory(case_type=other_type, status="payment"))
    client.force_login(supervisor)
    html = _html(client.get(BATCHES))
    assert f'<option value="{other_type.pk}">Other</option>' in html
    response = client.post(BATCHES, {"case_type": other_type.pk})
    assert response.status_code == 302
    batch = PaymentBatch.objects.get()
    assert (list(batch.payments.all()), batch.case_type) == ([theirs], other_type)
    assert Payment.objects.get(pk=ours.pk).status == S.VERIFIED_BY_WORKER
    assert "Other" in _html(client.get(response["Location"]))


def test_an_export_with_nothing_ready_is_refused_with_why(client, supervisor, case_manager):
    stale = _verified(case_manager)
    Payee.objects.filter(pk=stale.payee_id).update(verification_status=PayeeVerification.UNVERIFIED)
    client.force_login(supervisor)
    response = client.post(BATCHES, {"case_type": ""})
    assert response.status_code == 400
    html = _html(response)
    assert "govuk-error-summary" in html
    assert "No verified payments are ready to export." in html
    assert f"{stale.export_reference}: The payee is no longer verified" in html
    assert "<title>Error:" in html
    assert not PaymentBatch.objects.exists()
    assert Payment.objects.get(pk=stale.pk).status == S.VERIFIED_BY_WORKER


def test_an_export_with_nothing_at_all_is_refused(client, supervisor):
    client.force_login(supervisor)
    response = client.post(BATCHES, {})
    assert response.status_code == 400
    assert "No verified payments are ready to export." in _html(response)


def test_an_export_for_a_programme_that_is_not_one_is_refused_on_the_field(client, supervisor, case_manager):
    _verified(case_manager)
    landlord_type = CaseTypeFactory(workflow="rental_landlord", code="landlords", name="Landlords", number_prefix="LL")
    client.force_login(supervisor)
    response = client.post(BATCHES, {"case_type": landlord_type.pk})
    assert response.status_code == 400
    html = _html(response)
    assert 'id="export-case_type-error"' in html and "Choose one of the programmes listed." in html
    assert not PaymentBatch.objects.exists()


def test_the_files_download_as_they_were_exported(client, supervisor, case_manager):
    payment = _verified(case_manager)
    client.force_login(supervisor)
    client.post(BATCHES, {})
    batch = PaymentBatch.objects.get()

    response = client.get(reverse("staff-payment-batch-file", args=[batch.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{batch.reference}.csv"'
    assert response["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["payment_reference"], row["amount"]) for row in rows] == [(payment.export_reference, "1250.00")]
    assert "000123456789" not in response.content.decode()  # account numbers masked in the CSV

    response = client.get(reverse("staff-payment-batch-file", args=[batch.pk, "ach"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{batch.reference}.ach"'
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode("ascii").splitlines()
    assert lines[0].startswith("101") and any(payment.export_reference in line for line in lines)


def test_an_unknown_file_kind_or_a_missing_batch_is_404(client, supervisor, case_manager):
    _verified(
        case_manager,
        payee=make_payee(payment_method="cheque", mailing_address_line_1="1 High Street", mailing_postcode="02134"),
        payment_method="cheque",
    )
    client.force_login(supervisor)
    client.post(BATCHES, {})
    batch = PaymentBatch.objects.get()
    assert client.get(reverse("staff-payment-batch-file", args=[batch.pk, "xlsx"])).status_code == 404
    # A batch of cheques only has no ACH file, and says so.
    assert client.get(reverse("staff-payment-batch-file", args=[batch.pk, "ach"])).status_code == 404
    assert "No ACH file: the batch has no bank transfers." in _html(
        client.get(reverse("staff-payment-batch", args=[batch.pk]))
    )
    assert client.get(reverse("staff-payment-batch", args=[batch.pk + 1])).status_code == 404
    assert client.get(reverse("staff-payment-batch-file", args=[batch.pk + 1, "csv"])).status_code == 404


# --- who may ---------------------------------------------------------------------------------------


def _urls(batch: PaymentBatch, imported: ReconciliationImport) -> list[tuple[str, str]]:
    return [
        ("get", BATCHES),
        ("post", BATCHES),
        ("get", reverse("staff-payment-batch", args=[batch.pk])),
        ("get", reverse("staff-payment-batch-file", args=[batch.pk, "csv"])),
        ("get", RECONCILIATION),
        ("post", RECONCILIATION),
        ("get", reverse("staff-payment-reconciliation-detail", args=[imported.pk])),
    ]


@pytest.fixture
def exported(supervisor, case_manager):
    """A batch of one payment, and an import of its result."""
    payment = _verified(case_manager)
    from payments.services.batches import batch_export
    from payments.services.reconciliation import reconciliation_import

    batch = batch_export(actor=supervisor)
    imported = reconciliation_import(
        actor=supervisor, file_name="r.csv", content=_results(f"{payment.export_reference},successful,1250.00,A1,")
    )
    return batch, imported


@pytest.mark.parametrize("role", ["case_manager", "reviewer", "caseworker"])
def test_staff_who_are_not_supervisors_get_403_on_every_page(request, client, exported, role):
    batch, imported = exported
    client.force_login(request.getfixturevalue(role))
    before = Payment.objects.values_list("pk", "status").order_by("pk")
    for method, url in _urls(batch, imported):
        data = {"file": _upload(_results("PAY-1,successful,1.00,,"))} if method == "post" and "reconc" in url else {}
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (role, method, url)
    assert PaymentBatch.objects.count() == 1 and ReconciliationImport.objects.count() == 1
    assert list(Payment.objects.values_list("pk", "status").order_by("pk")) == list(before)


def test_applicants_get_403_and_visitors_are_sent_to_sign_in(client, exported, applicant):
    batch, imported = exported
    for method, url in _urls(batch, imported):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"], url
    client.force_login(applicant)
    for method, url in _urls(batch, imported):
        assert getattr(client, method)(url).status_code == 403, url


def test_an_administrator_may_use_the_pages(client, exported, administrator):
    batch, imported = exported
    client.force_login(administrator)
    for method, url in _urls(batch, imported):
        if method == "get":
            assert client.get(url).status_code == 200, url


# --- reconciliation --------------------------------------------------------------------------------


@pytest.fixture
def batch_of_three(supervisor, case_manager):
    """Three payments exported in one batch."""
    payments = [_verified(case_manager, amount=Decimal(amount)) for amount in ("1250.00", "300.00", "45.10")]
    from payments.services.batches import batch_export

    batch_export(actor=supervisor)
    return [Payment.objects.get(pk=payment.pk) for payment in payments]


def test_an_applied_import_goes_to_its_report(client, supervisor, batch_of_three):
    paid, failed, other = batch_of_three
    client.force_login(supervisor)
    content = _results(
        f"{paid.export_reference},successful,1250.00,ACH-1,",
        f"{failed.export_reference},failed,300.00,ACH-2,R03 No account",
    )
    response = client.post(RECONCILIATION, {"file": _upload(content, "day-1.csv")})
    imported = ReconciliationImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-payment-reconciliation-detail", args=[imported.pk])
    assert (imported.status, imported.imported_by, imported.file_name) == ("applied", supervisor, "day-1.csv")
    assert Payment.objects.get(pk=paid.pk).status == S.PAYMENT_SUCCESSFUL
    assert Payment.objects.get(pk=failed.pk).status == S.PAYMENT_FAILED
    assert Payment.objects.get(pk=other.pk).status == S.SUBMITTED_FOR_PAYMENT

    html = _html(client.get(response["Location"]))
    assert "day-1.csv imported: 2 payments changed, 0 already recorded." in html
    assert 'id="report-row-2"' in html and 'id="report-row-3"' in html
    assert "Submitted for payment → Payment successful." in html
    assert (
        f'<a class="govuk-link" href="{reverse("staff-payment", args=[paid.pk])}">{paid.export_reference}</a>' in html
    )
    assert "app-report-row--error" not in html

    # The same file again changes nothing, and says so on each row.
    again = client.post(RECONCILIATION, {"file": _upload(content, "day-1.csv")})
    assert again.status_code == 302
    html = _html(client.get(again["Location"]))
    assert "0 payments changed, 2 already recorded." in html and "Already recorded: the payment is" in html

    listing = _html(client.get(RECONCILIATION))
    assert listing.count("day-1.csv") == 2
    assert reverse("staff-payment-reconciliation-detail", args=[imported.pk]) in listing


def test_a_file_with_a_bad_row_is_refused_whole_with_its_report(client, supervisor, batch_of_three):
    paid, failed, _other = batch_of_three
    client.force_login(supervisor)
    content = _results(
        f"{paid.export_reference},successful,1250.00,ACH-1,",
        f"{failed.export_reference},bounced,3OO.00,,",
        "PAY-99999999,successful,10.00,,",
    )
    response = client.post(RECONCILIATION, {"file": _upload(content, "bad.csv")})
    assert response.status_code == 400
    html = _html(response)
    imported = ReconciliationImport.objects.get()
    assert (imported.status, imported.error_count) == ("refused", 2)
    assert Payment.objects.get(pk=paid.pk).status == S.SUBMITTED_FOR_PAYMENT  # nothing applied
    assert "<title>Error:" in html and "govuk-error-summary" in html
    assert "nothing was applied: 2 of its rows are wrong" in html
    assert 'href="#reconciliation-report"' in html
    assert "Report for bad.csv" in html
    row_3 = html.split('id="report-row-3"')[1].split("</tr>")[0]
    assert "app-report-row--error" in html.split('id="report-row-3"')[0].rsplit("<tr", 1)[1]
    assert "Result:</span> The result must be one of successful, failed, returned, not “bounced”." in row_3
    assert "Amount:</span> “3OO.00” is not an amount like 1250.00." in row_3
    row_4 = html.split('id="report-row-4"')[1].split("</tr>")[0]
    assert "There is no payment PAY-99999999." in row_4
    row_2 = html.split('id="report-row-2"')[1].split("</tr>")[0]
    assert "Not applied, because other rows are wrong" in row_2

    detail = _html(client.get(reverse("staff-payment-reconciliation-detail", args=[imported.pk])))
    assert "Refused: nothing applied" in detail and "There is no payment PAY-99999999." in detail


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00bad", "The file is not a UTF-8 CSV file."),
        (b"reference,outcome\nPAY-1,paid\n", "missing: payment_reference, result, amount."),
        (HEADER.encode(), "The file has no rows of results."),
    ],
)
def test_an_unreadable_file_is_an_error_on_the_file_field(client, supervisor, content, message):
    client.force_login(supervisor)
    response = client.post(RECONCILIATION, {"file": _upload(content)})
    assert response.status_code == 400
    html = _html(response)
    error = html.split('id="reconciliation-file-error"')[1].split("</p>")[0]
    assert message in error
    assert 'href="#reconciliation-file"' in html  # the error summary links to the field
    assert not ReconciliationImport.objects.exists()


def test_no_file_is_an_error_on_the_file_field(client, supervisor):
    client.force_login(supervisor)
    response = client.post(RECONCILIATION, {})
    assert response.status_code == 400
    assert "Choose the results file to import." in _html(response)
    assert not ReconciliationImport.objects.exists()


def test_an_unknown_import_is_404(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("staff-payment-reconciliation-detail", args=[12345])).status_code == 404
