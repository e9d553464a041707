"""Error types the services raise, and the one place they become HTTP responses.

Services raise these (or let django_fsm's TransitionNotAllowed through); the API's exception
handler and the HTML middleware both turn any of them into a status code and the same
description, so a rule broken through the API and through a form reads the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import django_fsm
from django.core import exceptions as django_exceptions
from django.http import Http404


class DomainError(Exception):
    status_code = 400
    code = "invalid"
    default_message = "The request could not be carried out."

    def __init__(self, message: str | None = None, *, fields: dict[str, list[str]] | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(self.message)


class ValidationError(DomainError):
    status_code = 400
    code = "validation_error"
    default_message = "Some of the information given is not valid."


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"
    default_message = "You do not have permission to do that."


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = "Not found."


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_message = "That conflicts with the record's current state."


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    default_message = "That step is not allowed from the record's current status."


@dataclass(frozen=True)
class ErrorDescription:
    status: int
    code: str
    message: str
    fields: dict[str, list[str]] = field(default_factory=dict)

    def as_body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


def describe(exc: BaseException) -> ErrorDescription | None:
    """The status and description for an exception we know, or None for a bug (a 500)."""
    if isinstance(exc, DomainError):
        return ErrorDescription(exc.status_code, exc.code, exc.message, exc.fields)
    if isinstance(exc, django_fsm.ConcurrentTransition):
        return ErrorDescription(
            409, "concurrent_change", "Someone else changed this record at the same time; reload and try again."
        )
    if isinstance(exc, django_fsm.TransitionNotAllowed):
        return ErrorDescription(409, TransitionNotAllowed.code, TransitionNotAllowed.default_message)
    if isinstance(exc, django_exceptions.PermissionDenied):
        return ErrorDescription(403, PermissionDenied.code, str(exc) or PermissionDenied.default_message)
    if isinstance(exc, (Http404, django_exceptions.ObjectDoesNotExist)):
        return ErrorDescription(404, NotFound.code, NotFound.default_message)
    if isinstance(exc, django_exceptions.ValidationError):
        if hasattr(exc, "error_dict"):
            fields = {name: [m for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
            return ErrorDescription(400, ValidationError.code, ValidationError.default_message, fields)
        return ErrorDescription(400, ValidationError.code, " ".join(exc.messages))
    return None
