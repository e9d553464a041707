"""The rule settings each kind of account is classified with: the default rule set, with the
supervisor's overrides, and the court outcome flags from the reference table."""

from __future__ import annotations

import dataclasses

from django.db import transaction

from arrears.models import CourtOutcome, RuleSet
from arrears.rules import RuleSettings, RuleSettingsError
from core import errors
from core.audit import audited
from core.permissions import is_supervisor

# Read from the court outcome table, not stored as overrides (one place to edit them).
OUTCOME_FIELDS = ("warrant_active_outcomes", "possession_outcomes", "end_of_life_outcomes")


def rule_set_for(kind: str) -> RuleSet:
    try:
        return RuleSet.objects.get(kind=kind)
    except RuleSet.DoesNotExist:
        from arrears.defaults import install

        install()
        return RuleSet.objects.get(kind=kind)


def rule_settings_for(rule_set: RuleSet) -> RuleSettings:
    """The settings `rule_set` classifies with. Its stored overrides were checked when saved;
    the court outcome lists come from the outcome table as it is now."""
    base = RuleSettings.from_overrides({k: v for k, v in rule_set.overrides.items() if k not in OUTCOME_FIELDS})
    outcomes = list(
        CourtOutcome.objects.values_list(
            "code", "keeps_warrant_active", "calls_for_possession_warrant", "ends_after_warrant_life"
        )
    )
    return dataclasses.replace(
        base,
        warrant_active_outcomes=tuple(code for code, warrant, _p, _e in outcomes if warrant),
        possession_outcomes=tuple(code for code, _w, possession, _e in outcomes if possession),
        end_of_life_outcomes=tuple(code for code, _w, _p, ends in outcomes if ends),
    )


def overrides_problems(overrides: dict) -> dict[str, list[str]]:
    """Field messages for overrides that the rule settings refuse ({} when they are fine)."""
    if not isinstance(overrides, dict):
        return {"overrides": ["The overrides must be an object of setting names and values."]}
    outcome = sorted(set(overrides) & set(OUTCOME_FIELDS))
    if outcome:
        return {"overrides": [f"{', '.join(outcome)} come from the court outcomes table: edit the outcomes there."]}
    try:
        RuleSettings.from_overrides(overrides)
    except RuleSettingsError as exc:
        return {"overrides": [f"{exc.field}: {exc.message}"]}
    return {}


def rule_set_save(*, actor, rule_set: RuleSet, **changes) -> RuleSet:
    """Change a rule set's overrides, scope or master switch; audited. Reclassification follows
    on the next nightly run (or "Classify now" in the admin).

    Who: supervisors. Raises PermissionDenied; ValidationError naming the setting at fault."""
    if not is_supervisor(actor):
        raise errors.PermissionDenied("Only supervisors can change the arrears rules.")
    problems = overrides_problems(changes.get("overrides", rule_set.overrides))
    if problems:
        raise errors.ValidationError("The rule settings have problems.", fields=problems)
    if "overrides" in changes:
        # Keep only what differs from the default, so improving a default reaches everyone who kept it.
        settings = RuleSettings.from_overrides(changes["overrides"])
        changes["overrides"] = settings.overrides()
    with transaction.atomic(), audited(actor=actor, action="arrears_rule_set_save"):
        rule_set = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
        patches = changes.pop("patches", None)
        for name, value in changes.items():
            setattr(rule_set, name, value)
        rule_set.stamp(actor)
        rule_set.save()
        if patches is not None:
            rule_set.patches.set(patches)
    return rule_set
