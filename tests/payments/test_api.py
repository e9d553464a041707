"""The payments staff API, against the real database: payments (list and filters, detail, create,
edit, every move of the status machine), payees (masked; verified by a worker with evidence filed
as a case document; the automatic check), stipend schedules, export batches and their files, and
reconciliation imports. Every write goes through the services: refusals come back as
400/403/404/409 in the project's error shape, and no response ever carries a whole tax id or
account number."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.models import Document, Workflow
from payments.models import Payee, PayeeVerification, Payment, PaymentBatch, PaymentStatus, StipendSchedule
from tests.casework.factories import CaseFactory, CaseTypeFactory, landlord_case, tenant_case
from tests.casework.factories_docs import PDF, stored_files
from tests.payments.factories import BANK, approved_case, make_payee, make_payment

pytestmark = pytest.mark.django_db

API = "/api/v1"
S = PaymentStatus
# The payee's whole tax id and account number (tests.payments.factories.BANK), as stored.
SECRETS = ("123456789", "000123456789")


@pytest.fixture
def worker(client, case_manager):
    client.force_login(case_manager)
    return client


@pytest.fixture
def boss(client, supervisor):
    client.force_login(supervisor)
    return client


def api_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def send(client, url: str, data: dict | None = None, method: str = "post"):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")


def landlord_payee(case) -> Payee:
    """A verified payee whose landlord application is matched to `case`: one the case can pay."""
    payee = make_payee()
    landlord_case(parent=case, applicant=payee.owner, status="payment")
    return payee


def case_and_payee(case=None) -> tuple:
    case = case or approved_case()
    return case, landlord_payee(case)


def other_programme_case():
    """A tenant's rental case at the Payment chevron in a second programme (case type)."""
    programme = CaseTypeFactory(
        code="emergency-rental", name="Emergency rental", number_prefix="ERA", workflow=Workflow.RENTAL_TENANT
    )
    return CaseFactory(case_type=programme, status="payment")


def in_batch(payment: Payment, reference: str = "PB-TEST-01") -> PaymentBatch:
    """Arranged, not under test: `payment` recorded as exported in a batch (as batch_export would)."""
    batch = PaymentBatch.objects.create(reference=reference, csv_file="payment_reference\n", ach_file="ACH")
    Payment.objects.filter(pk=payment.pk).update(batch=batch)
    payment.refresh_from_db()
    return batch


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def ids(response) -> list[int]:
    return [row["id"] for row in ok(response)["results"]]


def no_secrets(response) -> None:
    text = response.content.decode()
    for secret in SECRETS:
        assert secret not in text


def new_payment_body(on_case, payee, **changes) -> dict:
    return {
        "case": on_case.pk,
        "payee": payee.pk,
        "reason": "ARR",
        "amount": "1250.00",
        "payment_method": "bank_transfer",
        "period_start": "2026-09-01",
        "period_end": "2026-10-31",
        **changes,
    }


# --- payments: reading ----------------------------------------------------------------------------


def test_a_payment_shows_payee_method_status_batch_and_override_never_the_secrets(worker, case_manager):
    payment = make_payment(case_manager)
    response = worker.get(f"{API}/payments/{payment.pk}/")
    body = ok(response)
    assert body["id"] == payment.pk and body["reference"] == f"PAY-{payment.pk:08d}"
    assert (body["case"], body["case_number"]) == (payment.case_id, payment.case.number)
    assert body["case_type"] == payment.case.case_type_id
    assert (body["payee"], body["payee_name"]) == (payment.payee_id, "Lena Lord")
    assert (body["payment_method"], body["payment_method_label"]) == ("bank_transfer", "Bank transfer")
    assert (body["status"], body["status_label"]) == ("not_verified", "Not verified")
    assert (body["reason"], body["reason_label"], body["amount"]) == ("ARR", "Rent arrears", "1250.00")
    assert (body["period_start"], body["period_end"]) == ("2026-09-01", "2026-10-31")
    assert body["batch"] is None and body["batch_reference"] is None
    assert body["override_reason"] == "" and body["override_by"] is None and body["override_at"] is None
    assert body["is_editable"] is True
    no_secrets(response)


def test_the_list_filters_by_status_reason_case_programme_payee_and_batch(worker, case_manager):
    first = make_payment(case_manager)
    second = make_payment(case_manager, status=S.VERIFIED_BY_WORKER, reason="UTL", case=other_programme_case())
    batch = in_batch(second, "BATCH-TEST-1")

    assert set(ids(worker.get(f"{API}/payments/"))) == {first.pk, second.pk}
    assert ids(worker.get(f"{API}/payments/", {"status": "verified_by_worker"})) == [second.pk]
    assert set(ids(worker.get(f"{API}/payments/?status=not_verified&status=verified_by_worker"))) == {
        first.pk,
        second.pk,
    }
    assert ids(worker.get(f"{API}/payments/", {"reason": "ARR"})) == [first.pk]
    assert ids(worker.get(f"{API}/payments/", {"case": first.case_id})) == [first.pk]
    assert ids(worker.get(f"{API}/payments/", {"case_type": second.case.case_type_id})) == [second.pk]
    assert ids(worker.get(f"{API}/payments/", {"payee": first.payee_id})) == [first.pk]
    assert ids(worker.get(f"{API}/payments/", {"batch": batch.pk})) == [second.pk]
    row = ok(worker.get(f"{API}/payments/", {"batch": batch.pk}))["results"][0]
    assert row["batch_reference"] == "BATCH-TEST-1"


def test_the_lists_read_a_fixed_number_of_queries(worker, case_manager, supervisor):
    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert worker.get(url).status_code == 200
        return len(queries)

    def one_more() -> None:
        payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
        in_batch(payment, f"PB-Q-{payment.pk}")
        Payment.objects.filter(pk=payment.pk).update(
            override_reason="Checked", override_by=supervisor, override_at=payment.created_at
        )

    one_more()
    urls = [f"{API}/payments/", f"{API}/payees/", f"{API}/batches/"]
    before = [count(url) for url in urls]
    for _ in range(3):
        one_more()
    assert [count(url) for url in urls] == before


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "paid"}, "status"), ({"reason": "RENT"}, "reason"), ({"case": "abc"}, "case")],
)
def test_an_unknown_filter_value_is_a_400_naming_the_parameter(worker, params, field):
    error = api_error(worker.get(f"{API}/payments/", params), 400, "validation_error")
    assert field in error["fields"]


def test_a_payment_that_does_not_exist_is_404(worker):
    api_error(worker.get(f"{API}/payments/999999/"), 404, "not_found")
    api_error(send(worker, f"{API}/payments/999999/verify/"), 404, "not_found")


def test_caseworkers_may_read_payments(client, caseworker, case_manager):
    payment = make_payment(case_manager)
    client.force_login(caseworker)
    assert ok(client.get(f"{API}/payments/{payment.pk}/"))["id"] == payment.pk


# --- payments: creating and editing -----------------------------------------------------------------


def test_a_case_manager_sets_up_a_payment(worker, case_manager):
    case, payee = case_and_payee()
    response = send(worker, f"{API}/payments/", new_payment_body(case, payee))
    body = ok(response, 201)
    payment = Payment.objects.get(pk=body["id"])
    assert (payment.case, payment.payee, payment.amount) == (case, payee, Decimal("1250.00"))
    assert payment.created_by == case_manager
    assert body["status"] == "not_verified" and body["payee_name"] == payee.name
    no_secrets(response)


@pytest.mark.parametrize("amount", ["0", "0.00", "-10.00"])
def test_a_zero_or_negative_amount_is_a_400_on_amount(worker, amount):
    body = new_payment_body(*case_and_payee(), amount=amount)
    error = api_error(send(worker, f"{API}/payments/", body), 400, "validation_error")
    assert error["fields"]["amount"] == ["The amount must be more than zero."]
    assert not Payment.objects.exists()


def test_missing_and_malformed_fields_are_named(worker):
    body = {"case": approved_case().pk, "reason": "RENT", "amount": "lots", "period_start": "yesterday"}
    error = api_error(send(worker, f"{API}/payments/", body), 400, "validation_error")
    assert {"payee", "reason", "amount", "period_start"} <= set(error["fields"])


def test_a_case_the_service_refuses_is_a_400_on_case(worker):
    body = new_payment_body(*case_and_payee(tenant_case(status="assessment")))
    error = api_error(send(worker, f"{API}/payments/", body), 400, "validation_error")
    assert "case" in error["fields"]


def test_a_payee_not_on_the_case_is_a_400_on_payee(worker):
    case = approved_case()
    body = new_payment_body(case, make_payee())  # a landlord not matched to this case
    error = api_error(send(worker, f"{API}/payments/", body), 400, "validation_error")
    assert error["fields"] == {"payee": ["Choose one of the landlord payees on this case, or a utility's payee."]}
    stipend = _stipend_body(case, make_payee())
    assert "payee" in api_error(send(worker, f"{API}/stipend-schedules/", stipend), 400)["fields"]
    assert not Payment.objects.exists() and not StipendSchedule.objects.exists()


def test_a_payment_on_a_case_that_cannot_be_seen_is_404(worker):
    body = new_payment_body(*case_and_payee(), case=999999)
    api_error(send(worker, f"{API}/payments/", body), 404, "not_found")
    assert not Payment.objects.exists()


def test_caseworkers_cannot_set_up_payments(client, caseworker):
    client.force_login(caseworker)
    body = new_payment_body(*case_and_payee())
    api_error(send(client, f"{API}/payments/", body), 403, "permission_denied")
    assert not Payment.objects.exists()


def test_a_duplicate_benefit_is_409_and_a_supervisor_may_override_it(client, case_manager, supervisor):
    existing = make_payment(case_manager)
    body = new_payment_body(*case_and_payee(existing.case), amount="300.00")

    client.force_login(case_manager)
    error = api_error(send(client, f"{API}/payments/", body), 409, "duplicate_benefit")
    assert error["message"]
    assert Payment.objects.count() == 1
    # Only a supervisor may go ahead anyway.
    api_error(send(client, f"{API}/payments/", {**body, "override_reason": "Court order"}), 403)
    assert Payment.objects.count() == 1

    client.force_login(supervisor)
    created = ok(send(client, f"{API}/payments/", {**body, "override_reason": "Court order covers both"}), 201)
    assert created["override_reason"] == "Court order covers both"
    assert created["override_by"]["id"] == supervisor.pk and created["override_at"]


def test_an_edit_that_makes_a_duplicate_benefit_is_409_and_changes_nothing(worker, case_manager):
    first = make_payment(case_manager)  # September and October
    later = make_payment(
        case_manager,
        case=first.case,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
    )
    change = {"period_start": "2026-10-01", "period_end": "2026-11-30"}
    api_error(send(worker, f"{API}/payments/{later.pk}/", change, method="patch"), 409, "duplicate_benefit")
    later.refresh_from_db()
    assert later.period_start == datetime.date(2026, 11, 1)


def test_a_payment_is_edited_and_a_verified_one_goes_back_to_be_checked(worker, case_manager):
    payment = make_payment(case_manager, status=S.VERIFIED_BY_WORKER)
    body = ok(send(worker, f"{API}/payments/{payment.pk}/", {"amount": "1100.00"}, method="patch"))
    assert (body["amount"], body["status"]) == ("1100.00", "not_verified")
    payment.refresh_from_db()
    assert payment.amount == Decimal("1100.00")


def test_an_edit_with_a_bad_amount_is_a_400(worker, case_manager):
    payment = make_payment(case_manager)
    error = api_error(send(worker, f"{API}/payments/{payment.pk}/", {"amount": "-5"}, method="patch"), 400)
    assert "amount" in error["fields"]
    payment.refresh_from_db()
    assert payment.amount == Decimal("1250.00")


def test_an_edit_of_a_field_that_cannot_change_is_a_400_naming_it(worker, case_manager):
    payment = make_payment(case_manager)
    body = {"status": "payment_successful", "case": 1, "amount": "10.00"}
    error = api_error(send(worker, f"{API}/payments/{payment.pk}/", body, method="patch"), 400)
    assert set(error["fields"]) == {"status", "case"}
    payment.refresh_from_db()
    assert (payment.status, payment.amount) == (S.NOT_VERIFIED, Decimal("1250.00"))


def test_an_edit_may_keep_the_payee_or_change_to_one_on_the_case_only(worker, case_manager):
    payment = make_payment(case_manager)  # its payee is not a landlord matched to the case
    same = send(worker, f"{API}/payments/{payment.pk}/", {"payee": payment.payee_id}, method="patch")
    assert ok(same)["payee"] == payment.payee_id
    stranger = send(worker, f"{API}/payments/{payment.pk}/", {"payee": make_payee().pk}, method="patch")
    assert "payee" in api_error(stranger, 400)["fields"]
    landlord = landlord_payee(payment.case)
    changed = ok(send(worker, f"{API}/payments/{payment.pk}/", {"payee": landlord.pk}, method="patch"))
    assert (changed["payee"], changed["payee_name"]) == (landlord.pk, landlord.name)


def test_a_submitted_payment_cannot_be_edited(worker, case_manager):
    payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    api_error(send(worker, f"{API}/payments/{payment.pk}/", {"amount": "10.00"}, method="patch"), 409, "conflict")


# --- payments: the status machine -------------------------------------------------------------------

# (action, body, status before, status after, needs a supervisor)
MOVES = [
    ("verify", None, S.NOT_VERIFIED, S.VERIFIED_BY_WORKER, False),
    ("reject", {"reason": "Not owed"}, S.NOT_VERIFIED, S.REJECTED_BY_WORKER, False),
    ("retry", {"reason": "Bank details corrected"}, S.PAYMENT_FAILED, S.NOT_VERIFIED, False),
    ("submit", {}, S.VERIFIED_BY_WORKER, S.SUBMITTED_FOR_PAYMENT, True),
    (
        "record-result",
        {"result": "successful", "reference": "BANK-1"},
        S.SUBMITTED_FOR_PAYMENT,
        S.PAYMENT_SUCCESSFUL,
        True,
    ),
    ("void", {"reason": "Paid by cheque instead"}, S.SUBMITTED_FOR_PAYMENT, S.PAYMENT_VOIDED, True),
    ("recoup", {"reason": "Paid in error"}, S.PAYMENT_SUCCESSFUL, S.PAYMENT_RECOUPED, True),
    ("refund-or-cancel", {"reason": "Account closed"}, S.PAYMENT_RETURNED, S.REFUND_OR_CANCELLED, True),
]


@pytest.mark.parametrize(("action", "body", "before", "after", "_"), MOVES, ids=[m[0] for m in MOVES])
def test_each_move_through_the_api(boss, case_manager, action, body, before, after, _):
    payment = make_payment(case_manager, status=before)
    result = ok(send(boss, f"{API}/payments/{payment.pk}/{action}/", body))
    assert result["status"] == after
    payment.refresh_from_db()
    assert payment.status == after
    if body and body.get("reason"):
        assert result["status_reason"] == body["reason"]
    if action == "record-result":
        assert result["provider_reference"] == "BANK-1"


@pytest.mark.parametrize(
    ("action", "body", "before"),
    [(a, b, s) for a, b, s, _, boss_only in MOVES if boss_only],
    ids=[m[0] for m in MOVES if m[4]],
)
def test_supervisors_moves_are_403_for_case_managers(worker, case_manager, action, body, before):
    payment = make_payment(case_manager, status=before)
    api_error(send(worker, f"{API}/payments/{payment.pk}/{action}/", body), 403, "permission_denied")
    payment.refresh_from_db()
    assert payment.status == before


@pytest.mark.parametrize(
    ("action", "body", "before"),
    [(a, b, s) for a, b, s, _, boss_only in MOVES if not boss_only],
    ids=["verify", "reject", "retry"],
)
def test_workers_moves_are_403_for_caseworkers(client, caseworker, case_manager, action, body, before):
    payment = make_payment(case_manager, status=before)
    client.force_login(caseworker)
    api_error(send(client, f"{API}/payments/{payment.pk}/{action}/", body), 403, "permission_denied")


@pytest.mark.parametrize(
    ("action", "body", "status"),
    [
        ("verify", None, S.SUBMITTED_FOR_PAYMENT),
        ("reject", {"reason": "No"}, S.PAYMENT_SUCCESSFUL),
        ("retry", {}, S.NOT_VERIFIED),
        ("submit", {}, S.NOT_VERIFIED),
        ("record-result", {"result": "returned"}, S.SUBMITTED_FOR_PAYMENT),
        ("record-result", {"result": "failed"}, S.PAYMENT_SUCCESSFUL),
        ("void", {"reason": "No"}, S.PAYMENT_SUCCESSFUL),
        ("recoup", {"reason": "No"}, S.NOT_VERIFIED),
        ("refund-or-cancel", {"reason": "No"}, S.PAYMENT_VOIDED),
    ],
)
def test_a_move_the_status_does_not_allow_is_409(boss, case_manager, action, body, status):
    payment = make_payment(case_manager, status=status)
    error = api_error(send(boss, f"{API}/payments/{payment.pk}/{action}/", body), 409, "transition_not_allowed")
    assert error["message"]
    payment.refresh_from_db()
    assert payment.status == status


def test_verifying_with_an_unverified_payee_is_409_naming_the_payee(worker, case_manager):
    payment = make_payment(case_manager, payee=make_payee(verified=False))
    error = api_error(send(worker, f"{API}/payments/{payment.pk}/verify/"), 409, "transition_not_allowed")
    assert "payee" in error["fields"]


@pytest.mark.parametrize("action", ["reject", "void", "recoup", "refund-or-cancel"])
def test_a_move_that_needs_a_reason_is_a_400_without_one(boss, case_manager, action):
    payment = make_payment(case_manager)
    error = api_error(send(boss, f"{API}/payments/{payment.pk}/{action}/", {"reason": ""}), 400, "validation_error")
    assert "reason" in error["fields"]


def test_an_unknown_result_is_a_400(boss, case_manager):
    payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    error = api_error(send(boss, f"{API}/payments/{payment.pk}/record-result/", {"result": "paid"}), 400)
    assert "result" in error["fields"]


# --- payees ---------------------------------------------------------------------------------------


def test_payees_show_only_the_masked_tax_id_and_account_number(worker, case_manager):
    payment = make_payment(case_manager)
    listing = worker.get(f"{API}/payees/")
    assert ids(listing) == [payment.payee_id]
    no_secrets(listing)
    response = worker.get(f"{API}/payees/{payment.payee_id}/")
    body = ok(response)
    assert body["tax_id_masked"] == "•••••6789"
    assert body["account_number_masked"] == "••••••••6789"
    assert "tax_id" not in body and "account_number" not in body
    assert (body["name"], body["verification_status"], body["is_verified"]) == (
        "Lena Lord",
        "verified_automatic",
        True,
    )
    no_secrets(response)


def test_a_payee_on_no_visible_case_is_404_and_not_listed(worker):
    payee = make_payee()  # a landlord's profile, not yet paid on any case
    api_error(worker.get(f"{API}/payees/{payee.pk}/"), 404, "not_found")
    assert ids(worker.get(f"{API}/payees/")) == []


def _evidence(content: bytes = PDF, name: str = "tin-match.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_worker_verifies_a_payee_with_evidence_filed_on_the_case(worker, case_manager):
    payment = make_payment(case_manager, payee=make_payee(verified=False))
    response = worker.post(
        f"{API}/payees/{payment.payee_id}/verify-by-worker/",
        {"evidence": _evidence(), "reason": "TIN match screenshot checked"},
    )
    body = ok(response)
    assert body["verification_status"] == "verified_by_worker"
    assert body["verified_by"]["id"] == case_manager.pk
    document = Document.objects.get(pk=body["verification_evidence"])
    assert (document.case_id, document.category) == (payment.case_id, Document.Category.TAX)
    assert document.original_name == "tin-match.pdf"
    no_secrets(response)


def test_verifying_a_payee_without_a_reason_or_file_is_a_400_and_stores_nothing(worker, case_manager):
    payment = make_payment(case_manager, payee=make_payee(verified=False))
    before = stored_files()
    error = api_error(worker.post(f"{API}/payees/{payment.payee_id}/verify-by-worker/", {"reason": ""}), 400)
    assert {"evidence", "reason"} <= set(error["fields"])
    # A file the document service refuses is reported against "evidence".
    bad = _evidence(b"not a document", "notes.pdf")
    error = api_error(
        worker.post(f"{API}/payees/{payment.payee_id}/verify-by-worker/", {"evidence": bad, "reason": "Checked"}), 400
    )
    assert "evidence" in error["fields"]
    assert stored_files() == before and not Document.objects.exists()
    assert Payee.objects.get(pk=payment.payee_id).verification_status == PayeeVerification.UNVERIFIED


def test_caseworkers_cannot_verify_a_payee_and_no_file_is_stored(client, caseworker, case_manager):
    payment = make_payment(case_manager, payee=make_payee(verified=False))
    client.force_login(caseworker)
    before = stored_files()
    response = client.post(
        f"{API}/payees/{payment.payee_id}/verify-by-worker/", {"evidence": _evidence(), "reason": "Looks fine"}
    )
    api_error(response, 403, "permission_denied")
    assert stored_files() == before and not Document.objects.exists()


def test_the_automatic_check_records_its_answer(worker, case_manager):
    payment = make_payment(case_manager, payee=make_payee(verified=False))
    body = ok(send(worker, f"{API}/payees/{payment.payee_id}/check-automatic/"))
    assert body["automatic_check_status"] in ("match", "mismatch", "error")
    assert body["automatic_checked_at"]
    payee = Payee.objects.get(pk=payment.payee_id)
    assert payee.automatic_check_status == body["automatic_check_status"]
    assert body["is_verified"] is (body["automatic_check_status"] == "match")


def test_caseworkers_cannot_run_the_automatic_check(client, caseworker, case_manager):
    payment = make_payment(case_manager, payee=make_payee(verified=False))
    client.force_login(caseworker)
    api_error(send(client, f"{API}/payees/{payment.payee_id}/check-automatic/"), 403, "permission_denied")
    assert Payee.objects.get(pk=payment.payee_id).automatic_check_status == ""


# --- stipend schedules ----------------------------------------------------------------------------


def _stipend_body(on_case, payee, **changes) -> dict:
    return {
        "case": on_case.pk,
        "payee": payee.pk,
        "amount": "800.00",
        "payment_method": "bank_transfer",
        "first_month": "2027-01-15",
        "months": 6,
        **changes,
    }


def test_a_stipend_schedule_is_set_up_listed_and_stopped(worker, case_manager):
    case, payee = case_and_payee()
    created = ok(send(worker, f"{API}/stipend-schedules/", _stipend_body(case, payee)), 201)
    assert (created["first_month"], created["last_month"]) == ("2027-01-01", "2027-06-01")
    assert (created["status"], created["payee_name"], created["case_number"]) == ("active", payee.name, case.number)
    assert ids(worker.get(f"{API}/stipend-schedules/", {"case": case.pk})) == [created["id"]]
    assert ok(worker.get(f"{API}/stipend-schedules/{created['id']}/"))["amount"] == "800.00"

    stopped = ok(send(worker, f"{API}/stipend-schedules/{created['id']}/stop/", {"reason": "Moved out"}))
    assert (stopped["status"], stopped["stop_reason"]) == ("stopped", "Moved out")
    assert stopped["stopped_by"]["id"] == case_manager.pk
    again = send(worker, f"{API}/stipend-schedules/{created['id']}/stop/", {"reason": "Again"})
    api_error(again, 409, "transition_not_allowed")


@pytest.mark.parametrize(
    ("changes", "field"), [({"months": 13}, "months"), ({"amount": "0"}, "amount"), ({"amount": "-1"}, "amount")]
)
def test_a_bad_stipend_is_a_400_naming_the_field(worker, changes, field):
    body = _stipend_body(*case_and_payee(), **changes)
    error = api_error(send(worker, f"{API}/stipend-schedules/", body), 400, "validation_error")
    assert field in error["fields"]
    assert not StipendSchedule.objects.exists()


def test_caseworkers_cannot_set_up_a_stipend_and_unseen_ones_are_404(client, caseworker):
    client.force_login(caseworker)
    body = _stipend_body(*case_and_payee())
    api_error(send(client, f"{API}/stipend-schedules/", body), 403, "permission_denied")
    api_error(send(client, f"{API}/stipend-schedules/", {**body, "case": 999999}), 404, "not_found")
    api_error(client.get(f"{API}/stipend-schedules/999999/"), 404, "not_found")


# --- export batches -------------------------------------------------------------------------------


def test_a_supervisor_exports_a_batch_and_downloads_its_files(boss, case_manager):
    ready = make_payment(case_manager, status=S.VERIFIED_BY_WORKER)
    created = ok(send(boss, f"{API}/batches/", {}), 201)
    assert created["payment_count"] == 1 and Decimal(created["total_amount"]) == Decimal("1250.00")
    ready.refresh_from_db()
    assert ready.status == S.SUBMITTED_FOR_PAYMENT and ready.batch_id == created["id"]
    assert ids(boss.get(f"{API}/batches/")) == [created["id"]]
    detail = ok(boss.get(f"{API}/batches/{created['id']}/"))
    assert detail["reference"] == created["reference"]
    assert ok(boss.get(f"{API}/payments/{ready.pk}/"))["batch_reference"] == created["reference"]

    csv_file = boss.get(detail["files"]["csv"])
    assert csv_file.status_code == 200, csv_file.content
    assert "attachment" in csv_file["Content-Disposition"]
    assert ready.export_reference in csv_file.content.decode()
    ach_file = boss.get(detail["files"]["ach"])
    assert ach_file.status_code == 200, ach_file.content
    assert "attachment" in ach_file["Content-Disposition"]


def test_a_batch_of_one_programme(boss, case_manager):
    first = make_payment(case_manager, status=S.VERIFIED_BY_WORKER)
    other = make_payment(case_manager, status=S.VERIFIED_BY_WORKER, case=other_programme_case())
    created = ok(send(boss, f"{API}/batches/", {"case_type": first.case.case_type_id}), 201)
    assert ids(boss.get(f"{API}/payments/", {"batch": created["id"]})) == [first.pk]
    other.refresh_from_db()
    assert other.status == S.VERIFIED_BY_WORKER


def test_exporting_with_nothing_ready_is_a_400(boss, case_manager):
    make_payment(case_manager)  # not verified: not ready
    api_error(send(boss, f"{API}/batches/", {}), 400, "validation_error")
    assert not PaymentBatch.objects.exists()


def test_case_managers_cannot_export_or_download(client, case_manager, supervisor):
    make_payment(case_manager, status=S.VERIFIED_BY_WORKER)
    client.force_login(case_manager)
    api_error(send(client, f"{API}/batches/", {}), 403, "permission_denied")
    assert not PaymentBatch.objects.exists()
    client.force_login(supervisor)
    batch_id = ok(send(client, f"{API}/batches/", {}), 201)["id"]
    client.force_login(case_manager)
    api_error(client.get(f"{API}/batches/{batch_id}/files/ach/"), 403, "permission_denied")
    assert client.get(f"{API}/batches/{batch_id}/files/pdf/").status_code == 404


def test_a_batch_and_its_files_are_read_as_they_were_handed_over(client, boss, case_manager):
    payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    batch = in_batch(payment, "PB-20261122-07")
    detail = ok(boss.get(f"{API}/batches/{batch.pk}/"))
    assert detail["reference"] == "PB-20261122-07"
    assert detail["files"] == {
        "csv": f"{API}/batches/{batch.pk}/files/csv/",
        "ach": f"{API}/batches/{batch.pk}/files/ach/",
    }
    csv_file = boss.get(detail["files"]["csv"], HTTP_ACCEPT="text/csv")
    assert csv_file.status_code == 200, csv_file.content
    assert csv_file["Content-Type"].startswith("text/csv")
    assert csv_file["Content-Disposition"] == 'attachment; filename="PB-20261122-07.csv"'
    assert csv_file.content == b"payment_reference\n"
    assert boss.get(detail["files"]["ach"]).content == b"ACH"
    # Case managers see the batch, but not its files (the bank file carries account numbers).
    client.force_login(case_manager)
    assert ok(client.get(f"{API}/batches/{batch.pk}/"))["id"] == batch.pk
    api_error(client.get(detail["files"]["ach"]), 403, "permission_denied")


def test_an_unknown_batch_is_404(boss):
    api_error(boss.get(f"{API}/batches/999999/"), 404, "not_found")


# --- reconciliation imports -----------------------------------------------------------------------

HEADER = "payment_reference,result,amount,provider_reference,reason\n"


def _results_file(rows: list[str], name: str = "results.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "".join(f"{row}\n" for row in rows)).encode(), content_type="text/csv")


def test_a_good_file_is_applied_with_its_report(boss, case_manager):
    payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    in_batch(payment)
    response = boss.post(
        f"{API}/reconciliation-imports/",
        {"file": _results_file([f"{payment.export_reference},successful,1250.00,BANK-77,"])},
    )
    body = ok(response, 201)
    assert (body["status"], body["row_count"], body["changed_count"]) == ("applied", 1, 1)
    assert body["report"][0]["reference"] == payment.export_reference
    payment.refresh_from_db()
    assert (payment.status, payment.provider_reference) == (S.PAYMENT_SUCCESSFUL, "BANK-77")
    assert ids(boss.get(f"{API}/reconciliation-imports/")) == [body["id"]]
    assert ok(boss.get(f"{API}/reconciliation-imports/{body['id']}/"))["status"] == "applied"


def test_a_file_with_a_bad_row_is_refused_whole_with_the_rows_named(boss, case_manager):
    good = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    in_batch(good)
    rows = [f"{good.export_reference},successful,1250.00,BANK-1,", "PAY-99999999,paid,10.00,BANK-2,"]
    response = boss.post(f"{API}/reconciliation-imports/", {"file": _results_file(rows)})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"]["code"] == "validation_error"
    # The header is line 1: the bad row is line 3, named with each field at fault.
    assert {name for name in body["error"]["fields"] if name.startswith("rows.")} == {"rows.3.result"}
    record = body["reconciliation_import"]
    assert record["status"] == "refused" and record["row_count"] == 2
    assert any(entry["row"] == 3 for entry in record["report"])
    good.refresh_from_db()
    assert good.status == S.SUBMITTED_FOR_PAYMENT  # nothing applied
    # The refused import is kept, with its report.
    assert ok(boss.get(f"{API}/reconciliation-imports/", {"status": "refused"}))["count"] == 1


def test_case_managers_cannot_import_results(worker, case_manager):
    payment = make_payment(case_manager, status=S.SUBMITTED_FOR_PAYMENT)
    in_batch(payment)
    response = worker.post(
        f"{API}/reconciliation-imports/",
        {"file": _results_file([f"{payment.export_reference},successful,1250.00,BANK-1,"])},
    )
    api_error(response, 403, "permission_denied")
    payment.refresh_from_db()
    assert payment.status == S.SUBMITTED_FOR_PAYMENT


def test_an_import_without_a_file_is_a_400(boss):
    error = api_error(boss.post(f"{API}/reconciliation-imports/", {}), 400, "validation_error")
    assert "file" in error["fields"]


def test_an_unreadable_file_is_a_400_on_file_and_not_kept(boss):
    upload = SimpleUploadedFile("results.csv", "\u00e9".encode("latin-1"), content_type="text/csv")
    error = api_error(boss.post(f"{API}/reconciliation-imports/", {"file": upload}), 400, "validation_error")
    assert "file" in error["fields"]
    assert ok(boss.get(f"{API}/reconciliation-imports/"))["count"] == 0


def test_an_unknown_status_filter_on_imports_is_a_400(boss):
    error = api_error(boss.get(f"{API}/reconciliation-imports/", {"status": "maybe"}), 400)
    assert "status" in error["fields"]


# --- who may use the API at all -------------------------------------------------------------------


def _urls(payment: Payment) -> list[tuple[str, str]]:
    p = payment.pk
    return [
        ("get", f"{API}/payments/"),
        ("get", f"{API}/payments/{p}/"),
        ("post", f"{API}/payments/"),
        ("patch", f"{API}/payments/{p}/"),
        *[("post", f"{API}/payments/{p}/{action}/") for action, *_ in MOVES],
        ("get", f"{API}/payees/"),
        ("get", f"{API}/payees/{payment.payee_id}/"),
        ("post", f"{API}/payees/{payment.payee_id}/verify-by-worker/"),
        ("post", f"{API}/payees/{payment.payee_id}/check-automatic/"),
        ("get", f"{API}/stipend-schedules/"),
        ("post", f"{API}/stipend-schedules/"),
        ("get", f"{API}/batches/"),
        ("post", f"{API}/batches/"),
        ("get", f"{API}/batches/1/"),
        ("get", f"{API}/batches/1/files/csv/"),
        ("get", f"{API}/reconciliation-imports/"),
        ("post", f"{API}/reconciliation-imports/"),
    ]


def test_applicants_get_403_everywhere(client, applicant, case_manager):
    payment = make_payment(case_manager)
    client.force_login(applicant)
    for method, url in _urls(payment):
        response = send(client, url, {"reason": "x"}, method=method)
        api_error(response, 403, "permission_denied")
    payment.refresh_from_db()
    assert payment.status == S.NOT_VERIFIED


def test_anonymous_visitors_are_refused(client, case_manager):
    payment = make_payment(case_manager)
    for method, url in _urls(payment):
        response = send(client, url, method=method)
        assert response.status_code in (401, 403), url
        api_error(response, response.status_code, "not_authenticated")


# --- the schema -----------------------------------------------------------------------------------


def test_the_schema_documents_the_payments_api_without_warnings(tmp_path):
    out = tmp_path / "schema.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(out))
    schema = json.loads(out.read_text())
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/payments/", "get"),
        ("/api/v1/payments/", "post"),
        ("/api/v1/payments/{id}/", "patch"),
        ("/api/v1/payments/{id}/record-result/", "post"),
        ("/api/v1/payments/{id}/refund-or-cancel/", "post"),
        ("/api/v1/payees/{id}/verify-by-worker/", "post"),
        ("/api/v1/payees/{id}/check-automatic/", "post"),
        ("/api/v1/stipend-schedules/{id}/stop/", "post"),
        ("/api/v1/batches/", "post"),
        ("/api/v1/batches/{id}/files/{kind}/", "get"),
        ("/api/v1/reconciliation-imports/", "post"),
    ]:
        assert method in paths[path], (path, method)
    listing = paths["/api/v1/payments/"]["get"]
    assert {"status", "reason", "case", "case_type", "payee", "batch", "page"} <= {
        p["name"] for p in listing["parameters"]
    }
    assert "409" in paths["/api/v1/payments/"]["post"]["responses"]
    upload = paths["/api/v1/payees/{id}/verify-by-worker/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    payee = schema["components"]["schemas"]["Payee"]["properties"]
    assert {"tax_id_masked", "account_number_masked"} <= set(payee)
    assert not {"tax_id", "account_number"} & set(payee)


def test_bank_details_in_the_payee_factory_are_what_the_secret_check_looks_for():
    # The masked-field checks above are only as good as SECRETS: keep them the factory's values.
    assert BANK["tax_id"].replace("-", "") == SECRETS[0] and BANK["account_number"] == SECRETS[1]
