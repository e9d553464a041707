"""A property's region, derived from its postcode.

The PostcodeArea table maps postcode prefixes to patches (and so to regions and their
administering agencies). A property's patch is the patch of the LONGEST prefix in the table that
its normalised postcode starts with, where the prefixes that count are the postcode's own
structure, never arbitrary leading characters (so "SW1" never claims "SW10 1AA"):

- UK: the full postcode (SW1A 1AA), its sector (SW1A 1), its district (SW1A), its area (SW);
- US: the 5-digit ZIP (02139, also for ZIP+4), then its 3-digit prefix (021).

When nothing matches, the property is saved with patch_source "unresolved" and appears on the
"verify region" worklist; a case manager, reviewer or supervisor then overrides it with a reason.
A looked-up patch can be confirmed ("verified") by the same people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.models import Patch, PatchSource, PostcodeArea, Property
from casework.permissions import can_manage_areas, can_verify_property_region
from casework.services.common import clean_text, postcode_normalise, require
from core import errors
from core.audit import audited
from core.models import User

REASON_MAX_LENGTH = 500

_UK_AREA = re.compile(r"^[A-Z]{1,2}$")
_UK_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_UK_SECTOR = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]$")
_US_PREFIX = re.compile(r"^(?:[0-9]{3}|[0-9]{5})$")
_LEADING_LETTERS = re.compile(r"^[A-Z]+")

PREFIX_HELP = (
    "Use a UK postcode area (SW), district (SW1A), sector with its space (SW1A 1) or full postcode "
    "(SW1A 1AA), or a US 3-digit ZIP prefix (021) or 5-digit ZIP (02139)."
)

# Only these sources follow the lookup table; verified and overridden patches are people's decisions.
_FOLLOWS_LOOKUP = (PatchSource.LOOKUP, PatchSource.UNRESOLVED)


# --- the lookup ------------------------------------------------------------------------------


def postcode_prefix_normalise(prefix: str) -> str:
    """A lookup prefix in the form postcodes are stored in: upper case, one space before a UK
    inward code ("sw1a  1" → "SW1A 1"). Raises ValidationError (field "prefix") for anything
    that is not a whole postcode unit above."""
    text = clean_text(prefix).upper()
    if not text:
        raise errors.ValidationError(fields={"prefix": ["Enter a postcode prefix."]})
    if any(pattern.match(text) for pattern in (_UK_AREA, _UK_DISTRICT, _UK_SECTOR, _US_PREFIX)):
        return text
    try:
        full = postcode_normalise(text)
    except errors.ValidationError:
        full = ""
    if " " in full:  # a whole UK postcode; a US ZIP+4 is more precise than the lookup goes
        return full
    raise errors.ValidationError(fields={"prefix": [f"{text!r} is not a postcode prefix we recognise. {PREFIX_HELP}"]})


def postcode_lookup_keys(postcode: str) -> list[str]:
    """The prefixes of a normalised postcode that the lookup considers, longest first."""
    if " " in postcode:
        outward, inward = postcode.split(" ", 1)
        area = _LEADING_LETTERS.match(outward)
        keys = [postcode, f"{outward} {inward[:1]}", outward, area.group() if area else outward]
    else:
        zip5 = postcode[:5]
        keys = [zip5, zip5[:3]]
    return list(dict.fromkeys(keys))


def postcode_area_for(postcode: str) -> PostcodeArea | None:
    """The lookup row with the longest prefix matching `postcode` (normalised), or None."""
    keys = postcode_lookup_keys(postcode)
    found = {area.prefix: area for area in PostcodeArea.objects.filter(prefix__in=keys).select_related("patch")}
    return next((found[key] for key in keys if key in found), None)


def apply_patch_lookup(prop: Property) -> None:
    """Set `prop`'s patch from the lookup (without saving): patch_source "lookup", or
    "unresolved" with no patch when its postcode is not covered. Clears any earlier
    verification or override, which were about the old postcode."""
    area = postcode_area_for(prop.postcode)
    prop.patch = area.patch if area else None
    prop.patch_source = PatchSource.LOOKUP if area else PatchSource.UNRESOLVED
    prop.patch_verified_by = None
    prop.patch_verified_at = None
    prop.patch_reason = ""


_PATCH_FIELDS = ["patch", "patch_source", "patch_verified_by", "patch_verified_at", "patch_reason"]


def _save_patch(prop: Property, actor: User | None) -> None:
    prop.stamp(actor)
    prop.save(update_fields=[*_PATCH_FIELDS, "updated_at", "updated_by"])


# --- verifying and overriding ----------------------------------------------------------------

_ROLE_MESSAGE = "Only case managers, reviewers and supervisors can verify or override a property's region."


@transaction.atomic
def property_patch_verify(*, actor: User | None, property: Property) -> Property:
    """Confirm that the patch the postcode lookup gave `property` is right.
    Who: case managers, reviewers and supervisors (or the system).
    Raises PermissionDenied, or Conflict when there is no looked-up patch to confirm (the
    postcode is not in the lookup, the patch was overridden, or it is already verified)."""
    require(actor, can_verify_property_region, _ROLE_MESSAGE)
    prop = Property.objects.select_for_update(of=("self",)).select_related("patch").get(pk=property.pk)
    patch = prop.patch
    if prop.patch_source == PatchSource.UNRESOLVED or patch is None:
        raise errors.Conflict(
            f"The postcode {prop.postcode} is not in the region lookup, so there is no patch to verify. "
            "Override it with the right patch and a reason instead."
        )
    if prop.patch_source == PatchSource.OVERRIDE:
        raise errors.Conflict(
            f"The patch ({patch.code}) was set by hand, not by the lookup, so there is nothing to verify."
        )
    if prop.patch_source == PatchSource.VERIFIED:
        raise errors.Conflict(f"The patch ({patch.code}) has already been verified.")
    prop.patch_source = PatchSource.VERIFIED
    prop.patch_verified_by = actor
    prop.patch_verified_at = timezone.now()
    with audited(actor=actor, action="property_patch_verify", patch=patch.code):
        _save_patch(prop, actor)
    return prop


@transaction.atomic
def property_patch_override(*, actor: User | None, property: Property, patch: Patch | None, reason: str) -> Property:
    """Set `property`'s patch by hand, e.g. when its postcode is not in the lookup or the lookup
    is wrong for this address. The reason is recorded with who did it and when.
    Who: case managers, reviewers and supervisors (or the system).
    Raises PermissionDenied, or ValidationError for a missing patch or a missing or over-long
    reason."""
    require(actor, can_verify_property_region, _ROLE_MESSAGE)
    reason = clean_text(reason)
    field_errors: dict[str, list[str]] = {}
    if patch is None:
        field_errors["patch"] = ["Choose the patch this property is in."]
    if not reason:
        field_errors["reason"] = ["Give the reason for overriding the patch, e.g. how you checked it."]
    elif len(reason) > REASON_MAX_LENGTH:
        field_errors["reason"] = [f"Keep the reason to {REASON_MAX_LENGTH} characters; it has {len(reason)}."]
    if field_errors or patch is None:
        raise errors.ValidationError(fields=field_errors)
    prop = Property.objects.select_for_update().get(pk=property.pk)
    prop.patch = patch
    prop.patch_source = PatchSource.OVERRIDE
    prop.patch_verified_by = actor
    prop.patch_verified_at = timezone.now()
    prop.patch_reason = reason
    with audited(actor=actor, action="property_patch_override", patch=patch.code, reason=reason):
        _save_patch(prop, actor)
    return prop


# --- maintaining the lookup ------------------------------------------------------------------


@transaction.atomic
def property_patches_refresh(*, actor: User | None, prefixes: Iterable[str] | None = None) -> int:
    """Re-run the lookup for properties whose patch follows it (looked up or unresolved; never
    a verified or overridden one), optionally only those whose postcode starts with one of
    `prefixes`. Returns how many properties changed. Who: supervisors (or the system)."""
    require(actor, can_manage_areas, "Only supervisors can refresh property patches from the lookup.")
    properties = Property.objects.select_for_update().filter(patch_source__in=_FOLLOWS_LOOKUP)
    if prefixes is not None:
        starts = Q()
        for prefix in set(prefixes):
            starts |= Q(postcode__startswith=prefix)
        if not starts:
            return 0
        properties = properties.filter(starts)
    changed = 0
    with audited(actor=actor, action="property_patches_refresh"):
        for prop in properties.order_by("pk"):
            before = (prop.patch_id, prop.patch_source)
            apply_patch_lookup(prop)
            if (prop.patch_id, prop.patch_source) != before:
                _save_patch(prop, actor)
                changed += 1
    return changed


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    deleted: int
    properties_changed: int


def _import_row_errors(rows: list[tuple[int, list[str]]], patches: dict[str, Patch]) -> tuple[dict, list[str]]:
    wanted: dict[str, Patch] = {}
    first_line: dict[str, int] = {}
    problems: list[str] = []
    for line, fields in rows:
        if len(fields) != 2:
            problems.append(f"Line {line}: expected 2 columns (prefix,patch_code), found {len(fields)}.")
            continue
        raw_prefix, raw_code = (field.strip() for field in fields)
        try:
            prefix = postcode_prefix_normalise(raw_prefix)
        except errors.ValidationError as error:
            problems.append(f"Line {line}: {error.fields['prefix'][0]}")
            continue
        patch = patches.get(raw_code.upper())
        if patch is None:
            problems.append(f"Line {line}: there is no patch with code {raw_code!r}.")
        elif prefix in first_line:
            problems.append(f"Line {line}: the prefix {prefix} is already on line {first_line[prefix]}.")
        else:
            first_line[prefix] = line
            wanted[prefix] = patch
    return wanted, problems


@transaction.atomic
def postcode_areas_import(
    *, actor: User | None, rows: Iterable[tuple[int, list[str]]], replace: bool = False
) -> ImportResult:
    """Load the region lookup from (line number, [prefix, patch_code]) rows: new prefixes are
    added and changed ones updated; with `replace`, prefixes not in the rows are removed. All or
    nothing: one bad row (wrong column count, a prefix that is not a postcode unit, an unknown
    patch code, a prefix given twice) refuses the whole load. Properties whose patch follows the
    lookup are then re-derived. Who: supervisors (or the system).
    Raises PermissionDenied, or ValidationError whose message names the first bad line (and
    whose "rows" field lists every bad line)."""
    require(actor, can_manage_areas, "Only supervisors can load the postcode lookup.")
    rows = list(rows)
    patches = {patch.code: patch for patch in Patch.objects.all()}
    wanted, problems = _import_row_errors(rows, patches)
    if problems:
        raise errors.ValidationError(problems[0], fields={"rows": problems})
    if not wanted:
        raise errors.ValidationError("The file has no rows to load.", fields={"rows": ["The file has no rows."]})

    existing = {area.prefix: area for area in PostcodeArea.objects.select_for_update()}
    created = updated = unchanged = 0
    touched: set[str] = set()
    with audited(actor=actor, action="postcode_areas_import"):
        for prefix, patch in wanted.items():
            area = existing.get(prefix)
            if area is None:
                area = PostcodeArea(prefix=prefix, patch=patch)
                created += 1
            elif area.patch_id != patch.pk:
                area.patch = patch
                updated += 1
            else:
                unchanged += 1
                continue
            area.stamp(actor)
            area.save()
            touched.add(prefix)
        removed = [prefix for prefix in existing if prefix not in wanted] if replace else []
        PostcodeArea.objects.filter(prefix__in=removed).delete()
        touched.update(removed)
    properties_changed = property_patches_refresh(actor=actor, prefixes=touched) if touched else 0
    return ImportResult(created, updated, unchanged, len(removed), properties_changed)
