"""A tenant's application as they fill it in on the portal: the answers to each step of the form
(portal.forms.applications), which steps are done, and the keys the duplicate check at intake
looks up. The case itself (number, status, codes, signature) is casework's Case; this is the
portal's side of it, one to one.

Why the keys are stored: the seed's duplicate applications came from a second member of the
same household, or the same tenant on a new account, applying for the same home. Matching on
normalised columns with an index makes the check one indexed query at start and again at
submit, rather than a scan of every open application's JSON."""

from __future__ import annotations

import re
import unicodedata

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

_NOT_WORD = re.compile(r"[^\w]+")


def _fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, single spaces: "  Flat 2, 10 High St." and
    "flat 2 10 high st" are the same line."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", plain.casefold()).split())


def address_key(postcode: str, address_line_1: str) -> str:
    """The home's key: the postcode without spaces in upper case, then the first line folded."""
    compact = "".join((postcode or "").split()).upper()
    line = _fold(address_line_1)
    return f"{compact}|{line}" if compact and line else ""


def household_key(full_name: str, date_of_birth) -> str:
    """The household's key: its head's name folded, then their date of birth (ISO)."""
    name = _fold(full_name)
    born = date_of_birth.isoformat() if hasattr(date_of_birth, "isoformat") else str(date_of_birth or "")
    return f"{name}|{born}" if name and born else ""


@pghistory.track()
class TenantApplication(models.Model):
    """The portal's answers for one tenant application (a rental_tenant Case).

    `answers` is {step slug: {field: value}} with values as JSON (amounts and dates as strings),
    written only by portal.services.applications: a completed step's answers passed its form's
    validation; an unfinished step (saved to come back later) holds what was typed, for the
    form to show again, and is not in `completed_steps`."""

    case = models.OneToOneField("casework.Case", on_delete=models.CASCADE, related_name="tenant_application")
    answers = models.JSONField(default=dict, blank=True)
    completed_steps = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    address_key = models.CharField(max_length=300, blank=True, help_text="Postcode (no spaces) | first line, folded.")
    household_key = models.CharField(max_length=300, blank=True, help_text="Head's name, folded | date of birth.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["address_key"], name="portal_app_address_key_idx"),
            models.Index(fields=["household_key"], name="portal_app_household_key_idx"),
        ]

    def __str__(self) -> str:
        return f"Tenant application {self.case_id}"

    def step_answers(self, step: str) -> dict:
        return dict(self.answers.get(step) or {})

    def is_complete(self, step: str) -> bool:
        return step in self.completed_steps
