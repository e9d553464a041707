"""SLA and timeout rules with their ladders inline, refused at save when they could never fire
or contradict themselves (casework.services.clocks.sla_rule_problems); saving one re-projects its
open clocks. Clocks and sweep runs are shown read-only, for supervisors and operators."""

from __future__ import annotations

import copy
from functools import partial

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from casework.models import Clock, SlaRule, SlaRung, Status, SweepRun
from casework.services.clocks import sla_rule_problems
from core.admin import ReadOnlyAdmin, StampedAdmin

_RULE_FIELDS = (
    "name",
    "kind",
    "is_active",
    "case_type",
    "applies_to",
    "status",
    "start_on_creation",
    "task_kind",
    "target_amount",
    "target_unit",
    "pause_statuses",
    "description",
)


class SlaRuleForm(forms.ModelForm):
    pause_statuses = forms.MultipleChoiceField(
        choices=[(value, label) for value, label in Status.choices if value != Status.CLOSED],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=SlaRule._meta.get_field("pause_statuses").help_text,
    )

    class Meta:
        model = SlaRule
        fields = _RULE_FIELDS

    def candidate(self) -> SlaRule:
        """The rule as it would be saved."""
        rule = copy.copy(self.instance)
        for name in _RULE_FIELDS:
            if name in self.cleaned_data:
                setattr(rule, name, self.cleaned_data[name])
        return rule

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("case_type"):
            return cleaned
        rule = self.candidate()
        rungs = list(rule.rungs.all()) if rule.pk else []
        for field, field_messages in sla_rule_problems(rule, rungs).items():
            if field == "rungs":
                continue  # the steps as edited are checked by the inline, which sees them
            self.add_error(None if field == "__all__" else field, field_messages)
        return cleaned


class SlaRungFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form.instance for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        problems = sla_rule_problems(self.instance, kept).get("rungs", [])
        if problems:
            raise ValidationError(problems)


class SlaRungInline(admin.StackedInline):
    model = SlaRung
    formset = SlaRungFormSet
    extra = 0
    autocomplete_fields = ("template",)
    fieldsets = (
        (None, {"fields": (("kind", "offset_amount", "offset_unit"),)}),
        ("Tell", {"fields": ("notify_owner", "notify_team_leads", "notify_group", "notify_applicant", "template")}),
        ("Change the case", {"fields": ("raise_priority", "add_escalation_skill", "move_to_queue", "close_case")}),
    )


@admin.register(SlaRule)
class SlaRuleAdmin(StampedAdmin):
    form = SlaRuleForm
    inlines = [SlaRungInline]
    list_display = ("name", "case_type", "kind", "applies_to", "status", "target_label", "is_active")
    list_filter = ("kind", "is_active", "applies_to", "case_type")
    search_fields = ("name",)

    @admin.display(description="Target")
    def target_label(self, obj: SlaRule) -> str:
        return obj.target_label

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from casework import tasks

        # Its open clocks move to the rule as it is now (a job: a busy rule has many).
        transaction.on_commit(partial(tasks.clocks_recalculate.delay, rule_id=form.instance.pk))


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = ("case", "rule", "state", "started_at", "warn_at", "target_at", "breached_at")
    list_filter = ("state", "rule__kind", "rule")
    search_fields = ("case__number",)
    list_select_related = ("case", "rule")
    raw_id_fields = ("case", "task")


@admin.register(SweepRun)
class SweepRunAdmin(ReadOnlyAdmin):
    list_display = ("kind", "started_at", "duration_ms", "fired", "cases_changed", "hostname", "error")
    list_filter = ("kind",)

    @admin.display(description="Took (ms)")
    def duration_ms(self, obj: SweepRun) -> int | None:
        return obj.duration_ms
