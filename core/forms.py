"""Helpers shared by the staff pages' forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from core.errors import DomainError


def form_add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form it came from: each field message against its field
    when the form has that field, everything else (and the sentence itself, when no field message
    carries it) at the top of the error summary. A refused form is re-shown with status 400 by the
    caller, never half-saved: the service raised before writing anything."""
    placed = False
    for name, messages in exc.fields.items():
        target = name if name in form.fields else NON_FIELD_ERRORS
        for message in messages:
            form.add_error(None if target == NON_FIELD_ERRORS else target, message)
            placed = True
    if not placed or exc.message != exc.default_message:
        form.add_error(None, exc.message)
