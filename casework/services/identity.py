"""National ids and other systems' keys for contacts.

National ids (a US SSN/ITIN or a UK National Insurance number) are stored encrypted, in canonical
form: upper case, with spaces and hyphens removed ("qq 12 34 56 c" → "QQ123456C", "123-45-6789" →
"123456789"). That is the only normalising done: layout is not identity, every letter and digit
is. Two ids match only when their canonical forms are identical, character for character: no
fuzzy matching, no ignoring a digit, no transposition allowance (the seed: "the SSN matches
exactly"). They are only ever shown masked (national_id_mask).
"""

from __future__ import annotations

import hmac
import re
from typing import NoReturn

from django.db import transaction
from django.utils import timezone

from casework.external import member_directory
from casework.models import Contact, ContactExternalKey, HouseholdMember
from casework.permissions import can_link_contact_external_key
from casework.services.common import clean_text, constraint_errors, raise_if, require
from core import errors
from core.audit import audited
from core.models import User

_LAYOUT = re.compile(r"[\s-]+")
_US_SSN = re.compile(r"^[0-9]{9}$")
_UK_NINO = re.compile(r"^[A-Z]{2}[0-9]{6}[A-D]$")
_SYSTEM_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,29}$")
MASK = "*"
KEY_MAX_LENGTH = 64  # ContactExternalKey.key


def national_id_canonical(value: str | None) -> str:
    """`value` without spaces or hyphens, in upper case; nothing else is changed."""
    return _LAYOUT.sub("", value or "").upper()


def national_id_clean(value: str | None) -> str:
    """The canonical form of a national id given by a person, or "" for none. Raises
    ValidationError (field "national_id") unless it is a 9-digit SSN/ITIN or a National
    Insurance number (two letters, six digits, a letter A-D)."""
    canonical = national_id_canonical(value)
    if canonical and not (_US_SSN.match(canonical) or _UK_NINO.match(canonical)):
        raise errors.ValidationError(
            fields={
                "national_id": [
                    "Enter a 9-digit Social Security Number (such as 123-45-6789) or a National Insurance "
                    "number (such as QQ 12 34 56 C)."
                ]
            }
        )
    return canonical


def national_id_mask(value: str | None) -> str | None:
    """The id with all but its last 4 characters (last 2 for ids shorter than 8) hidden, or None."""
    if not value:
        return None
    shown = 4 if len(value) >= 8 else 2
    return MASK * (len(value) - shown) + value[-shown:]


def national_ids_match(ours: str | None, theirs: str | None) -> bool:
    """Whether two ids are the same after canonicalising (see the module docstring). Missing ids
    never match."""
    a, b = national_id_canonical(ours), national_id_canonical(theirs)
    return bool(a and b) and hmac.compare_digest(a.encode(), b.encode())


def _refuse(message: str) -> NoReturn:
    raise errors.ValidationError(message, fields={"key": [message]})


@transaction.atomic
def contact_external_key_link(*, actor: User | None, contact: Contact, system: str, key: str) -> ContactExternalKey:
    """Record that `contact` is member `key` of another `system` (e.g. the benefits system's
    tenant key). Linked only when all of these hold, else refused with the reason:
    the contact has no key for that system yet; the key is not linked to anyone else; the contact
    is the head of their household here and has a national id; the other system knows the key;
    there the member is the head of household (relationship "H"); and the national ids match
    exactly (see the module docstring).
    Who: staff (or the system). Raises PermissionDenied, or ValidationError (message and field
    "key", or "system") saying which check failed; nothing is written then."""
    require(actor, can_link_contact_external_key, "Only staff can link another system's key to a contact.")
    system = clean_text(system).lower()
    key = clean_text(key)
    field_errors: dict[str, list[str]] = {}
    if not _SYSTEM_CODE.match(system):
        field_errors["system"] = ['Give the other system\'s code in lower case, such as "benefits".']
    if not key:
        field_errors["key"] = ["Enter the key the other system gives this person."]
    elif len(key) > KEY_MAX_LENGTH:
        field_errors["key"] = ["That key is too long to be another system's key."]
    raise_if(field_errors)

    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    who = f"{contact.full_name} ({contact.reference})"
    existing = contact.external_keys.filter(system=system).first()
    if existing is not None:
        _refuse(f"{who} already has a {system} key ({existing.key}); a contact has only one key per system.")
    taken = ContactExternalKey.objects.filter(system=system, key=key).select_related("contact").first()
    if taken is not None:
        _refuse(
            f"The {system} key {key} is already linked to {taken.contact.full_name} ({taken.contact.reference}); "
            "a key belongs to one contact."
        )
    if not HouseholdMember.objects.filter(contact=contact, is_head=True).exists():
        _refuse(
            f"{who} is not the head of a household here; only the head of household's record carries the {system} key."
        )
    if not contact.national_id:
        _refuse(f"No national id is recorded for {who}, so it cannot be checked against the {system} system.")

    member = member_directory().lookup(system, key)
    if member is None:
        _refuse(f"The {system} system has no member with the key {key}. Check the key and try again.")
    if not member.is_head_of_household:
        _refuse(
            f"In the {system} system the key {key} belongs to a household member whose relationship is "
            f"{member.relationship!r}, not the head of household (H); link the head of household's key instead."
        )
    if not national_ids_match(contact.national_id, member.national_id):
        _refuse(
            f"The national id recorded for {who} does not match the one the {system} system holds for "
            f"the key {key}, so they may not be the same person."
        )

    link = ContactExternalKey(contact=contact, system=system, key=key, linked_by=actor, linked_at=timezone.now())
    with (
        audited(actor=actor, action="contact_external_key_link", system=system),
        constraint_errors(
            {
                "casework_external_key_once": ("key", f"The {system} key {key} is already linked to a contact."),
                "casework_external_key_one_per_system": ("key", f"{who} already has a {system} key."),
            }
        ),
    ):
        link.save()
    return link
