"""Helpers every casework service uses: permission checks, text clean-up, model validation
reported as per-field errors, and turning constraint races into the same errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.core import exceptions as django_exceptions
from django.db import IntegrityError, models, transaction

from core import errors
from core.models import User

NON_FIELD = "non_field_errors"

# UK: outward code (A9, A99, A9A, AA9, AA99, AA9A) then inward code (9AA); GIR 0AA is Girobank's.
_UK_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")
# US: ZIP or ZIP+4, with or without the hyphen.
_US_ZIP = re.compile(r"^(\d{5})-?(\d{4})?$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,28}$")
_SPACES = re.compile(r"\s+")

POSTCODE_HELP = "Enter a UK postcode such as SW1A 1AA, or a US ZIP code such as 02139 or 02139-4307."


# --- helpers ---------------------------------------------------------------------------------


def require(actor: User | None, allowed: Callable[[User], bool], message: str) -> None:
    if actor is not None and not allowed(actor):
        raise errors.PermissionDenied(message)


def clean_text(value: str | None) -> str:
    """Trim and collapse runs of whitespace, so "12  High St " and "12 High St" are one address."""
    return _SPACES.sub(" ", value or "").strip()


def full_clean(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Run the model's own validation (field rules, choices, constraints) and report failures as
    a core ValidationError with per-field messages. Stamps and references are set by us."""
    try:
        instance.full_clean(exclude=["created_by", "updated_by", "reference", *exclude])
    except django_exceptions.ValidationError as error:
        fields = {
            (NON_FIELD if name == django_exceptions.NON_FIELD_ERRORS else name): list(messages)
            for name, messages in error.message_dict.items()
        }
        raise errors.ValidationError(fields=fields) from error


@contextmanager
def constraint_errors(messages: dict[str, tuple[str, str]]):
    """Turn a unique-constraint race (two requests inserting at once, both having passed the
    check) into the same ValidationError the check gives. `messages` maps a constraint name
    to (field, message)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        diag = getattr(error.__cause__, "diag", None)
        name = getattr(diag, "constraint_name", None)
        if name not in messages:
            raise
        field, message = messages[name]
        raise errors.ValidationError(fields={field: [message]}) from error


def postcode_normalise(postcode: str) -> str:
    """A UK postcode in upper case with a single space before the inward code (sw1a1aa →
    SW1A 1AA), or a US ZIP code (02139, 02139-4307). Raises ValidationError otherwise."""
    compact = _SPACES.sub("", postcode or "").upper()
    if not compact:
        raise errors.ValidationError(fields={"postcode": ["Enter a postcode."]})
    if _UK_POSTCODE.match(compact):
        return f"{compact[:-3]} {compact[-3:]}"
    zip_match = _US_ZIP.match(compact)
    if zip_match:
        return "-".join(part for part in zip_match.groups() if part)
    raise errors.ValidationError(
        fields={"postcode": [f"{postcode.strip()!r} is not a postcode we recognise. {POSTCODE_HELP}"]}
    )


def validate_phone(phone: str, field_errors: dict[str, list[str]]) -> str:
    phone = clean_text(phone)
    if phone and not _PHONE.match(phone):
        field_errors.setdefault("phone", []).append("Enter a phone number using digits, spaces and an optional +.")
    return phone


def raise_if(field_errors: dict[str, list[str]]) -> None:
    if field_errors:
        raise errors.ValidationError(fields=field_errors)


# --- cases -----------------------------------------------------------------------------------


def lock_case(case):
    """Re-read `case` under a row lock for the rest of the transaction, so two people changing
    the same case one after the other each see the other's change."""
    from casework.models import Case

    return Case.objects.select_for_update(of=("self",)).select_related("case_type").get(pk=case.pk)


def ensure_case_open(actor: User | None, case, *, doing: str) -> None:
    """Refuse changes to a closed case: it is read-only to caseworkers (the system and
    supervisors may still act, e.g. to reopen it). `doing` completes "You cannot ... ".
    Raises Conflict."""
    from casework.permissions import can_change_closed_case

    if case.is_closed and actor is not None and not can_change_closed_case(actor):
        raise errors.Conflict(
            f"Case {case.number} is closed, so you cannot {doing}. A supervisor can reopen it if work is still needed."
        )
