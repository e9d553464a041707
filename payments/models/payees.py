"""Payees: who a payment is made to, and how. A landlord or property manager records theirs on
their portal profile before they can apply (seed 000: "LL/PM gets stuck mid-application, cannot
see Payee"). The tax id and bank account number are encrypted at rest and only ever shown
masked; the payments issue adds verification (TIN matching) and the payments themselves.

Fields and constraints only: every write goes through payments.services.payees."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from core.models import Stamped

MASK = "•"


def mask(value: str | None, shown: int = 4) -> str:
    """`value` with all but its last `shown` characters hidden ("•••••6789"); empty for none."""
    if not value:
        return ""
    return MASK * max(len(value) - shown, 0) + value[-shown:]


class PayeeKind(models.TextChoices):
    INDIVIDUAL = "individual", _("An individual")
    BUSINESS = "business", _("A business")


class PayeeRole(models.TextChoices):
    """Who the payee is to the programme. Landlords and property managers keep their own payee
    through the portal (one each); utilities have no account and are kept by staff."""

    LANDLORD = "landlord", _("Landlord")
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    UTILITY = "utility", _("Utility")


class PayeeVerification(models.TextChoices):
    """Whether a payee's name and tax id have been checked. Only verified payees can be paid."""

    UNVERIFIED = "unverified", _("Not verified")
    # Set by the automatic name/TIN check (payments.services.payees.payee_check_automatic).
    VERIFIED_AUTOMATIC = "verified_automatic", _("Verified automatically")
    VERIFIED_BY_WORKER = "verified_by_worker", _("Verified by a worker")


class AutomaticCheck(models.TextChoices):
    """The automatic name/TIN check's answer."""

    MATCH = "match", _("Name and tax id match")
    MISMATCH = "mismatch", _("Name and tax id do not match")
    ERROR = "error", _("The check could not be made")


VERIFIED = (PayeeVerification.VERIFIED_AUTOMATIC, PayeeVerification.VERIFIED_BY_WORKER)


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque by post")


@pghistory.track()
class Payee(Stamped):
    """Who is paid, and how: a landlord's or property manager's (one per owner, kept by them in the
    portal) or a utility's (no owner, kept by staff).

    Tax id: a US TIN (EIN or SSN), 9 digits, stored as digits only. Bank details: the account
    holder, a 9-digit routing number or 6-digit sort code (not secret: printed on cheques) and an
    account number (encrypted). A cheque needs a mailing address instead. The database keeps each
    method's details present (the constraints below)."""

    Kind = PayeeKind
    Role = PayeeRole
    Method = PaymentMethod
    Verification = PayeeVerification

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payees",
        help_text="The landlord or property manager whose payee this is; none for a utility.",
    )
    role = models.CharField(max_length=20, choices=PayeeRole.choices, default=PayeeRole.LANDLORD)
    kind = models.CharField(max_length=12, choices=PayeeKind.choices)
    name = models.CharField(max_length=200, help_text="The name payments are made out to.")
    # Fernet-encrypted (key from SECRET_KEY and SALT_KEY, as Contact.national_id); never searched.
    # The field stores empty as NULL; the service requires a tax id.
    tax_id = EncryptedCharField(max_length=9, null=True, editable=False)
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    account_holder = models.CharField(max_length=200, blank=True)
    routing_number = models.CharField(
        max_length=9, blank=True, help_text="A 9-digit routing number or 6-digit sort code."
    )
    account_number = EncryptedCharField(max_length=17, null=True, blank=True, editable=False)
    mailing_address_line_1 = models.CharField(max_length=200, blank=True)
    mailing_address_line_2 = models.CharField(max_length=200, blank=True)
    mailing_town = models.CharField(max_length=100, blank=True)
    mailing_postcode = models.CharField(max_length=10, blank=True)

    # Verification (payments.services.payees): reset to unverified whenever the name, tax id or
    # where the money goes changes.
    verification_status = models.CharField(
        max_length=20, choices=PayeeVerification.choices, default=PayeeVerification.UNVERIFIED, editable=False
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    verification_reason = models.TextField(blank=True, editable=False)
    verification_evidence = models.ForeignKey(
        "casework.Document",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        help_text="What the worker checked (a TIN-match screenshot, an EIN letter).",
    )
    # The automatic name/TIN check's last answer (payments.verifiers), whatever it was: a mismatch
    # leaves the payee unverified, for a worker to check with evidence.
    automatic_check_status = models.CharField(
        max_length=10, choices=AutomaticCheck.choices, blank=True, default="", editable=False
    )
    automatic_check_message = models.CharField(max_length=300, blank=True, editable=False)
    automatic_checked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner"], name="payments_payee_one_per_owner"),
            models.CheckConstraint(condition=Q(kind__in=PayeeKind.values), name="payments_payee_kind_known"),
            models.CheckConstraint(
                condition=Q(role=PayeeRole.UTILITY, owner__isnull=True)
                | Q(role__in=[PayeeRole.LANDLORD, PayeeRole.PROPERTY_MANAGER], owner__isnull=False),
                name="payments_payee_owner_unless_utility",
                violation_error_message="A landlord's or property manager's payee has an owner; a utility's has none.",
            ),
            models.CheckConstraint(
                condition=Q(payment_method__in=PaymentMethod.values), name="payments_payee_method_known"
            ),
            models.CheckConstraint(
                condition=~Q(payment_method=PaymentMethod.BANK_TRANSFER)
                | (~Q(account_holder="") & ~Q(routing_number="") & Q(account_number__isnull=False)),
                name="payments_payee_bank_details",
                violation_error_message="A bank transfer needs the account holder, routing number and account number.",
            ),
            models.CheckConstraint(
                condition=~Q(payment_method=PaymentMethod.CHEQUE)
                | (~Q(mailing_address_line_1="") & ~Q(mailing_postcode="")),
                name="payments_payee_cheque_address",
                violation_error_message="A cheque needs a mailing address.",
            ),
            models.CheckConstraint(
                condition=Q(verification_status__in=PayeeVerification.values),
                name="payments_payee_verification_known",
            ),
            models.CheckConstraint(
                condition=~Q(verification_status=PayeeVerification.VERIFIED_BY_WORKER)
                | (
                    Q(verified_at__isnull=False)
                    & Q(verified_by__isnull=False)
                    & Q(verification_evidence__isnull=False)
                    & ~Q(verification_reason="")
                ),
                name="payments_payee_worker_verification_evidenced",
                violation_error_message="A worker's verification needs who, when, evidence and a reason.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verification_status in VERIFIED

    @property
    def tax_id_masked(self) -> str:
        return mask(self.tax_id)

    @property
    def account_number_masked(self) -> str:
        return mask(self.account_number)

    @property
    def has_payment_method(self) -> bool:
        """The chosen method's details are all there (what a landlord's profile needs)."""
        if self.payment_method == PaymentMethod.BANK_TRANSFER:
            return bool(self.account_holder and self.routing_number and self.account_number)
        if self.payment_method == PaymentMethod.CHEQUE:
            return bool(self.mailing_address_line_1 and self.mailing_postcode)
        return False

    @property
    def mailing_address(self) -> str:
        parts = (self.mailing_address_line_1, self.mailing_address_line_2, self.mailing_town, self.mailing_postcode)
        return ", ".join(part for part in parts if part)
