"""Merge fields: the only data a template can reach.

A template sees a context of plain values (strings, and lists of strings) built from what the
message is about, never a model instance, so `{{ case.contact.user.password }}` has nothing to
walk. Each app that owns the data declares its fields and a *context provider* for its model:

    merge_fields(MergeField("case.number", _("Case number"), "HSG-2026-000123"), ...)

    @context_provider("casework.case")
    def case_context(case) -> dict[str, object]:
        return {"case.number": case.number, ...}

communications itself provides `today` and `organisation.*` for every message.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MergeField:
    name: str  # dotted: "contact.first_name"
    label: Any  # str or lazily translated
    example: str | list[str]

    @property
    def is_list(self) -> bool:
        return isinstance(self.example, list)


FIELDS: dict[str, MergeField] = {}
_PROVIDERS: dict[str, Callable[[Any], dict[str, Any]]] = {}
_RELATED: dict[str, tuple[str, ...]] = {}  # what a provider reads beyond the row: loaded with it


def merge_fields(*fields: MergeField) -> None:
    for field in fields:
        FIELDS[field.name] = field


def context_provider(model_label: str, *, related: tuple[str, ...] = ()):
    """Register the decorated `builder(instance) -> {field name: value}` for messages about
    instances of `model_label` ("app_label.model_name"); `related` names the relations it reads
    (select_related paths), so many instances can be loaded for it at once."""

    def register(builder: Callable[[Any], dict[str, Any]]):
        _PROVIDERS[model_label.lower()] = builder
        _RELATED[model_label.lower()] = related
        return builder

    return register


def instances_for_context(model, ids) -> dict[int, Any]:
    """{id: instance} of `model` for `ids`, loaded with what its provider reads: one query."""
    related = _RELATED.get(model._meta.label_lower, ())
    return {instance.pk: instance for instance in model._default_manager.select_related(*related).filter(pk__in=ids)}


def provides_context(model_or_instance) -> bool:
    return model_or_instance._meta.label_lower in _PROVIDERS


def _common(today: datetime.date | None = None) -> dict[str, Any]:
    organisation = settings.ORGANISATION
    return {
        "today": date_format(today or timezone.localdate(), "j F Y"),
        "organisation.name": settings.ORGANISATION_NAME,
        "organisation.address": list(organisation["address"]),
        "organisation.phone": organisation["phone"],
        "organisation.email": organisation["email"],
        "organisation.website": organisation["website"],
    }


def context_for(instance) -> dict[str, Any]:
    """The flat context {field name: value} for a message about `instance`: its provider's
    fields, then the common ones. Raises LookupError when no app provides for its model."""
    builder = _PROVIDERS.get(instance._meta.label_lower)
    if builder is None:
        raise LookupError(f"No merge fields are provided for {instance._meta.label}.")
    return {**builder(instance), **_common()}


def example_context() -> dict[str, Any]:
    """Every field's example value: what the admin preview shows without a real case."""
    return {name: field.example for name, field in FIELDS.items()} | _common()


def field_labels(names: list[str]) -> list[str]:
    """What people call these merge fields (a name nobody declared stays as it is)."""
    return [str(FIELDS[name].label) if name in FIELDS else name for name in names]


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and not any(str(v).strip() for v in value))


def nested(flat: dict[str, Any]) -> dict[str, Any]:
    """{"contact.first_name": "Jo"} → {"contact": {"first_name": "Jo"}}: the shape the template
    language looks names up in. Only the declared fields' values, as plain data."""
    tree: dict[str, Any] = {}
    for name, value in flat.items():
        *parents, leaf = name.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = list(value) if isinstance(value, list | tuple) else ("" if value is None else str(value))
    return tree


merge_fields(
    MergeField("today", _("Today's date"), "21 November 2026"),
    MergeField("organisation.name", _("Our organisation's name"), "Demo Borough Council"),
    MergeField("organisation.address", _("Our postal address (lines)"), ["Civic Centre", "High Street", "AB1 2CD"]),
    MergeField("organisation.phone", _("Our phone number"), "0300 123 4567"),
    MergeField("organisation.email", _("Our email address"), "housing@example.org"),
    MergeField("organisation.website", _("Our website"), "www.example.org"),
    # Who the message goes to: every provider fills these.
    MergeField("recipient.name", _("Recipient's name"), "Ms Jane Tenant"),
    MergeField(
        "recipient.address",
        _("Recipient's postal address (lines, postcode last)"),
        ["1 High Street", "Anytown", "AB1 2CD"],
    ),
    MergeField("recipient.email", _("Recipient's email address"), "jane@example.org"),
    MergeField("recipient.phone", _("Recipient's mobile number"), "07700 900123"),
)
