"""Writes for people and places. Every function is one transaction, checks who is acting, and
runs under an audit context so the trail records the actor and the service's name.

actor None means the system (demo data, imports, jobs).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import cast

from django.db import transaction
from django.utils import timezone

from casework.models import (
    Contact,
    Household,
    HouseholdMember,
    Language,
    Organisation,
    Patch,
    Property,
    Region,
    Tenancy,
)
from casework.permissions import can_edit_people_and_places, can_manage_areas
from casework.services.common import (
    NON_FIELD,
    clean_text,
    constraint_errors,
    full_clean,
    postcode_normalise,
    raise_if,
    require,
    validate_phone,
)
from core import errors
from core.audit import audited
from core.models import User

# --- regions, patches, organisations ---------------------------------------------------------


@transaction.atomic
def region_create(*, actor: User | None, code: str, name: str, administering_agency: str) -> Region:
    """Add a region. Who: supervisors and administrators (or the system).
    Raises PermissionDenied, or ValidationError for a blank field or a code already in use."""
    require(actor, can_manage_areas, "Only supervisors can add regions.")
    region = Region(
        code=clean_text(code).upper(), name=clean_text(name), administering_agency=clean_text(administering_agency)
    )
    region.stamp(actor)
    full_clean(region)
    with (
        audited(actor=actor, action="region_create"),
        constraint_errors({"casework_region_code_key": ("code", "A region with this code already exists.")}),
    ):
        region.save()
    return region


@transaction.atomic
def patch_create(*, actor: User | None, region: Region, code: str, name: str) -> Patch:
    """Add a patch to a region. Who: supervisors and administrators (or the system).
    Raises PermissionDenied, or ValidationError for a blank field or a code already in use."""
    require(actor, can_manage_areas, "Only supervisors can add patches.")
    patch = Patch(region=region, code=clean_text(code).upper(), name=clean_text(name))
    patch.stamp(actor)
    full_clean(patch)
    with (
        audited(actor=actor, action="patch_create"),
        constraint_errors({"casework_patch_code_key": ("code", "A patch with this code already exists.")}),
    ):
        patch.save()
    return patch


@transaction.atomic
def organisation_create(*, actor: User | None, name: str, kind: str, email: str = "", phone: str = "") -> Organisation:
    """Record a landlord business, managing agent, utility or other organisation.
    Who: staff (or the system). Raises PermissionDenied, or ValidationError for a blank name,
    an unknown kind or a malformed email or phone number."""
    require(actor, can_edit_people_and_places, "Only staff can record organisations.")
    field_errors: dict[str, list[str]] = {}
    phone = validate_phone(phone, field_errors)
    raise_if(field_errors)
    organisation = Organisation(name=clean_text(name), kind=kind, email=(email or "").strip(), phone=phone)
    organisation.stamp(actor)
    full_clean(organisation)
    with audited(actor=actor, action="organisation_create"):
        organisation.save()
    return organisation


# --- contacts and households -----------------------------------------------------------------


@transaction.atomic
def contact_create(
    *,
    actor: User | None,
    last_name: str,
    first_name: str = "",
    date_of_birth: datetime.date | None = None,
    phone: str = "",
    email: str = "",
    preferred_language: str = Language.ENGLISH,
) -> Contact:
    """Record a person, giving them the next contact reference (CON-000001, …).
    Who: staff (or the system). Raises PermissionDenied, or ValidationError (per field) for a
    missing last name, a date of birth in the future, an unknown language or a malformed email
    or phone number."""
    require(actor, can_edit_people_and_places, "Only staff can record contacts.")
    field_errors: dict[str, list[str]] = {}
    phone = validate_phone(phone, field_errors)
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        field_errors["date_of_birth"] = ["The date of birth cannot be in the future."]
    raise_if(field_errors)
    contact = Contact(
        first_name=clean_text(first_name),
        last_name=clean_text(last_name),
        date_of_birth=date_of_birth,
        phone=phone,
        email=(email or "").strip(),
        preferred_language=preferred_language,
    )
    contact.stamp(actor)
    full_clean(contact)
    with audited(actor=actor, action="contact_create"):
        contact.save()
    return contact


def _household_member_errors(members: Sequence[tuple[Contact, str]]) -> list[str]:
    messages: list[str] = []
    if not members:
        return ["A household needs at least one member: its head."]
    relationships = HouseholdMember.Relationship
    seen: set[int] = set()
    for contact, relationship in members:
        if relationship not in relationships.values:
            messages.append(f"{relationship!r} is not a relationship we record (for {contact.full_name}).")
        if contact.pk is None:
            messages.append(f"{contact.full_name} has not been saved as a contact yet.")
        elif contact.pk in seen:
            messages.append(f"{contact.full_name} is listed more than once.")
        elif not contact.is_active:
            messages.append(f"{contact.full_name} ({contact.reference}) is not an active contact.")
        seen.add(contact.pk)
    heads = sum(1 for _, relationship in members if relationship == relationships.HEAD)
    if heads != 1:
        messages.append(f"A household needs exactly one head of household; {heads} given.")
    return messages


@transaction.atomic
def household_create(*, actor: User | None, name: str, members: Sequence[tuple[Contact, str]]) -> Household:
    """Record a household and its members, given as (contact, relationship) pairs, exactly one
    of them with relationship "head". Gives it the next household reference (HH-000001, …).
    Who: staff (or the system). Raises PermissionDenied, or ValidationError (fields "name",
    "members") before anything is written."""
    require(actor, can_edit_people_and_places, "Only staff can record households.")
    members = list(members)
    field_errors: dict[str, list[str]] = {}
    if not clean_text(name):
        field_errors["name"] = ["Enter a name for the household."]
    member_errors = _household_member_errors(members)
    if member_errors:
        field_errors["members"] = member_errors
    raise_if(field_errors)

    household = Household(name=clean_text(name))
    household.stamp(actor)
    with audited(actor=actor, action="household_create"):
        household.save()
        rows = []
        for contact, relationship in members:
            row = HouseholdMember(
                household=household,
                contact=contact,
                relationship=relationship,
                is_head=relationship == HouseholdMember.Relationship.HEAD,
            )
            row.stamp(actor)
            rows.append(row)
        HouseholdMember.objects.bulk_create(rows)
    return household


# --- properties and tenancies ----------------------------------------------------------------


@transaction.atomic
def property_create(
    *,
    actor: User | None,
    address_line_1: str,
    town: str,
    postcode: str,
    address_line_2: str = "",
    patch: Patch | None = None,
    landlord_contact: Contact | None = None,
    landlord_organisation: Organisation | None = None,
) -> Property:
    """Record a property. The postcode is normalised (see postcode_normalise).
    Who: staff (or the system). Raises PermissionDenied, or ValidationError for a missing
    line of the address, an unrecognised postcode, or an address (postcode and both lines,
    ignoring case) that is already recorded."""
    require(actor, can_edit_people_and_places, "Only staff can record properties.")
    field_errors: dict[str, list[str]] = {}
    try:
        postcode = postcode_normalise(postcode)
    except errors.ValidationError as error:
        field_errors.update(error.fields)
    raise_if(field_errors)
    prop = Property(
        address_line_1=clean_text(address_line_1),
        address_line_2=clean_text(address_line_2),
        town=clean_text(town),
        postcode=postcode,
        patch=patch,
        landlord_contact=landlord_contact,
        landlord_organisation=landlord_organisation,
    )
    prop.stamp(actor)
    # The model's check includes the case-insensitive address constraint.
    full_clean(prop, exclude=["patch", "landlord_contact", "landlord_organisation"])
    with (
        audited(actor=actor, action="property_create"),
        constraint_errors(
            {
                "casework_property_address_unique": (
                    NON_FIELD,
                    "A property with this address and postcode already exists.",
                )
            }
        ),
    ):
        prop.save()
    return prop


def _as_money(value: Decimal | int | str | float) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


@transaction.atomic
def tenancy_create(
    *,
    actor: User | None,
    property: Property,
    household: Household,
    tenure_type: str,
    start_date: datetime.date,
    weekly_rent: Decimal | int | str,
    end_date: datetime.date | None = None,
    status: str = Tenancy.Status.ACTIVE,
) -> Tenancy:
    """Record a household's tenancy of a property, giving it the next tenancy reference
    (TEN-000001, …). A property has at most one live (active or pending cancellation) tenancy.
    Who: staff (or the system). Raises PermissionDenied, or ValidationError for an unknown
    tenure or status, an end date before the start date, an ended tenancy without an end date,
    a negative or malformed rent, or a second live tenancy on the property."""
    require(actor, can_edit_people_and_places, "Only staff can record tenancies.")
    # Lock the property so two requests cannot both see "no live tenancy" and both insert.
    prop = Property.objects.select_for_update().get(pk=property.pk)
    field_errors: dict[str, list[str]] = {}
    if tenure_type not in Tenancy.TenureType.values:
        field_errors["tenure_type"] = [f"{tenure_type!r} is not a tenure type we record."]
    if status not in Tenancy.Status.values:
        field_errors["status"] = [f"{status!r} is not a tenancy status."]
    if end_date is not None and end_date < start_date:
        field_errors["end_date"] = ["The end date cannot be before the start date."]
    if status == Tenancy.Status.ENDED and end_date is None:
        field_errors["end_date"] = ["An ended tenancy needs an end date."]
    rent = _as_money(weekly_rent)
    if rent is None:
        field_errors["weekly_rent"] = ["Enter the weekly rent as an amount, such as 112.50."]
    elif rent < 0:
        field_errors["weekly_rent"] = ["The weekly rent cannot be negative."]
    if status in Tenancy.LIVE_STATUSES:
        live = prop.tenancies.filter(status__in=Tenancy.LIVE_STATUSES).first()
        if live is not None:
            field_errors["property"] = [
                f"This property already has a live tenancy ({live.reference}); end it before starting another."
            ]
    raise_if(field_errors)

    tenancy = Tenancy(
        property=prop,
        household=household,
        tenure_type=tenure_type,
        start_date=start_date,
        end_date=end_date,
        status=status,
        weekly_rent=cast(Decimal, rent),  # checked above
    )
    tenancy.stamp(actor)
    full_clean(tenancy, exclude=["property", "household"])
    with (
        audited(actor=actor, action="tenancy_create"),
        constraint_errors(
            {"casework_tenancy_one_live_per_property": ("property", "This property already has a live tenancy.")}
        ),
    ):
        tenancy.save()
    return tenancy
