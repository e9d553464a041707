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
    Case,
    CaseActivity,
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
from casework.permissions import can_edit_people_and_places, can_manage_areas, can_work_case
from casework.services import identity, regions
from casework.services.common import (
    NON_FIELD,
    clean_text,
    constraint_errors,
    ensure_case_open,
    full_clean,
    lock_case,
    postcode_normalise,
    raise_if,
    require,
    validate_phone,
)
from casework.services.feed import feed_record
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


def _contact_build(
    actor: User | None,
    *,
    last_name: str,
    first_name: str,
    date_of_birth: datetime.date | None,
    phone: str,
    email: str,
    preferred_language: str,
    national_id: str,
) -> Contact:
    """A validated, stamped, unsaved contact. Raises ValidationError (per field)."""
    field_errors: dict[str, list[str]] = {}
    phone = validate_phone(phone, field_errors)
    if date_of_birth is not None and date_of_birth > timezone.localdate():
        field_errors["date_of_birth"] = ["The date of birth cannot be in the future."]
    try:
        national_id = identity.national_id_clean(national_id)
    except errors.ValidationError as error:
        field_errors.update(error.fields)
    raise_if(field_errors)
    contact = Contact(
        first_name=clean_text(first_name),
        last_name=clean_text(last_name),
        date_of_birth=date_of_birth,
        phone=phone,
        email=(email or "").strip(),
        preferred_language=preferred_language,
        national_id=national_id or None,
    )
    contact.stamp(actor)
    full_clean(contact)
    return contact


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
    national_id: str = "",
) -> Contact:
    """Record a person, giving them the next contact reference (CON-000001, …). The national id
    (SSN or NI number) is stored encrypted in canonical form (casework.services.identity).
    Applicants' contacts come from registrations and submissions, which call this as the system;
    staff add a person by hand only as a household member of a case (case_household_member_add),
    and neither the staff API nor the admin (superusers aside) offers "add contact".
    Who: staff (or the system). Raises PermissionDenied, or ValidationError (per field) for a
    missing last name, a date of birth in the future, an unknown language, a malformed email or
    phone number, or a national id that is neither an SSN nor an NI number."""
    require(actor, can_edit_people_and_places, "Only staff can record contacts.")
    contact = _contact_build(
        actor,
        last_name=last_name,
        first_name=first_name,
        date_of_birth=date_of_birth,
        phone=phone,
        email=email,
        preferred_language=preferred_language,
        national_id=national_id,
    )
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


_PROPERTY_ADDRESS_UNIQUE = {
    "casework_property_address_unique": (NON_FIELD, "A property with this address and postcode already exists.")
}


def _postcode_or_errors(postcode: str, field_errors: dict[str, list[str]]) -> str:
    try:
        return postcode_normalise(postcode)
    except errors.ValidationError as error:
        field_errors.update(error.fields)
        return postcode


@transaction.atomic
def property_create(
    *,
    actor: User | None,
    address_line_1: str,
    town: str,
    postcode: str,
    address_line_2: str = "",
    landlord_contact: Contact | None = None,
    landlord_organisation: Organisation | None = None,
) -> Property:
    """Record a property. The postcode is normalised (see postcode_normalise) and the patch (so
    region and administering agency) derived from it through the postcode lookup
    (casework.services.regions); a postcode the lookup does not cover is not an error: the
    property is saved with patch_source "unresolved" for a case manager or reviewer to resolve.
    Who: staff (or the system). Raises PermissionDenied, or ValidationError for a missing
    line of the address, an unrecognised postcode, or an address (postcode and both lines,
    ignoring case) that is already recorded."""
    require(actor, can_edit_people_and_places, "Only staff can record properties.")
    field_errors: dict[str, list[str]] = {}
    postcode = _postcode_or_errors(postcode, field_errors)
    raise_if(field_errors)
    prop = Property(
        address_line_1=clean_text(address_line_1),
        address_line_2=clean_text(address_line_2),
        town=clean_text(town),
        postcode=postcode,
        landlord_contact=landlord_contact,
        landlord_organisation=landlord_organisation,
    )
    regions.apply_patch_lookup(prop)
    prop.stamp(actor)
    # The model's check includes the case-insensitive address constraint.
    full_clean(prop, exclude=["patch", "patch_verified_by", "landlord_contact", "landlord_organisation"])
    with audited(actor=actor, action="property_create"), constraint_errors(_PROPERTY_ADDRESS_UNIQUE):
        prop.save()
    return prop


@transaction.atomic
def property_update(
    *,
    actor: User | None,
    property: Property,
    address_line_1: str | None = None,
    address_line_2: str | None = None,
    town: str | None = None,
    postcode: str | None = None,
) -> Property:
    """Correct a property's address; arguments left as None keep their value. A changed
    postcode re-derives the patch through the lookup (an earlier verification or override was
    about the old postcode, so it is dropped, and the property may become unresolved).
    Who: staff (or the system). Raises PermissionDenied, or ValidationError as property_create."""
    require(actor, can_edit_people_and_places, "Only staff can change properties.")
    prop = Property.objects.select_for_update().get(pk=property.pk)
    field_errors: dict[str, list[str]] = {}
    new_postcode = prop.postcode if postcode is None else _postcode_or_errors(postcode, field_errors)
    raise_if(field_errors)
    for name, value in (("address_line_1", address_line_1), ("address_line_2", address_line_2), ("town", town)):
        if value is not None:
            setattr(prop, name, clean_text(value))
    if new_postcode != prop.postcode:
        prop.postcode = new_postcode
        regions.apply_patch_lookup(prop)
    prop.stamp(actor)
    full_clean(prop, exclude=["patch", "patch_verified_by", "landlord_contact", "landlord_organisation"])
    with audited(actor=actor, action="property_update"), constraint_errors(_PROPERTY_ADDRESS_UNIQUE):
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


# --- household members added to a case ------------------------------------------------------


@transaction.atomic
def case_household_member_add(
    *,
    actor: User | None,
    case: Case,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date | None,
    relationship: str,
    phone: str = "",
    email: str = "",
    preferred_language: str = Language.ENGLISH,
    national_id: str = "",
) -> HouseholdMember:
    """Add a new person to the household of the case's tenancy: the one way staff create a
    contact by hand (instead of sending the application back to draft for the applicant).
    Records the change on the case's feed.
    Who: staff working the case (or the system). Raises PermissionDenied; Conflict on a closed
    case (supervisors aside); ValidationError when the case has no tenancy (so no household),
    for a relationship of "head" (the household has one head) or one we do not record, a missing
    date of birth, a person already in the household, or bad contact details."""
    require(actor, lambda user: can_work_case(user, case), "Only staff can add household members to a case.")
    case = lock_case(case)
    ensure_case_open(actor, case, doing="add a household member")
    tenancy = Tenancy.objects.filter(pk=case.tenancy_id).first() if case.tenancy_id else None
    if tenancy is None:
        message = (
            f"Case {case.number} is not linked to a tenancy, so there is no household to add to. "
            "Link the case to its tenancy first."
        )
        raise errors.ValidationError(message, fields={"case": [message]})
    household = Household.objects.select_for_update().get(pk=tenancy.household_id)

    relationships = HouseholdMember.Relationship
    field_errors: dict[str, list[str]] = {}
    if relationship == relationships.HEAD:
        head = household.members.filter(is_head=True).select_related("contact").first()
        named = f" ({head.contact.full_name})" if head else ""
        field_errors["relationship"] = [
            f"The household already has its head{named}; give this person's relationship to them."
        ]
    elif relationship not in relationships.values:
        field_errors["relationship"] = [f"{relationship!r} is not a relationship we record."]
    if date_of_birth is None:
        field_errors["date_of_birth"] = ["Enter the date of birth."]
    try:
        contact = _contact_build(
            actor,
            last_name=last_name,
            first_name=first_name,
            date_of_birth=date_of_birth,
            phone=phone,
            email=email,
            preferred_language=preferred_language,
            national_id=national_id,
        )
    except errors.ValidationError as error:
        for name, messages in error.fields.items():
            field_errors.setdefault(name, []).extend(messages)
    raise_if(field_errors)
    already = household.members.filter(
        contact__first_name__iexact=contact.first_name,
        contact__last_name__iexact=contact.last_name,
        contact__date_of_birth=date_of_birth,
    ).exists()
    if already:
        message = f"{contact.full_name}, born {date_of_birth:%d %B %Y}, is already a member of {household.name}."
        raise errors.ValidationError(message, fields={NON_FIELD: [message]})

    member = HouseholdMember(household=household, contact=contact, relationship=relationship, is_head=False)
    member.stamp(actor)
    with audited(actor=actor, action="case_household_member_add", case=case.number):
        contact.save()
        member.save()
        case.stamp(actor)
        case.save(update_fields=["updated_at", "updated_by"])
        feed_record(
            case=case,
            kind=CaseActivity.Kind.UPDATED,
            actor=actor,
            summary=(
                f"Added {contact.full_name} ({member.get_relationship_display().lower()}) "
                f"to the household {household.reference}."
            ),
            data={"contact": contact.pk, "household_member": member.pk, "household": household.pk},
        )
    return member
