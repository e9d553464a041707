"""Demo payments (`manage.py seed_demo`), so the staff pages, the exports and the portal have
payments in every status to show. Everything goes through the payments services, as the staff
and the payment process would:

- The demo landlord's payee (Lewis Grant: portal.demo's details; this app seeds before the portal,
  so on a fresh database it is saved here, the same way the portal's demo would) is verified by
  the demo case manager, with a TIN-match letter uploaded to the landlord's application as the
  evidence and a reason.
- On the demo tenant's application at the Payment chevron (casework.demo_cases puts one there;
  if none is, one waiting for a decision is approved by the supervisor), one rent-arrears payment
  per month for the ten months before the application was made, each taken to a different status
  by the supervisor (acting as staff) or the system (actor=None: the export and the
  reconciliation): not verified, verified, submitted, paid, failed, returned, recouped, refunded
  or cancelled, rejected and voided. The submitted ones go out in one export batch.
- A two-month future-rent stipend from the month the application was made, run once.

Each payment has its own month (the duplicate-benefit check refuses two for one household's same
days), and the months are counted from when the application was made, so they are the same on
every run. A month that already has its payment is left alone: a second run creates nothing."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from casework.models import Case, Document, Status, Workflow
from casework.services import cases as case_services
from casework.services import documents as document_services
from core.models import User
from core.seeding import DemoContext
from payments.models import Payee, Payment, PaymentReason, PaymentStatus, StipendSchedule
from payments.services import payees as payee_services
from payments.services import payments as payment_services
from payments.services import stipends as stipend_services
from payments.services.batches import batch_export

TENANT, LANDLORD = "tenant@demo.example", "landlord@demo.example"
SUPERVISOR, CASE_MANAGER = "supervisor@demo.example", "casemanager@demo.example"

MONTHLY_RENT = "725.00"  # the demo tenant's rent (portal.demo's answers)
STIPEND_MONTHS = 2

P = PaymentStatus

# A one-page PDF: the "TIN-match letter" the case manager checked.
EVIDENCE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EVIDENCE_NAME = "tin-match-letter-lewis-grant.pdf"
VERIFICATION_REASON = "The IRS TIN-match letter confirms the name Lewis Grant with this EIN."


@dataclass(frozen=True)
class Story:
    """One arrears payment: how many months before the application it pays for, and where it ends."""

    months_before: int
    status: str
    amount: str = MONTHLY_RENT
    reason: str = ""  # the supervisor's or the provider's reason, where the move has one


STORIES = [
    Story(10, P.PAYMENT_SUCCESSFUL),
    Story(9, P.PAYMENT_RECOUPED, reason="Paid in error: the tenant had already paid this month's rent."),
    Story(8, P.PAYMENT_RETURNED, reason="Returned by the receiving bank: account closed."),
    Story(
        7,
        P.REFUND_OR_CANCELLED,
        reason="Cancelled: the landlord asked to be paid by a new account, set up as a new payment.",
    ),
    Story(6, P.PAYMENT_FAILED, "690.00", reason="Rejected by the bank: the account number is not valid."),
    Story(5, P.PAYMENT_VOIDED, reason="Voided before payment: the ledger showed this month already cleared."),
    Story(4, P.REJECTED_BY_WORKER, "775.00", reason="The ledger shows 725.00 owed for this month, not 775.00."),
    Story(3, P.SUBMITTED_FOR_PAYMENT),
    Story(2, P.VERIFIED_BY_WORKER),
    Story(1, P.NOT_VERIFIED),
]
# Those that go through the payment process (submitted, then a result or a supervisor's action).
SUBMITTED = {
    P.SUBMITTED_FOR_PAYMENT,
    P.PAYMENT_SUCCESSFUL,
    P.PAYMENT_FAILED,
    P.PAYMENT_RETURNED,
    P.PAYMENT_RECOUPED,
    P.REFUND_OR_CANCELLED,
    P.PAYMENT_VOIDED,
}


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _month(case: Case, months_before: int) -> datetime.date:
    """The 1st of the month `months_before` months before the month `case` was made (negative:
    after). Counted from the case's creation, so it is the same on every run."""
    made = case.created_at.date()
    return datetime.date(made.year, made.month, 1) - relativedelta(months=months_before)


# --- the payee -------------------------------------------------------------------------------------


def _landlord_payee(ctx: DemoContext, landlord: User) -> Payee:
    payee = Payee.objects.filter(owner=landlord).first()
    if payee is None:
        # The portal's demo saves this payee when it runs, but this app's demo runs first (and
        # before the landlord has a portal profile): the same details, saved by the landlord.
        from portal.demo import LANDLORD_PAYEE

        payee = payee_services.payee_save(actor=landlord, owner=landlord, **LANDLORD_PAYEE)
        ctx.created("landlord payee")
    return payee


def _verify_payee(ctx: DemoContext, payee: Payee, landlord_case: Case | None, worker: User) -> Payee:
    """The case manager checks the payee against a TIN-match letter on the landlord's application."""
    if payee.is_verified:
        return payee
    if landlord_case is None:
        raise RuntimeError("The demo's landlord application is missing: nowhere to keep the payee's evidence.")
    upload = io.BytesIO(EVIDENCE_PDF)
    upload.name = EVIDENCE_NAME
    # Filed as correspondence (the IRS letter), not as the landlord's tax form: the landlord is
    # still asked for that one (portal.demo's document requests), and a TAX document would answer it.
    evidence = document_services.document_upload(
        actor=worker, case=landlord_case, uploaded_file=upload, category=Document.Category.CORRESPONDENCE
    )
    ctx.created("payee verification")
    return payee_services.payee_verify_by_worker(
        actor=worker, payee=payee, evidence=evidence, reason=VERIFICATION_REASON
    )


# --- the case ---------------------------------------------------------------------------------------


def _demo_case(supervisor: User) -> Case | None:
    """The demo tenant's application with the demo payments: the one already seeded, or the
    first at the Payment chevron, or (none there) the first waiting for a decision, approved."""
    tenant_cases = Case.objects.filter(workflow=Workflow.RENTAL_TENANT, applicant__email=TENANT).order_by("pk")
    seeded = tenant_cases.filter(payments__isnull=False).first()
    if seeded is not None:
        return seeded
    approved = tenant_cases.filter(status=Status.PAYMENT).first()
    if approved is not None:
        return approved
    deciding = tenant_cases.filter(status=Status.REVIEWER).first()
    if deciding is None:
        return None
    return case_services.case_transition(actor=supervisor, case=deciding, transition="approve_for_payment")


def _landlord_case(case: Case) -> Case | None:
    return (
        Case.objects.filter(parent=case, workflow=Workflow.RENTAL_LANDLORD)
        .exclude(status=Status.CLOSED)
        .order_by("pk")
        .first()
    )


# --- the payments ------------------------------------------------------------------------------------


def _finish(payment: Payment, story: Story, supervisor: User) -> None:
    """Take a submitted payment on to `story.status`: the provider's results are recorded as the
    reconciliation would (actor=None); voids, recoups and refunds are the supervisor's."""
    reference = f"DEMO-{payment.period_start:%Y%m}-{payment.pk}"
    record = payment_services.payment_record_result
    if story.status == P.PAYMENT_VOIDED:
        payment_services.payment_void(actor=supervisor, payment=payment, reason=story.reason)
        return
    if story.status in (P.PAYMENT_FAILED, P.REFUND_OR_CANCELLED):
        failure = "The receiving bank refused the payment: account closed."
        payment = record(actor=None, payment=payment, result="failed", reference=reference, reason=failure)
        if story.status == P.REFUND_OR_CANCELLED:
            payment_services.payment_refund_or_cancel(actor=supervisor, payment=payment, reason=story.reason)
        return
    if story.status in (P.PAYMENT_SUCCESSFUL, P.PAYMENT_RETURNED, P.PAYMENT_RECOUPED):
        payment = record(actor=None, payment=payment, result="successful", reference=reference)
        if story.status == P.PAYMENT_RETURNED:
            record(actor=None, payment=payment, result="returned", reason=story.reason)
        elif story.status == P.PAYMENT_RECOUPED:
            payment_services.payment_recoup(actor=supervisor, payment=payment, reason=story.reason)


def _seed_arrears_payments(ctx: DemoContext, case: Case, payee: Payee, supervisor: User) -> None:
    seeded = set(Payment.objects.filter(case=case, reason=PaymentReason.ARREARS).values_list("period_start", flat=True))
    missing = [story for story in STORIES if _month(case, story.months_before) not in seeded]
    if not missing:
        return
    made: dict[Story, Payment] = {}
    for story in missing:
        start = _month(case, story.months_before)
        payment = payment_services.payment_create(
            actor=supervisor,
            case=case,
            payee=payee,
            reason=PaymentReason.ARREARS,
            amount=story.amount,
            payment_method=payee.payment_method,
            period_start=start,
            period_end=start + relativedelta(day=31),
        )
        if story.status == P.REJECTED_BY_WORKER:
            payment = payment_services.payment_reject(actor=supervisor, payment=payment, reason=story.reason)
        elif story.status in SUBMITTED:
            payment = payment_services.payment_verify(actor=supervisor, payment=payment)
        made[story] = payment
    to_submit = [story for story in made if story.status in SUBMITTED]
    if to_submit:
        # As the payment job does: one export batch.
        batch_export(actor=None, case_type=case.case_type)
        for story in to_submit:
            _finish(Payment.objects.get(pk=made[story].pk), story, supervisor)
    # Verified last, so the export above does not take it too.
    for story, payment in made.items():
        if story.status == P.VERIFIED_BY_WORKER:
            payment_services.payment_verify(actor=supervisor, payment=payment)
    ctx.created("payments", len(made))


def _seed_stipend(ctx: DemoContext, case: Case, payee: Payee, supervisor: User) -> None:
    first = _month(case, 0)
    schedule = StipendSchedule.objects.filter(case=case, first_month=first).first()
    if schedule is None:
        if case.status != Status.PAYMENT:
            return  # the case has moved on since: no new stipend on it
        schedule = stipend_services.stipend_schedule_create(
            actor=supervisor,
            case=case,
            payee=payee,
            amount=MONTHLY_RENT,
            payment_method=payee.payment_method,
            first_month=first,
            months=STIPEND_MONTHS,
        )
        ctx.created("stipend schedule")
    if not schedule.is_active or case.status != Status.PAYMENT:
        return
    made = stipend_services.stipend_schedule_run(actor=None, schedule=schedule)
    if made:
        ctx.created("payments", len(made))


def seed(ctx: DemoContext) -> None:
    supervisor, manager, landlord = _user(SUPERVISOR), _user(CASE_MANAGER), _user(LANDLORD)
    if supervisor is None or manager is None or landlord is None:
        return
    case = _demo_case(supervisor)
    if case is None:
        return
    payee = _verify_payee(ctx, _landlord_payee(ctx, landlord), _landlord_case(case), manager)
    if case.status == Status.PAYMENT:
        _seed_arrears_payments(ctx, case, payee, supervisor)
    _seed_stipend(ctx, case, payee, supervisor)
