"""Reads of people and places, with the permission rules applied: staff see everything here;
anyone else sees nothing."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from casework.models import Contact, PatchSource, Property, Tenancy
from casework.permissions import can_view_people_and_places

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
