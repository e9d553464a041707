"""The API's single exception handler: every error has the shape
{"error": {"code": ..., "message": ..., "fields": {...}}} and any write is rolled back."""

from __future__ import annotations

import logging

from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.errors import ErrorDescription, describe

logger = logging.getLogger(__name__)

_DRF_CODES = {
    drf_exceptions.NotAuthenticated: "not_authenticated",
    drf_exceptions.AuthenticationFailed: "authentication_failed",
    drf_exceptions.PermissionDenied: "permission_denied",
    drf_exceptions.NotFound: "not_found",
    drf_exceptions.MethodNotAllowed: "method_not_allowed",
    drf_exceptions.NotAcceptable: "not_acceptable",
    drf_exceptions.UnsupportedMediaType: "unsupported_media_type",
    drf_exceptions.Throttled: "throttled",
    drf_exceptions.ParseError: "parse_error",
}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"field.sub": ["message", ...]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(detail, list) and detail and isinstance(detail[0], (dict, list)):
        out = {}
        for index, item in enumerate(detail):
            out.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return out
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "non_field_errors": [str(m) for m in messages]}


def _describe_drf(exc: drf_exceptions.APIException) -> ErrorDescription:
    if isinstance(exc, drf_exceptions.ValidationError):
        return ErrorDescription(
            400, "validation_error", "Some of the information given is not valid.", _flatten(exc.detail)
        )
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    return ErrorDescription(exc.status_code, code, str(exc.detail))


def api_exception_handler(exc, context):
    description = _describe_drf(exc) if isinstance(exc, drf_exceptions.APIException) else describe(exc)
    headers = {}
    if isinstance(exc, drf_exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
    if description is None:
        logger.exception("Unhandled error in API view %s", context.get("view"))
        description = ErrorDescription(500, "server_error", "Something went wrong on our side; it has been logged.")
    set_rollback()
    return Response(description.as_body(), status=description.status, headers=headers)
