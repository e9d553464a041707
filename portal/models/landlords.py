"""A landlord's or property manager's side of the portal: their profile (the contact card made for
them, the homes they let), the advocates they authorise to apply for them, and the answers of
their landlord applications. Fields and constraints only; writes go through
portal.services.landlords.

Seed 000: "LL/PM gets stuck mid-application, cannot see Payee or select Property": the profile
(payee details and at least one property) comes first, and the portal says so."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


@pghistory.track()
class LandlordProfile(models.Model):
    """One per landlord or property manager, made the first time they save any part of their
    profile. `contact` (and for a business `organisation`) is their casework contact card:
    "Contact Cards are created as a result of applicant registrations", never typed in by staff.
    The payee is payments.Payee (owner = the user); the homes are LandlordProperty rows."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="landlord_profile")
    contact = models.ForeignKey("casework.Contact", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "casework.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"Landlord profile of {self.user}"


@pghistory.track()
class LandlordProperty(models.Model):
    """A home the landlord lets, as listed on their profile: the casework property and how many
    units (flats, rooms let separately) it has."""

    profile = models.ForeignKey(LandlordProfile, on_delete=models.CASCADE, related_name="properties")
    property = models.ForeignKey("casework.Property", on_delete=models.PROTECT, related_name="+")
    units = models.PositiveSmallIntegerField(default=1)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name_plural = "landlord properties"
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "property"],
                name="portal_landlord_property_once",
                violation_error_message="This property is already on your profile.",
            ),
            models.CheckConstraint(condition=Q(units__gte=1), name="portal_landlord_property_has_units"),
        ]

    def __str__(self) -> str:
        return str(self.property)


@pghistory.track()
class AdvocateAuthorisation(models.Model):
    """A landlord lets an advocate apply for them. Revoked, not deleted, so it stays on record
    who could act for whom and when; at most one live authorisation per pair."""

    landlord = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advocates_authorised"
    )
    advocate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acting_for")
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["landlord", "advocate"],
                condition=Q(revoked_at__isnull=True),
                name="portal_advocate_authorised_once",
                violation_error_message="This advocate can already apply for you.",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True) | Q(revoked_at__isnull=False),
                name="portal_advocate_revoked_by_needs_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advocate} for {self.landlord}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class LandlordApplicationMode(models.TextChoices):
    TENANT_CODE = "tenant_code", "With the tenant's application code"
    NAMED_TENANT = "named_tenant", "For a named tenant who has not applied yet"


@pghistory.track()
class LandlordApplication(models.Model):
    """The answers of one landlord application (a rental-assistance landlord case), step by step.
    `landlord` is whose application it is (the case's applicant); `started_by` and
    `submitted_by` are who did it: the landlord, or an advocate on their behalf."""

    Mode = LandlordApplicationMode

    case = models.OneToOneField("casework.Case", on_delete=models.CASCADE, related_name="landlord_application")
    landlord = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="landlord_applications"
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=16, choices=LandlordApplicationMode.choices)
    # Tenant and tenancy.
    tenant_name = models.CharField(max_length=200, blank=True)
    tenant_email = models.EmailField(blank=True)
    unit = models.CharField(max_length=50, blank=True, help_text="Flat or unit number, if any.")
    monthly_rent = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    tenancy_start = models.DateField(null=True, blank=True)
    tenancy_answered = models.BooleanField(default=False)
    # Rent owed.
    rent_owed = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    owed_from = models.DateField(null=True, blank=True, help_text="The first day of the first month owed.")
    # Payee (the landlord's, confirmed for this application) and the declaration.
    payee = models.ForeignKey("payments.Payee", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    declaration_confirmed_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=LandlordApplicationMode.values), name="portal_landlord_application_mode_known"
            ),
            models.CheckConstraint(
                condition=Q(monthly_rent__isnull=True) | Q(monthly_rent__gt=0),
                name="portal_landlord_application_rent_positive",
            ),
            models.CheckConstraint(
                condition=Q(rent_owed__isnull=True) | Q(rent_owed__gt=0),
                name="portal_landlord_application_owed_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Landlord application {self.case_id}"

    @property
    def submitted_on_behalf(self) -> bool:
        return self.submitted_by_id is not None and self.submitted_by_id != self.landlord_id
