"""Writes for a landlord's or property manager's profile: the profile itself (with the contact card
made for them), their payee details and the homes they let. Each service is one transaction, checks
who is acting and is audited. Messages are shown to applicants, so they are translated.

The advocates a landlord authorises are in portal.services.advocates, and landlord applications
(start, each step, sign and submit) in portal.services.landlord_applications.

Seed 000: a landlord "gets stuck mid-application, cannot see Payee or select Property" unless
the profile is finished first: landlord_application_start (portal.services.landlord_applications)
refuses until it is (the portal says so and links to what is missing).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from casework.models import Organisation, Property
from casework.selectors.people import property_at_address
from casework.services import people as people_services
from casework.services.common import clean_text, postcode_normalise
from core import errors
from core.audit import audited
from core.models import User
from payments.models import Payee
from payments.services.payees import payee_save
from portal.models import LandlordProfile, LandlordProperty
from portal.selectors import profile_for
from portal.selectors.landlords import is_landlord, open_landlord_cases_on

MAX_UNITS = 999


def refuse_unless_landlord(actor: User) -> None:
    """Raise PermissionDenied unless `actor` is a landlord or property manager with a confirmed
    email address (the guard on every landlord service, here and in portal.services.advocates and
    portal.services.landlord_applications)."""
    if not is_landlord(actor) or not profile_for(actor).is_email_verified:
        raise errors.PermissionDenied(_("Only a landlord or property manager can change a landlord's profile."))


# --- the profile ---------------------------------------------------------------------------------


def _contact_card_for(user: User) -> tuple:
    """The casework contact (and organisation, for a business) made for a landlord's registration,
    as the system: applicants' contact cards are never typed in by staff (seed 000)."""
    applicant = profile_for(user)
    last_name = user.last_name or applicant.organisation_name or user.email.split("@")[0]
    contact = people_services.contact_create(
        actor=None, first_name=user.first_name, last_name=last_name, email=user.email
    )
    organisation = None
    if applicant.is_business and applicant.organisation_name:
        organisation = people_services.organisation_create(
            actor=None,
            name=applicant.organisation_name,
            kind=Organisation.Kind.LANDLORD_BUSINESS,
            email=user.email,
        )
    return contact, organisation


def landlord_profile_ensure(*, actor: User) -> LandlordProfile:
    """`actor`'s landlord profile, made (with their contact card) the first time they need it.
    Who: a verified landlord or property manager, for themselves. Raises PermissionDenied."""
    refuse_unless_landlord(actor)
    profile = LandlordProfile.objects.filter(user=actor).first()
    if profile is not None:
        return profile
    with transaction.atomic():
        # The contact card is the system's write (its own audit context); the profile is theirs.
        contact, organisation = _contact_card_for(actor)
        with audited(actor=actor, action="landlord_profile_create"):
            profile, _created = LandlordProfile.objects.get_or_create(
                user=actor, defaults={"contact": contact, "organisation": organisation}
            )
    return profile


@transaction.atomic
def landlord_payee_save(*, actor: User, **details) -> Payee:
    """Save the landlord's payee details from their profile (payments.services.payees.payee_save
    with the landlord as owner), making their profile first if needed.
    Who: a verified landlord or property manager, for themselves. Raises PermissionDenied,
    ValidationError (per field, as payee_save)."""
    refuse_unless_landlord(actor)
    # Validate before making anything, so a refused form leaves no half-made profile behind.
    with transaction.atomic():
        payee = payee_save(actor=actor, owner=actor, **details)
        landlord_profile_ensure(actor=actor)
    return payee


def _postcode(postcode: str) -> str:
    try:
        return postcode_normalise(postcode)
    except errors.ValidationError:
        if not (postcode or "").strip():
            raise errors.ValidationError(fields={"postcode": [_("Enter the postcode or ZIP code.")]}) from None
        raise errors.ValidationError(
            fields={"postcode": [_("Enter a real postcode, like SW1A 1AA, or a ZIP code, like 02139.")]}
        ) from None


def _owned_by_someone_else(prop: Property, profile: LandlordProfile) -> bool:
    if prop.landlord_contact_id is None and prop.landlord_organisation_id is None:
        return False
    if prop.landlord_contact_id == profile.contact_id:
        return False
    return not (profile.organisation_id and prop.landlord_organisation_id == profile.organisation_id)


@transaction.atomic
def landlord_property_add(
    *, actor: User, address_line_1: str, town: str, postcode: str, address_line_2: str = "", units: int = 1
) -> LandlordProperty:
    """Add a home the landlord lets to their profile. The casework property is found by its
    address (postcode and both lines, ignoring case) or recorded (as the system, with the patch
    looked up from the postcode), and given this landlord as its landlord. A home recorded with
    another landlord is refused: staff sort out who lets it.
    Who: a verified landlord or property manager, for themselves. Raises PermissionDenied,
    ValidationError (per field; already on the profile; another landlord's)."""
    refuse_unless_landlord(actor)
    field_errors: dict[str, list[str]] = {}
    address_line_1, address_line_2, town = clean_text(address_line_1), clean_text(address_line_2), clean_text(town)
    if not address_line_1:
        field_errors["address_line_1"] = [_("Enter the first line of the address.")]
    if not town:
        field_errors["town"] = [_("Enter the town or city.")]
    try:
        postcode = _postcode(postcode)
    except errors.ValidationError as error:
        field_errors.update(error.fields)
    if not isinstance(units, int) or not 1 <= units <= MAX_UNITS:
        field_errors["units"] = [
            _("Enter the number of homes at this address, from 1 to %(max)s.") % {"max": MAX_UNITS}
        ]
    if field_errors:
        raise errors.ValidationError(fields=field_errors)
    profile = landlord_profile_ensure(actor=actor)
    profile = LandlordProfile.objects.select_for_update().get(pk=profile.pk)
    prop = property_at_address(
        postcode=postcode, address_line_1=address_line_1, address_line_2=address_line_2, for_update=True
    )
    if prop is not None and LandlordProperty.objects.filter(profile=profile, property=prop).exists():
        raise errors.ValidationError(fields={"address_line_1": [_("This property is already on your profile.")]})
    if prop is not None and _owned_by_someone_else(prop, profile):
        raise errors.ValidationError(
            fields={
                "address_line_1": [
                    _("This property is recorded with another landlord. Contact us so we can check who lets it.")
                ]
            }
        )
    if prop is None:
        prop = people_services.property_create(
            actor=None,
            address_line_1=address_line_1,
            address_line_2=address_line_2,
            town=town,
            postcode=postcode,
            landlord_contact=profile.contact,
            landlord_organisation=profile.organisation,
        )
    with audited(actor=actor, action="landlord_property_add"):
        if prop.landlord_contact_id is None:
            prop.landlord_contact, prop.landlord_organisation = profile.contact, profile.organisation
            prop.stamp(actor)
            prop.save(update_fields=["landlord_contact", "landlord_organisation", "updated_at", "updated_by"])
        return LandlordProperty.objects.create(profile=profile, property=prop, units=units)


@transaction.atomic
def landlord_property_remove(*, actor: User, listed: LandlordProperty) -> None:
    """Take a home off the landlord's profile. Refused while one of their open applications is
    about it (withdraw it first, or wait until it is decided). The casework property stays (cases
    and tenancies refer to it) but no longer names this landlord.
    Who: the landlord whose profile it is. Raises PermissionDenied, Conflict."""
    refuse_unless_landlord(actor)
    listed = LandlordProperty.objects.select_for_update().select_related("profile", "property").get(pk=listed.pk)
    if listed.profile.user_id != actor.pk:
        raise errors.PermissionDenied(_("This property is not on your profile."))
    open_cases = list(open_landlord_cases_on(actor, listed.property_id).values_list("number", flat=True)[:3])
    if open_cases:
        raise errors.Conflict(
            _(
                "You cannot remove %(address)s while your application %(numbers)s is about it. "
                "Withdraw the application first, or wait until it is decided."
            )
            % {"address": listed.property, "numbers": ", ".join(open_cases)}
        )
    prop = Property.objects.select_for_update().get(pk=listed.property_id)
    with audited(actor=actor, action="landlord_property_remove"):
        listed.delete()
        if prop.landlord_contact_id == listed.profile.contact_id:
            prop.landlord_contact = prop.landlord_organisation = None
            prop.stamp(actor)
            prop.save(update_fields=["landlord_contact", "landlord_organisation", "updated_at", "updated_by"])


__all__ = [
    "landlord_payee_save",
    "landlord_profile_ensure",
    "landlord_property_add",
    "landlord_property_remove",
    "refuse_unless_landlord",
]
