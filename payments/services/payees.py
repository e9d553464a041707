"""Writes for payees: payee_save, used by a landlord's or property manager's portal profile (and
by staff), and verification: payee_verify_by_worker (a worker with evidence and a reason),
payee_check_automatic (the automatic name/TIN check, queued when a payee's name or tax id is new)
and payee_mark_verified, the one place a payee becomes verified. Changing the name, tax id or
where the money goes resets verification. Messages from payee_save are shown to applicants, so
they are translated in the language of the request."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.models import Case, Document
from casework.services import documents as document_services
from casework.services.common import clean_text, constraint_errors, full_clean
from core import errors
from core.audit import audited
from core.models import User
from core.permissions import is_staff_member
from payments import verifiers
from payments.models import AutomaticCheck, Payee, PayeeKind, PayeeRole, PayeeVerification, PaymentMethod
from payments.permissions import can_check_payee, can_manage_utility_payee, can_verify_payee

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 2000

# What a verification vouches for: who is paid (name and tax id) and where the money goes. A
# change to any of them makes the payee unverified again.
VERIFIED_FIELDS = (
    "name",
    "tax_id",
    "payment_method",
    "account_holder",
    "routing_number",
    "account_number",
    "mailing_address_line_1",
    "mailing_address_line_2",
    "mailing_town",
    "mailing_postcode",
)

_SEPARATORS = re.compile(r"[\s\-]")
# The two ways a US tax id is written: an EIN 12-3456789 or an SSN/ITIN 123-45-6789 (or 9 digits).
_TIN_FORMS = re.compile(r"^(\d{9}|\d{2}-\d{7}|\d{3}-\d{2}-\d{4})$")

PAYEE_OWNER_KINDS = (User.Kind.LANDLORD, User.Kind.PROPERTY_MANAGER)


def tax_id_clean(value: str | None) -> str:
    """A TIN written as 9 digits, 12-3456789 or 123-45-6789, as its 9 digits. Raises
    ValidationError (field "tax_id") for anything else."""
    text = (value or "").strip().replace(" ", "")
    if not text:
        raise errors.ValidationError(fields={"tax_id": [_("Enter the tax identification number (TIN or EIN).")]})
    if not _TIN_FORMS.match(text):
        raise errors.ValidationError(
            fields={"tax_id": [_("Enter a tax identification number of 9 digits, like 12-3456789 or 123-45-6789.")]}
        )
    return text.replace("-", "")


def routing_number_clean(value: str | None) -> str:
    """A 9-digit US routing number or a 6-digit UK sort code (12-34-56), as digits."""
    digits = _SEPARATORS.sub("", value or "")
    if not digits:
        raise errors.ValidationError(fields={"routing_number": [_("Enter the routing number or sort code.")]})
    if not digits.isdigit() or len(digits) not in (6, 9):
        raise errors.ValidationError(
            fields={"routing_number": [_("Enter a routing number of 9 digits or a sort code of 6 digits.")]}
        )
    return digits


def account_number_clean(value: str | None) -> str:
    """An account number of 4 to 17 digits, as digits."""
    digits = _SEPARATORS.sub("", value or "")
    if not digits:
        raise errors.ValidationError(fields={"account_number": [_("Enter the account number.")]})
    if not digits.isdigit() or not 4 <= len(digits) <= 17:
        raise errors.ValidationError(fields={"account_number": [_("Enter an account number of 4 to 17 digits.")]})
    return digits


def can_change_payee(actor: User, owner: User) -> bool:
    """A payee is changed by its owner (a landlord or property manager), or by staff."""
    return is_staff_member(actor) or (actor.pk == owner.pk and actor.is_active and actor.kind in PAYEE_OWNER_KINDS)


def _collect(field_errors: dict[str, list[str]], clean, value):
    try:
        return clean(value)
    except errors.ValidationError as error:
        for name, messages in error.fields.items():
            field_errors.setdefault(name, []).extend(messages)
        return ""


@transaction.atomic
def payee_save(
    *,
    actor: User,
    owner: User,
    kind: str,
    name: str,
    payment_method: str,
    tax_id: str = "",
    account_holder: str = "",
    routing_number: str = "",
    account_number: str = "",
    mailing_address_line_1: str = "",
    mailing_address_line_2: str = "",
    mailing_town: str = "",
    mailing_postcode: str = "",
) -> Payee:
    """Create or change `owner`'s payee. The tax id and account number are shown only masked,
    so when changing a payee an empty `tax_id` or `account_number` keeps the one stored; a new
    payee needs both (the account number only for bank transfer). Choosing cheque clears the
    bank details, and bank transfer the mailing address, so nothing stale is kept.

    Who: the owner (a landlord or property manager), or staff. Raises PermissionDenied, or
    ValidationError (per field) for a missing name, an unknown kind or method, a tax id that is
    not 9 digits, a routing number that is not 9 digits (or a sort code of 6), an account number
    that is not 4-17 digits, or a cheque with no mailing address."""
    if actor is None or not can_change_payee(actor, owner):
        raise errors.PermissionDenied(_("Only the landlord or property manager can change their payee details."))
    role = PayeeRole.PROPERTY_MANAGER if owner.kind == User.Kind.PROPERTY_MANAGER else PayeeRole.LANDLORD
    return _payee_write(
        actor=actor,
        payee=Payee.objects.select_for_update().filter(owner=owner).first(),
        new=lambda: Payee(owner=owner, role=role),
        kind=kind,
        name=name,
        payment_method=payment_method,
        tax_id=tax_id,
        account_holder=account_holder,
        routing_number=routing_number,
        account_number=account_number,
        mailing_address_line_1=mailing_address_line_1,
        mailing_address_line_2=mailing_address_line_2,
        mailing_town=mailing_town,
        mailing_postcode=mailing_postcode,
    )


@transaction.atomic
def utility_payee_save(*, actor: User, payee: Payee | None = None, **details: str) -> Payee:
    """Create a utility's payee (no owner: utilities have no account), or change `payee`, a
    utility's. The details and their rules are payee_save's (a utility is usually a business paid
    by bank transfer); a change to who is paid or where resets verification the same way.

    Who: case managers, reviewers and supervisors. Raises PermissionDenied, ValidationError (per
    field; or "payee" when `payee` is not a utility's)."""
    if not can_manage_utility_payee(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can keep utility payees.")
    if payee is not None:
        payee = Payee.objects.select_for_update().get(pk=payee.pk)
        if payee.role != PayeeRole.UTILITY:
            raise errors.ValidationError(
                fields={"payee": ["This is a landlord's or property manager's payee: they keep it in the portal."]}
            )
    return _payee_write(actor=actor, payee=payee, new=lambda: Payee(role=PayeeRole.UTILITY), **details)


def _payee_write(
    *,
    actor: User,
    payee: Payee | None,
    new: Callable[[], Payee],
    kind: str,
    name: str,
    payment_method: str,
    tax_id: str = "",
    account_holder: str = "",
    routing_number: str = "",
    account_number: str = "",
    mailing_address_line_1: str = "",
    mailing_address_line_2: str = "",
    mailing_town: str = "",
    mailing_postcode: str = "",
) -> Payee:
    """Check and write a payee's details: `payee` (locked) changed, or `new()` created."""
    field_errors: dict[str, list[str]] = {}
    if kind not in PayeeKind.values:
        field_errors["kind"] = [_("Choose whether payments go to an individual or a business.")]
    name = clean_text(name)
    if not name:
        field_errors["name"] = [_("Enter the name payments are made out to.")]
    if payment_method not in PaymentMethod.values:
        field_errors["payment_method"] = [_("Choose how you want to be paid.")]
    # Left empty when changing a payee: keep the stored one (the form never shows it).
    if payee is not None and not tax_id.strip():
        tax_id = payee.tax_id or ""
    else:
        tax_id = _collect(field_errors, tax_id_clean, tax_id)
    bank = payment_method == PaymentMethod.BANK_TRANSFER
    cheque = payment_method == PaymentMethod.CHEQUE
    if bank:
        account_holder = clean_text(account_holder)
        if not account_holder:
            field_errors["account_holder"] = [_("Enter the name on the bank account.")]
        routing_number = _collect(field_errors, routing_number_clean, routing_number)
        if account_number.strip() or payee is None or not payee.account_number:
            account_number = _collect(field_errors, account_number_clean, account_number)
        else:
            account_number = payee.account_number
    else:
        account_holder = routing_number = account_number = ""
    if cheque:
        mailing_address_line_1, mailing_address_line_2 = (
            clean_text(mailing_address_line_1),
            clean_text(mailing_address_line_2),
        )
        mailing_town, mailing_postcode = clean_text(mailing_town), clean_text(mailing_postcode).upper()
        if not mailing_address_line_1:
            field_errors["mailing_address_line_1"] = [_("Enter the first line of the mailing address.")]
        if not mailing_postcode:
            field_errors["mailing_postcode"] = [_("Enter the postcode or ZIP code of the mailing address.")]
    else:
        mailing_address_line_1 = mailing_address_line_2 = mailing_town = mailing_postcode = ""
    if field_errors:
        raise errors.ValidationError(fields=field_errors)

    creating = payee is None
    before = None if payee is None else {field: getattr(payee, field) or "" for field in VERIFIED_FIELDS}
    payee = payee or new()
    payee.kind, payee.name, payee.payment_method, payee.tax_id = kind, name, payment_method, tax_id
    payee.account_holder, payee.routing_number = account_holder, routing_number
    payee.account_number = account_number or None
    payee.mailing_address_line_1, payee.mailing_address_line_2 = mailing_address_line_1, mailing_address_line_2
    payee.mailing_town, payee.mailing_postcode = mailing_town, mailing_postcode
    changed = before is not None and before != {field: getattr(payee, field) or "" for field in VERIFIED_FIELDS}
    if changed:
        _clear_verification(payee)
    payee.stamp(actor)
    full_clean(payee, exclude=["owner", "tax_id", "account_number"])
    with (
        audited(actor=actor, action="payee_create" if creating else "payee_update"),
        constraint_errors({"payments_payee_one_per_owner": ("name", _("You already have payee details."))}),
    ):
        payee.save()
    if creating or changed:
        # New details, so not verified: ask the automatic check once the change is committed.
        transaction.on_commit(partial(_queue_check, payee.pk))
    return payee


def _queue_check(payee_id: int) -> None:
    from payments.tasks import payee_check

    payee_check.delay(payee_id)


# --- verification ----------------------------------------------------------------------------------


def _clear_verification(payee: Payee) -> None:
    payee.automatic_check_status, payee.automatic_check_message, payee.automatic_checked_at = "", "", None
    payee.verification_status = PayeeVerification.UNVERIFIED
    payee.verified_at = None
    payee.verified_by = None
    payee.verification_reason = ""
    payee.verification_evidence = None


def payee_mark_verified(
    *, payee: Payee, status: str, actor: User | None, reason: str, evidence: Document | None = None
) -> Payee:
    """Record `payee` (already locked by the caller, inside its transaction) as verified by
    `status`, and save. The hook the automatic name/TIN verifier will call with
    status=VERIFIED_AUTOMATIC and actor=None; payee_verify_by_worker calls it for workers. Checks
    nothing about who is acting: callers do."""
    if status not in (PayeeVerification.VERIFIED_AUTOMATIC, PayeeVerification.VERIFIED_BY_WORKER):
        raise ValueError(f"{status!r} is not a verified status")
    payee.verification_status = status
    payee.verified_at = timezone.now()
    payee.verified_by = actor
    payee.verification_reason = reason
    payee.verification_evidence = evidence
    payee.stamp(actor)
    payee.save()
    return payee


def _verification_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise errors.ValidationError(
            fields={"reason": ["Say why you are satisfied the payee is who they say they are."]}
        )
    if len(text) > REASON_MAX_LENGTH:
        raise errors.ValidationError(fields={"reason": [f"The reason can be at most {REASON_MAX_LENGTH} characters."]})
    return text


@transaction.atomic
def payee_verify_by_worker(*, actor: User, payee: Payee, evidence: Document | None, reason: str) -> Payee:
    """Record that a worker checked `payee`'s name and tax id, with the document they checked
    (a TIN-match screenshot, an EIN letter) and why they are satisfied. Verifying again replaces
    the earlier verification.

    Who: case managers, reviewers and supervisors. Raises PermissionDenied, or ValidationError
    (fields "evidence", "reason") when the evidence or the reason is missing, or the reason is too
    long."""
    if not can_verify_payee(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can verify a payee.")
    field_errors: dict[str, list[str]] = {}
    if evidence is None:
        field_errors["evidence"] = ["Attach the document you checked (a TIN-match screenshot or an EIN letter)."]
    try:
        text = _verification_reason(reason)
    except errors.ValidationError as error:
        field_errors.update(error.fields)
    if field_errors:
        raise errors.ValidationError(fields=field_errors)
    payee = Payee.objects.select_for_update().get(pk=payee.pk)
    with audited(actor=actor, action="payee_verify_by_worker", evidence=evidence.pk if evidence else None):
        return payee_mark_verified(
            payee=payee, status=PayeeVerification.VERIFIED_BY_WORKER, actor=actor, reason=text, evidence=evidence
        )


def payee_verify_with_evidence(*, actor: User, payee: Payee, case: Case | None, uploaded_file, reason: str) -> Payee:
    """A worker verifies `payee` with the document they checked, uploaded now: the file is filed on
    `case` (category "Tax or payee verification"; the caller picks a case the worker may see that
    belongs to the payee: payments.selectors.payee_evidence_case) and the verification recorded
    with it, in one transaction. Who and the reason are checked before anything is stored, and if
    the verification is refused after the upload the stored file is deleted with its row, so a
    refusal leaves no document behind.

    Raises PermissionDenied, ValidationError (fields "evidence" (the upload's refusals of the
    file), "reason"), Conflict (no case to file the evidence on, or the case is closed)."""
    if not can_verify_payee(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can verify a payee.")
    _verification_reason(reason)
    if case is None:
        raise errors.Conflict("The payee is on no case, so there is nowhere to file the evidence.")
    with transaction.atomic():
        try:
            evidence = document_services.document_upload(
                actor=actor, case=case, uploaded_file=uploaded_file, category=Document.Category.TAX
            )
        except errors.DomainError as error:
            if "file" not in error.fields:
                raise
            fields = {("evidence" if name == "file" else name): texts for name, texts in error.fields.items()}
            raise type(error)(error.message, fields=fields) from error
        try:
            return payee_verify_by_worker(actor=actor, payee=payee, evidence=evidence, reason=reason)
        except BaseException:
            # The document's row rolls back with this transaction; its stored file would not.
            try:
                evidence.file.storage.delete(evidence.file.name or "")
            except Exception:
                logger.exception(
                    "Could not delete the stored evidence %s of a refused verification", evidence.file.name
                )
            raise


def payee_check_automatic(*, actor: User | None, payee: Payee) -> Payee:
    """Ask the automatic name/TIN check (payments.verifiers, PAYEE_VERIFIER_BACKEND) about
    `payee`, and record its answer on the payee: a match verifies it ("verified automatically");
    a mismatch or a failed check leaves it as it is, for a worker to check with evidence. A payee a
    worker has verified is not checked again (their evidence stands).

    The service is asked outside any transaction (it may be slow) and the answer is recorded only
    if the name and tax id are still the ones asked about, so a change made meanwhile is never
    verified by an answer about the old details.

    Who: the job (actor=None) or a case manager, reviewer or supervisor. Raises PermissionDenied."""
    if not can_check_payee(actor):
        raise errors.PermissionDenied("Only a case manager, reviewer or supervisor can run the automatic check.")
    payee = Payee.objects.get(pk=payee.pk)
    if payee.verification_status == PayeeVerification.VERIFIED_BY_WORKER:
        return payee
    asked = (payee.name, payee.tax_id or "")
    try:
        answer = verifiers.verifier().check(name=payee.name, tax_id=payee.tax_id or "", kind=payee.kind)
    except verifiers.VerifierUnavailable as error:
        answer = verifiers.VerifierAnswer(AutomaticCheck.ERROR, str(error)[:300])
    with transaction.atomic():
        payee = Payee.objects.select_for_update().get(pk=payee.pk)
        if (payee.name, payee.tax_id or "") != asked:
            return payee  # changed while we asked: the change queued its own check
        payee.automatic_check_status = answer.status
        payee.automatic_check_message = answer.message[:300]
        payee.automatic_checked_at = timezone.now()
        with audited(actor=actor, action="payee_check_automatic", result=answer.status, message=answer.message):
            if answer.status == AutomaticCheck.MATCH and payee.verification_status == PayeeVerification.UNVERIFIED:
                return payee_mark_verified(
                    payee=payee, status=PayeeVerification.VERIFIED_AUTOMATIC, actor=actor, reason=answer.message
                )
            payee.stamp(actor)
            payee.save()
    return payee
