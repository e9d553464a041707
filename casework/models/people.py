"""People and places: regions and patches, contacts, households, organisations, properties and
tenancies. Fields and constraints only; every write goes through casework.services."""

from __future__ import annotations

import builtins
from typing import ClassVar

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models, transaction
from django.db.models.functions import Lower, Upper
from encrypted_fields.fields import EncryptedCharField

from core.models import Stamped, next_reference


def _trigram_index(field: str, name: str) -> GinIndex:
    """An index for `field__icontains` searches. Django compiles icontains to
    UPPER(field::text) LIKE UPPER(%term%), so the index is on that same expression."""
    return GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=name)


class Referenced(models.Model):
    """A model with a human reference such as CON-000042: issued once, at creation, inside the
    transaction that inserts the row, and never changed afterwards (a database trigger refuses
    updates to it). This save() is the one place references are issued, so services, the admin
    and test factories all get them the same way."""

    reference_prefix: ClassVar[str]

    reference = models.CharField(max_length=20, unique=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not (self._state.adding and not self.reference):
            super().save(*args, **kwargs)
            return
        try:
            # The counter row stays locked until this transaction commits, so references are
            # issued in commit order and a failed insert hands its number back.
            with transaction.atomic():
                self.reference = next_reference(self.reference_prefix)
                super().save(*args, **kwargs)
        except BaseException:
            self.reference = ""
            raise


def _reference_read_only() -> pgtrigger.ReadOnly:
    return pgtrigger.ReadOnly(name="reference_read_only", fields=["reference"])


@pghistory.track()
class Region(Stamped):
    """A locality the housing service is run in, and the agency administering it."""

    code = models.CharField(max_length=10, unique=True, help_text="Short code, e.g. N.")
    name = models.CharField(max_length=100)
    administering_agency = models.CharField(
        max_length=200, help_text="The council department or ALMO that runs housing services here."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Patch(Stamped):
    """A housing officer's patch: a group of streets within a region. Cases and arrears work are
    routed by patch."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="patches")
    code = models.CharField(max_length=10, unique=True, help_text="Short code, e.g. N01.")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "patches"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@pghistory.track()
class PostcodeArea(Stamped):
    """One row of the region lookup: every postcode starting with `prefix` lies in `patch` (and so
    in its region, run by that region's administering agency), unless a longer prefix says
    otherwise. Prefixes are stored normalised (see casework.services.regions.postcode_prefix_normalise):
    a UK area (SW), district (SW1A), sector (SW1A 1) or full postcode, or a US 3-digit ZIP prefix
    or 5-digit ZIP. Supervisors maintain the table in the admin or load it from a CSV file
    (manage.py postcode_areas_import)."""

    prefix = models.CharField(max_length=10, unique=True, help_text="e.g. SW, SW1A, SW1A 1, 021 or 02139.")
    patch = models.ForeignKey(Patch, on_delete=models.PROTECT, related_name="postcode_areas")

    class Meta:
        ordering = ["prefix"]
        verbose_name = "postcode area"

    def __str__(self) -> str:
        return f"{self.prefix} → {self.patch.code}"


class Language(models.TextChoices):
    """Languages a contact may prefer for letters and calls (BCP 47 codes, labelled in English)."""

    ENGLISH = "en", "English"
    WELSH = "cy", "Welsh"
    POLISH = "pl", "Polish"
    ROMANIAN = "ro", "Romanian"
    ARABIC = "ar", "Arabic"
    URDU = "ur", "Urdu"
    SOMALI = "so", "Somali"
    CHINESE = "zh", "Chinese"
    KHMER = "km", "Khmer"
    RUSSIAN = "ru", "Russian"
    SPANISH = "es", "Spanish"
    PORTUGUESE = "pt", "Portuguese"
    BENGALI = "bn", "Bengali"
    PUNJABI = "pa", "Punjabi"


@pghistory.track()
class Contact(Referenced, Stamped):
    """A person the service deals with: a tenant, household member, private landlord or advocate."""

    reference_prefix = "CON"

    Language = Language

    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    preferred_language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    is_active = models.BooleanField(default=True)
    # A US SSN/ITIN or UK National Insurance number, encrypted at rest (Fernet; key from
    # SECRET_KEY and SALT_KEY) and stored in canonical form (casework.services.identity). Empty
    # is stored as NULL by the field. Only ever shown masked; never searchable.
    national_id = EncryptedCharField(max_length=20, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "reference"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="contact_name_idx"),
            _trigram_index("first_name", "contact_first_name_trgm"),
            _trigram_index("last_name", "contact_last_name_trgm"),
            _trigram_index("email", "contact_email_trgm"),
            _trigram_index("reference", "contact_reference_trgm"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(preferred_language__in=Language.values),
                name="casework_contact_language_known",
            ),
        ]
        triggers = [_reference_read_only()]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.reference})" if self.reference else self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@pghistory.track()
class ContactExternalKey(models.Model):
    """Another system's key for a contact, e.g. the benefits system's tenant key. Linked only by
    casework.services.identity.contact_external_key_link, after the checks it documents. A key
    belongs to one contact, and a contact has at most one key per system."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="external_keys")
    system = models.CharField(max_length=30, help_text='The other system\'s code, e.g. "benefits".')
    key = models.CharField(max_length=64)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField()

    class Meta:
        ordering = ["system", "key"]
        verbose_name = "external key"
        constraints = [
            models.UniqueConstraint(
                fields=["system", "key"],
                name="casework_external_key_once",
                violation_error_message="This key is already linked to a contact.",
            ),
            models.UniqueConstraint(
                fields=["contact", "system"],
                name="casework_external_key_one_per_system",
                violation_error_message="This contact already has a key for this system.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.system}:{self.key}"


@pghistory.track()
class Household(Referenced, Stamped):
    """The people who live together under one tenancy. Exactly one member is the head."""

    reference_prefix = "HH"

    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name", "reference"]
        indexes = [models.Index(fields=["name"], name="household_name_idx")]
        triggers = [_reference_read_only()]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})" if self.reference else self.name


@pghistory.track()
class HouseholdMember(Stamped):
    """A contact's place in a household. is_head duplicates relationship == head so that the
    database can enforce one head per household with a partial unique index."""

    class Relationship(models.TextChoices):
        HEAD = "head", "Head of household"
        PARTNER = "partner", "Partner"
        CHILD = "child", "Child"
        PARENT = "parent", "Parent"
        SIBLING = "sibling", "Sibling"
        OTHER_RELATIVE = "other_relative", "Other relative"
        LODGER = "lodger", "Lodger"
        CARER = "carer", "Carer"
        OTHER = "other", "Other"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="household_memberships")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    is_head = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["household_id", "-is_head", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(is_head=True),
                name="casework_household_one_head",
                violation_error_message="A household can have only one head.",
            ),
            models.UniqueConstraint(
                fields=["household", "contact"],
                name="casework_household_member_once",
                violation_error_message="This contact is already a member of the household.",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(is_head=True, relationship="head")
                    | (models.Q(is_head=False) & ~models.Q(relationship="head"))
                ),
                name="casework_household_head_matches_relationship",
                violation_error_message="Only the head of household is marked as head.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact.full_name}: {self.get_relationship_display()}"

    def clean(self) -> None:
        # Derived, never chosen: set it before the constraints are checked (admin forms).
        self.is_head = self.relationship == self.Relationship.HEAD


@pghistory.track()
class Organisation(Stamped):
    """A company the service deals with: a landlord business, managing agent or utility."""

    class Kind(models.TextChoices):
        LANDLORD_BUSINESS = "landlord_business", "Landlord (business)"
        PROPERTY_MANAGER = "property_manager", "Property manager / letting agent"
        UTILITY = "utility", "Utility company"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="organisation_name_lower_idx")]

    def __str__(self) -> str:
        return self.name


class PatchSource(models.TextChoices):
    """How a property's patch was decided."""

    LOOKUP = "lookup", "Postcode lookup"
    VERIFIED = "verified", "Lookup verified by staff"
    OVERRIDE = "override", "Set by staff (override)"
    UNRESOLVED = "unresolved", "Unresolved: postcode not in the lookup"


@pghistory.track()
class Property(Stamped):
    """A dwelling. Postcodes are stored normalised (see casework.services.postcode_normalise), so
    the same address cannot be entered twice in different spellings of its postcode.

    Its patch (and so region and administering agency) is derived from the postcode through the
    PostcodeArea lookup; a case manager, reviewer or supervisor may verify it, or override it
    with a reason. `patch_source` says which, and the database keeps it consistent with `patch`."""

    PatchSource = PatchSource

    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=10)
    patch = models.ForeignKey(Patch, null=True, blank=True, on_delete=models.PROTECT, related_name="properties")
    patch_source = models.CharField(max_length=12, choices=PatchSource.choices, default=PatchSource.UNRESOLVED)
    patch_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patch_verified_at = models.DateTimeField(null=True, blank=True)
    patch_reason = models.CharField(max_length=500, blank=True, help_text="Why the patch was overridden.")
    landlord_contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="properties_as_landlord"
    )
    landlord_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="properties_as_landlord"
    )

    class Meta:
        ordering = ["postcode", "address_line_1", "address_line_2"]
        verbose_name_plural = "properties"
        constraints = [
            models.UniqueConstraint(
                "postcode",
                Lower("address_line_1"),
                Lower("address_line_2"),
                name="casework_property_address_unique",
                violation_error_message="A property with this address and postcode already exists.",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(patch_source=PatchSource.UNRESOLVED, patch__isnull=True)
                    | (~models.Q(patch_source=PatchSource.UNRESOLVED) & models.Q(patch__isnull=False))
                ),
                name="casework_property_patch_matches_source",
                violation_error_message="A property has a patch exactly when its patch is resolved.",
            ),
            models.CheckConstraint(
                condition=~models.Q(patch_source__in=[PatchSource.VERIFIED, PatchSource.OVERRIDE])
                | models.Q(patch_verified_at__isnull=False),
                name="casework_property_patch_decided_at",
                violation_error_message="A verified or overridden patch records when that was done.",
            ),
            models.CheckConstraint(
                condition=~models.Q(patch_source=PatchSource.OVERRIDE) | ~models.Q(patch_reason=""),
                name="casework_property_override_has_reason",
                violation_error_message="An overridden patch needs a reason.",
            ),
        ]
        indexes = [
            _trigram_index("address_line_1", "property_address_trgm"),
            models.Index(fields=["postcode"], name="property_postcode_idx"),
            # The "verify region" worklist is the small set of unresolved properties.
            models.Index(
                fields=["postcode"],
                condition=models.Q(patch_source=PatchSource.UNRESOLVED),
                name="property_patch_unresolved_idx",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.address_line_1, self.address_line_2, self.town, self.postcode) if part)

    @property
    def region(self) -> Region | None:
        return self.patch.region if self.patch is not None else None


@pghistory.track()
class Tenancy(Referenced, Stamped):
    """A household's tenancy agreement for a property. A property has at most one live tenancy
    (active or pending cancellation) at a time."""

    reference_prefix = "TEN"

    class TenureType(models.TextChoices):
        SECURE = "secure", "Secure"
        INTRODUCTORY = "introductory", "Introductory"
        ASSURED = "assured", "Assured"
        ASSURED_SHORTHOLD = "assured_shorthold", "Assured shorthold"
        STARTER = "starter", "Starter"
        LICENCE = "licence", "Licence"
        LEASEHOLD = "leasehold", "Leasehold"
        PRIVATE_RENTED = "private_rented", "Private rented"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PENDING_CANCELLATION = "pending_cancellation", "Pending cancellation"
        ENDED = "ended", "Ended"

    LIVE_STATUSES: ClassVar[tuple[str, ...]] = (Status.ACTIVE, Status.PENDING_CANCELLATION)

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="tenancies")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="tenancies")
    tenure_type = models.CharField(max_length=30, choices=TenureType.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.ACTIVE)
    weekly_rent = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["-start_date", "reference"]
        verbose_name_plural = "tenancies"
        constraints = [
            models.UniqueConstraint(
                fields=["property"],
                condition=models.Q(status__in=["active", "pending_cancellation"]),
                name="casework_tenancy_one_live_per_property",
                violation_error_message="This property already has a live tenancy.",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="casework_tenancy_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ended") | models.Q(end_date__isnull=False),
                name="casework_tenancy_ended_has_end_date",
                violation_error_message="An ended tenancy needs an end date.",
            ),
            models.CheckConstraint(
                condition=models.Q(weekly_rent__gte=0),
                name="casework_tenancy_rent_not_negative",
                violation_error_message="The weekly rent cannot be negative.",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="tenancy_status_idx")]
        triggers = [_reference_read_only()]

    def __str__(self) -> str:
        return f"{self.reference}: {self.property}" if self.reference else str(self.property)

    @builtins.property  # `property` is a field name in this class
    def is_live(self) -> bool:
        return self.status in self.LIVE_STATUSES
