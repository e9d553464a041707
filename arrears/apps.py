"""Rent accounts, arrangements, NOSPs and court, nightly classification, the patch worktray and
letter automation."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate

_MODELS = [
    "transactiontype",
    "actioncode",
    "pausereason",
    "courtoutcome",
    "rentaccount",
    "transaction",
    "actiondiaryentry",
    "patchofficer",
    "arrangement",
    "arrangementstatechange",
    "courtcase",
    "nosp",
    "eviction",
    "ruleset",
    "automatedstep",
]
# Reference data and the rules: supervisors maintain them in the admin (changes are audited).
# Accounts and what happens on them change only through the services.
_SUPERVISOR_MAINTAINS = [
    "transactiontype",
    "actioncode",
    "pausereason",
    "courtoutcome",
    "patchofficer",
    "ruleset",
    "automatedstep",
]


class ArrearsConfig(AppConfig):
    name = "arrears"
    verbose_name = "Arrears"
    role_permissions = {
        "caseworker": [f"arrears.view_{model}" for model in _MODELS],
        "supervisor": [
            *(f"arrears.{action}_{model}" for model in _SUPERVISOR_MAINTAINS for action in ("add", "change")),
            "arrears.delete_patchofficer",
        ],
    }

    def ready(self) -> None:
        from arrears import (
            tasks,  # noqa: F401  (registers the jobs with the worker)
        )
        from arrears.defaults import install_after_migrate
        from arrears.services import automation  # noqa: F401  (merge fields; the diary's side of messages)

        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="arrears-defaults")
