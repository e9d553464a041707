"""Arrears in the admin: supervisors maintain the reference data (transaction types, action codes,
pause reasons, court outcomes), patch officers, and each account kind's rules and automation
switches (no redeploy; every change audited). Accounts and what happens on them are read-only
here: they change through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from arrears.models import (
    ActionCode,
    ActionDiaryEntry,
    Arrangement,
    AutomatedStep,
    CourtOutcome,
    PatchOfficer,
    PauseReason,
    RentAccount,
    RuleSet,
    TransactionType,
)
from arrears.rules import RuleSettings
from arrears.services.classification import accounts_classify
from arrears.services.rulesets import overrides_problems
from core.admin import ReadOnlyAdmin, StampedAdmin


@admin.register(TransactionType)
class TransactionTypeAdmin(StampedAdmin):
    list_display = ("code", "description", "category")
    list_filter = ("category",)
    search_fields = ("code", "description")


@admin.register(ActionCode)
class ActionCodeAdmin(StampedAdmin):
    list_display = ("code", "description", "is_communication", "user_accessible", "is_active")
    list_filter = ("is_communication", "user_accessible", "is_active")
    search_fields = ("code", "description")


@admin.register(PauseReason)
class PauseReasonAdmin(StampedAdmin):
    list_display = ("label", "code", "is_active", "order")
    autocomplete_fields = ("code",)


@admin.register(CourtOutcome)
class CourtOutcomeAdmin(StampedAdmin):
    list_display = (
        "code",
        "meaning",
        "can_carry_terms",
        "keeps_warrant_active",
        "calls_for_possession_warrant",
        "ends_after_warrant_life",
    )
    search_fields = ("code", "meaning")


@admin.register(PatchOfficer)
class PatchOfficerAdmin(StampedAdmin):
    list_display = ("patch", "officer")
    autocomplete_fields = ("patch",)


def _settings_help() -> str:
    lines = [f"{name}: {text}" for name, text in RuleSettings.field_help().items()]
    return "Only the settings that differ from the default rule set, as JSON. " + " | ".join(lines)


class RuleSetForm(forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = (
            "overrides",
            "tenure_types",
            "minimum_balance",
            "restrict_patches",
            "patches",
            "breach_tolerance_days",
            "team",
            "automation_on",
        )
        help_texts = {"overrides": ""}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["overrides"].help_text = _settings_help()

    def clean_overrides(self):
        overrides = self.cleaned_data["overrides"] or {}
        problems = overrides_problems(overrides)
        if problems:
            raise forms.ValidationError(problems["overrides"])
        # Stored as what differs from the default (see rule_set_save).
        return RuleSettings.from_overrides(overrides).overrides()


class AutomatedStepInline(admin.TabularInline):
    model = AutomatedStep
    extra = 0
    fields = ("classification", "template", "diary_code", "schedule", "is_on", "patches")
    autocomplete_fields = ("diary_code",)


@admin.register(RuleSet)
class RuleSetAdmin(StampedAdmin):
    form = RuleSetForm
    list_display = ("__str__", "automation_on", "restrict_patches", "minimum_balance")
    inlines = [AutomatedStepInline]
    filter_horizontal = ("patches",)
    actions = ["classify_now"]

    @admin.action(description="Classify every account of these kinds now")
    def classify_now(self, request, queryset):
        counts = accounts_classify(kinds=list(queryset.values_list("kind", flat=True)))
        self.message_user(
            request,
            f"Classified {counts.classified} accounts: {counts.changed} changed, {counts.sent} letters or texts sent.",
            level=messages.INFO,
        )


class DiaryInline(admin.TabularInline):
    model = ActionDiaryEntry
    fields = ("occurred_at", "code", "comment", "source", "created_by")
    readonly_fields = fields
    extra = 0
    ordering = ("-occurred_at", "-id")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ArrangementInline(admin.TabularInline):
    model = Arrangement
    fields = ("kind", "frequency", "instalment_amount", "start_date", "state", "expected_balance")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RentAccount)
class RentAccountAdmin(ReadOnlyAdmin):
    list_display = ("reference", "kind", "patch", "balance", "classification", "paused_until", "in_scope")
    list_filter = ("kind", "in_scope", "classification", "patch")
    search_fields = ("reference", "tenancy__reference")
    list_select_related = ("patch",)
    inlines = [ArrangementInline, DiaryInline]

    def get_fields(self, request, obj=None):
        return [f.name for f in RentAccount._meta.fields if f.name != "id"]
