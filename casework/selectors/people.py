"""Reads of people and places, with the permission rules applied: staff see everything here;
anyone else sees nothing. property_at_address is the exception: a lookup for services acting as
the system (recording an applicant's home), which have already checked who is acting."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from casework.models import Contact, PatchSource, Property, Tenancy
from casework.permissions import can_view_people_and_places
from casework.services.common import clean_text, postcode_normalise
from core import errors

# More words than this in a search box is a pasted paragraph, not a search.
MAX_SEARCH_TERMS = 5


def _matching_every_word(queryset: QuerySet, search: str | None, fields: tuple[str, ...]) -> QuerySet:
    """Rows where each word of `search` appears (case-insensitively, anywhere) in one of `fields`."""
    for term in (search or "").split()[:MAX_SEARCH_TERMS]:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(any_field)
    return queryset


def contact_list_for(*, user, search: str | None = None) -> QuerySet[Contact]:
    """Contacts `user` may see, with their external keys. `search` matches every word against
    first name, last name, reference or email (case-insensitive, anywhere in the value): "tara
    reil" finds Tara Reilly. National ids are encrypted, so they are never searched."""
    if not can_view_people_and_places(user):
        return Contact.objects.none()
    contacts = Contact.objects.prefetch_related("external_keys")
    return _matching_every_word(contacts, search, ("first_name", "last_name", "reference", "email"))


def property_list_for(*, user, search: str | None = None) -> QuerySet[Property]:
    """Properties `user` may see, with patch, region and landlord loaded. `search` matches every
    word against the address lines, town and postcode."""
    if not can_view_people_and_places(user):
        return Property.objects.none()
    properties = Property.objects.select_related(
        "patch__region", "patch_verified_by", "landlord_contact", "landlord_organisation"
    )
    return _matching_every_word(properties, search, ("address_line_1", "address_line_2", "town", "postcode"))


def property_patch_worklist_for(*, user) -> QuerySet[Property]:
    """The "verify region" worklist: properties whose postcode the lookup does not cover, so
    they have no patch (region) until someone overrides it. Oldest first."""
    return property_list_for(user=user).filter(patch_source=PatchSource.UNRESOLVED).order_by("created_at", "pk")


def tenancy_list_for(*, user) -> QuerySet[Tenancy]:
    """Tenancies `user` may see, with property (and its patch) and household loaded."""
    if not can_view_people_and_places(user):
        return Tenancy.objects.none()
    return Tenancy.objects.select_related("property__patch__region", "household")


def property_at_address(
    *, postcode: str, address_line_1: str, address_line_2: str = "", for_update: bool = False
) -> Property | None:
    """The recorded property at this address, or None: the postcode normalised (postcode_normalise)
    and both lines trimmed and matched ignoring case, as the address constraint on Property compares
    them (so its index serves the lookup). An unrecognised postcode matches nothing. `for_update`
    locks the row (select_for_update), so the caller must be in a transaction. No permission
    check: for services recording an applicant's home, not for showing to anyone."""
    try:
        postcode = postcode_normalise(postcode)
    except errors.ValidationError:
        return None
    properties = Property.objects.select_for_update() if for_update else Property.objects.all()
    return (
        properties.alias(line_1=Lower("address_line_1"), line_2=Lower("address_line_2"))
        .filter(
            postcode=postcode,
            line_1=clean_text(address_line_1).lower(),
            line_2=clean_text(address_line_2).lower(),
        )
        .first()
    )
