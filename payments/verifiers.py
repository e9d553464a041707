"""The automatic payee check: does this name go with this tax id? Programmes check through a
service (in the US, the IRS TIN Matching programme, reached through their payment provider); the
product talks to it through `PayeeVerifier`, chosen by the PAYEE_VERIFIER_BACKEND setting.

`FakeVerifier` is the default, for development, demos and tests, and never calls out. Its answers
are fixed by the tax id so that every outcome can be shown: a tax id ending 0000 never matches, one
ending 9999 makes the service fail, and every other one matches."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from payments.models import AutomaticCheck


@dataclass(frozen=True)
class VerifierAnswer:
    status: AutomaticCheck
    message: str


class VerifierUnavailable(Exception):
    """The service could not be reached or did not answer; the check may be tried again."""


class PayeeVerifier(Protocol):
    def check(self, *, name: str, tax_id: str, kind: str) -> VerifierAnswer:
        """Whether `name` (as payments are made out) goes with the 9-digit `tax_id` of a payee of
        `kind` (individual or business). Raises VerifierUnavailable when the service fails."""
        ...


class FakeVerifier:
    """Answers from the tax id alone; see the module's docstring."""

    def check(self, *, name: str, tax_id: str, kind: str) -> VerifierAnswer:
        if tax_id.endswith("9999"):
            raise VerifierUnavailable("The TIN matching service did not answer (fake verifier: tax ids ending 9999).")
        if tax_id.endswith("0000"):
            return VerifierAnswer(
                AutomaticCheck.MISMATCH,
                "The name and tax id do not match the tax authority's records (fake verifier: tax ids ending 0000).",
            )
        return VerifierAnswer(AutomaticCheck.MATCH, "The name and tax id match (fake verifier).")


@cache
def _backend_class(path: str) -> type:
    return import_string(path)


def verifier() -> PayeeVerifier:
    """The configured verifier (PAYEE_VERIFIER_BACKEND, a dotted path to a class)."""
    return _backend_class(settings.PAYEE_VERIFIER_BACKEND)()
