"""Case types, configured by supervisors. A type's workflow (its chevrons) and number prefix are
part of its cases' identity: once any case of the type exists they are fixed, so changing them
is refused here and shown read-only in the admin (which uses the same checks)."""

from __future__ import annotations

import re

from django.db import transaction

from casework.models import CaseType, Workflow
from casework.permissions import can_configure_casework
from casework.services.clocks import timeout_rules_install
from casework.services.common import clean_text, constraint_errors, full_clean, raise_if, require
from core import errors
from core.audit import audited
from core.models import User

# Fixed once a case of the type exists.
IDENTITY_FIELDS = ("workflow", "number_prefix")
_LABELS = {"workflow": "workflow", "number_prefix": "number prefix"}
EDITABLE_FIELDS = ("code", "name", "description", "is_active", *IDENTITY_FIELDS)
_PREFIX = re.compile(r"^[A-Z]{2,8}$")
_UNIQUE = {
    "casework_casetype_code_key": ("code", "A case type with this code already exists."),
    "casework_casetype_name_key": ("name", "A case type with this name already exists."),
}


def number_prefix_normalise(prefix: str) -> str:
    """The prefix in capitals without spaces ("raft " → "RAFT"). Raises ValidationError (field
    "number_prefix") unless it is 2 to 8 letters A to Z."""
    value = re.sub(r"\s+", "", prefix or "").upper()
    if not _PREFIX.match(value):
        raise errors.ValidationError(
            fields={"number_prefix": [f"{(prefix or '').strip()!r} is not a prefix: use 2 to 8 letters, e.g. RAFT."]}
        )
    return value


def case_type_has_cases(case_type: CaseType) -> bool:
    return case_type.pk is not None and case_type.cases.exists()


def case_type_errors(case_type: CaseType, *, original: CaseType | None = None) -> dict[str, list[str]]:
    """Rules a case type must keep, beyond the model's field checks: the prefix is not another
    type's (case numbers would no longer say their type), and `original`'s workflow and prefix
    are unchanged if it already has cases. Returns per-field messages; empty when all is well."""
    field_errors: dict[str, list[str]] = {}
    taken = CaseType.objects.filter(number_prefix=case_type.number_prefix).exclude(pk=case_type.pk).first()
    if taken is not None:
        field_errors["number_prefix"] = [f"{case_type.number_prefix} is already the prefix of “{taken.name}”."]
    if original is not None and case_type_has_cases(original):
        for field in IDENTITY_FIELDS:
            if getattr(case_type, field) != getattr(original, field):
                field_errors[field] = [
                    f"“{original.name}” already has cases, so its {_LABELS[field]} cannot change "
                    f"(it is {getattr(original, field)}). Create a new case type instead."
                ]
    return field_errors


@transaction.atomic
def case_type_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    workflow: str,
    number_prefix: str,
    description: str = "",
) -> CaseType:
    """Add a case type. The prefix is normalised (number_prefix_normalise). Who: supervisors and
    administrators (or the system). Raises PermissionDenied, or ValidationError (per field) for
    a malformed code, prefix or unknown workflow, or a code, name or prefix already in use."""
    require(actor, can_configure_casework, "Only supervisors can add case types.")
    field_errors: dict[str, list[str]] = {}
    try:
        number_prefix = number_prefix_normalise(number_prefix)
    except errors.ValidationError as error:
        field_errors.update(error.fields)
    if workflow not in Workflow.values:
        field_errors["workflow"] = [f"{workflow!r} is not a workflow; choose one of {', '.join(Workflow.values)}."]
    raise_if(field_errors)
    case_type = CaseType(
        code=clean_text(code).lower(),
        name=clean_text(name),
        workflow=workflow,
        number_prefix=number_prefix,
        description=(description or "").strip(),
    )
    case_type.stamp(actor)
    full_clean(case_type)
    raise_if(case_type_errors(case_type))
    with audited(actor=actor, action="case_type_create"), constraint_errors(_UNIQUE):
        case_type.save()
        timeout_rules_install(case_type)
    return case_type


@transaction.atomic
def case_type_update(*, actor: User | None, case_type: CaseType, **changes) -> CaseType:
    """Change a case type's code, name, description, active flag, and (only
    while it has no cases) its workflow and number prefix. Who: supervisors and administrators
    (or the system). Raises PermissionDenied, or ValidationError (per field) for an unknown
    field, a malformed value, a code, name or prefix in use elsewhere, or a change of workflow
    or prefix on a type that already has cases."""
    require(actor, can_configure_casework, "Only supervisors can change case types.")
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise errors.ValidationError(fields={name: ["This cannot be changed here."] for name in unknown})
    # Lock the type: a case being created at the same moment holds a key-share lock on it, so
    # the "has cases" check below waits for that case and sees it.
    original = CaseType.objects.select_for_update().get(pk=case_type.pk)
    updated = CaseType.objects.get(pk=case_type.pk)
    if "number_prefix" in changes:
        changes["number_prefix"] = number_prefix_normalise(changes["number_prefix"])
    for field in ("code", "name"):
        if field in changes:
            changes[field] = clean_text(changes[field])
    for field, value in changes.items():
        setattr(updated, field, value)
    updated.code = updated.code.lower()
    updated.stamp(actor)
    full_clean(updated)
    raise_if(case_type_errors(updated, original=original))
    with audited(actor=actor, action="case_type_update"), constraint_errors(_UNIQUE):
        updated.save()
    return updated
