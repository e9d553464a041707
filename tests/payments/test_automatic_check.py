"""The automatic payee check through the pluggable verifier (the fake backend by default, or any
class named by PAYEE_VERIFIER_BACKEND), and the payments jobs (the check, the daily stipend run)."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings

from core import errors
from payments import tasks, verifiers
from payments.models import AutomaticCheck, Payee, PayeeVerification, Payment, PaymentStatus
from payments.services import payees as services
from payments.services import stipends as stipend_services
from tests.payments.factories import BANK, approved_case, last_audit, make_landlord, make_payee

pytestmark = pytest.mark.django_db


def _unverified(**details) -> Payee:
    return make_payee(verified=False, **details)


@pytest.mark.parametrize(
    ("tax_id", "status", "verification"),
    [
        ("123-45-6789", AutomaticCheck.MATCH, PayeeVerification.VERIFIED_AUTOMATIC),
        ("12-3450000", AutomaticCheck.MISMATCH, PayeeVerification.UNVERIFIED),
        ("12-3459999", AutomaticCheck.ERROR, PayeeVerification.UNVERIFIED),
    ],
)
def test_the_fake_verifier_s_answer_is_recorded_and_only_a_match_verifies(case_manager, tax_id, status, verification):
    payee = services.payee_check_automatic(actor=case_manager, payee=_unverified(tax_id=tax_id))
    assert (payee.automatic_check_status, payee.verification_status) == (status, verification)
    assert payee.automatic_check_message and payee.automatic_checked_at is not None
    assert last_audit(payee)["action"] == "payee_check_automatic"
    if status == AutomaticCheck.MATCH:
        assert (payee.verified_by, payee.verified_at is not None) == (case_manager, True)


def test_a_worker_s_verification_is_not_replaced_by_the_check(case_manager):
    from tests.casework.factories_docs import document_on

    payee = _unverified(tax_id="12-3450000")
    evidence = document_on(approved_case(), case_manager)
    services.payee_verify_by_worker(actor=case_manager, payee=payee, evidence=evidence, reason="EIN letter seen")
    checked = services.payee_check_automatic(actor=None, payee=payee)
    assert checked.verification_status == PayeeVerification.VERIFIED_BY_WORKER
    assert checked.automatic_check_status == ""


class AlwaysMismatch:
    """A stand-in provider, plugged in through the setting as a real one would be."""

    calls: list[tuple[str, str, str]] = []

    def check(self, *, name: str, tax_id: str, kind: str) -> verifiers.VerifierAnswer:
        AlwaysMismatch.calls.append((name, tax_id, kind))
        return verifiers.VerifierAnswer(AutomaticCheck.MISMATCH, "Provider says no.")


def test_the_backend_is_chosen_by_the_setting(case_manager):
    payee = _unverified()
    with override_settings(PAYEE_VERIFIER_BACKEND=f"{__name__}.AlwaysMismatch"):
        checked = services.payee_check_automatic(actor=case_manager, payee=payee)
    assert (checked.automatic_check_status, checked.automatic_check_message) == ("mismatch", "Provider says no.")
    assert AlwaysMismatch.calls[-1] == ("Lena Lord", "123456789", "individual")


def test_changing_the_details_clears_the_check_and_verification(case_manager):
    payee = services.payee_check_automatic(actor=case_manager, payee=_unverified())
    assert payee.is_verified
    changed = services.payee_save(actor=payee.owner, owner=payee.owner, **{**BANK, "name": "Lena Lord Ltd"})
    assert (changed.verification_status, changed.automatic_check_status) == (PayeeVerification.UNVERIFIED, "")


def test_saving_new_details_queues_the_check_after_commit(django_capture_on_commit_callbacks):
    owner = make_landlord("new@test.example")
    with django_capture_on_commit_callbacks() as queued:
        services.payee_save(actor=owner, owner=owner, **BANK)
    assert [callback.func.__name__ for callback in queued] == ["_queue_check"]
    with django_capture_on_commit_callbacks() as queued:
        services.payee_save(actor=owner, owner=owner, **BANK)  # nothing changed: no new check
    assert queued == []
    with django_capture_on_commit_callbacks() as queued:
        services.payee_save(actor=owner, owner=owner, **{**BANK, "tax_id": "98-7654321"})
    assert len(queued) == 1


def test_the_check_job_runs_the_check_and_ignores_a_payee_gone(case_manager):
    payee = _unverified()
    assert tasks.payee_check.apply(args=[payee.pk]).get() == AutomaticCheck.MATCH
    assert Payee.objects.get(pk=payee.pk).verification_status == PayeeVerification.VERIFIED_AUTOMATIC
    assert tasks.payee_check.apply(args=[999_999]).get() == ""


def test_caseworkers_and_applicants_cannot_run_the_check(caseworker):
    payee = _unverified()
    for actor in (caseworker, payee.owner):
        with pytest.raises(errors.PermissionDenied):
            services.payee_check_automatic(actor=actor, payee=payee)


def test_the_stipend_job_runs_every_active_schedule_and_skips_one_whose_case_moved_on(case_manager):
    today = datetime.date.today()
    schedules = [
        stipend_services.stipend_schedule_create(
            actor=case_manager,
            case=approved_case(),
            payee=make_payee(),
            amount="700.00",
            payment_method="bank_transfer",
            first_month=today,
            months=3,
        )
        for _ in range(2)
    ]
    from casework.models import Case

    Case.objects.filter(pk=schedules[1].case_id).update(status="reviewer")
    made = tasks.stipends_run.apply().get()
    assert made == 2  # this month and next, for the first schedule only
    assert Payment.objects.filter(schedule=schedules[0], status=PaymentStatus.NOT_VERIFIED).count() == 2
    assert not Payment.objects.filter(schedule=schedules[1]).exists()
    assert tasks.stipends_run.apply().get() == 0  # safe to run twice


# --- a worker's verification with an uploaded document ---------------------------------------------


def _upload(content: bytes, name: str):
    import io

    upload = io.BytesIO(content)
    upload.name = name
    return upload


def test_a_worker_verifies_with_evidence_filed_on_the_case_in_one_go(case_manager):
    from casework.models import Document
    from tests.casework.factories_docs import PDF

    payee, case = _unverified(tax_id="12-3450000"), approved_case()
    verified = services.payee_verify_with_evidence(
        actor=case_manager, payee=payee, case=case, uploaded_file=_upload(PDF, "ein.pdf"), reason="EIN letter seen"
    )
    evidence = Document.objects.get(case=case)
    assert (evidence.category, verified.verification_evidence) == (Document.Category.TAX, evidence)
    assert (verified.verification_status, verified.verified_by) == (PayeeVerification.VERIFIED_BY_WORKER, case_manager)


@pytest.mark.parametrize(
    ("actor", "reason", "content", "refusal", "field"),
    [
        ("caseworker", "Seen", None, errors.PermissionDenied, None),
        ("case_manager", "  ", None, errors.ValidationError, "reason"),
        ("case_manager", "Seen", b"MZ not a document", errors.ValidationError, "evidence"),
    ],
)
def test_a_refused_verification_leaves_no_document_behind(request, actor, reason, content, refusal, field):
    from casework.models import Document
    from tests.casework.factories_docs import PDF

    payee, case = _unverified(), approved_case()
    with pytest.raises(refusal) as caught:
        services.payee_verify_with_evidence(
            actor=request.getfixturevalue(actor),
            payee=payee,
            case=case,
            uploaded_file=_upload(content or PDF, "evidence.pdf"),
            reason=reason,
        )
    if field:
        assert field in caught.value.fields
    assert not Document.objects.filter(case=case).exists()
    assert Payee.objects.get(pk=payee.pk).verification_status == PayeeVerification.UNVERIFIED


def test_no_case_to_file_the_evidence_on_is_a_conflict(case_manager):
    from tests.casework.factories_docs import PDF

    with pytest.raises(errors.Conflict, match="nowhere to file"):
        services.payee_verify_with_evidence(
            actor=case_manager, payee=_unverified(), case=None, uploaded_file=_upload(PDF, "e.pdf"), reason="Seen"
        )
