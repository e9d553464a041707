"""Helpers shared by the staff pages' forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.models import ModelChoiceIterator

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


def domain_error_messages(exc: DomainError) -> list[str]:
    """A refusal as sentences to show where there is no form to attach them to: the field
    messages when there are any (they are the specific ones), else the refusal's sentence."""
    messages = [message for field_messages in exc.fields.values() for message in field_messages]
    return messages or [exc.message]


class _ReadOnceIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # the queryset's own rows: read on first use, then reused
            yield self.choice(obj)


class SharedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that reads its queryset once and keeps the rows. Django's re-reads the
    queryset every time the field renders, and copies it when it is set, so two forms on one page
    offering the same people cost two queries; given the same queryset object, these share one.
    Cleaning a submitted choice still looks it up in the database."""

    iterator = _ReadOnceIterator

    def _set_queryset(self, queryset):
        self._queryset = queryset  # not queryset.all(): that copy would drop the rows already read
        self.widget.choices = self.choices

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)
