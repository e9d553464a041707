"""Workflow paths in the admin: the steps inline, checked together when saved (a decision that
goes nowhere, a wait that may never end, a step nothing reaches is refused); saving publishes the
steps as a new version when they changed, and cases already on the path keep theirs."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from casework.models import PathStep, PathVersion, WorkflowPath
from casework.services.paths import path_problems, path_publish
from core.admin import StampedAdmin


class PathStepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form.instance for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        problems = path_problems(self.instance, kept)
        if problems:
            raise ValidationError(problems)


class PathStepInline(admin.StackedInline):
    model = PathStep
    formset = PathStepFormSet
    extra = 0
    autocomplete_fields = ("template",)
    fieldsets = (
        (None, {"fields": (("position", "name", "kind"),)}),
        ("Task", {"fields": ("task_subject", "task_kind", "assign_to", "team", "due_in_days", "checklist")}),
        ("Decision", {"fields": ("branches",)}),
        ("Delay", {"fields": (("delay_amount", "delay_unit"), "until_date", ("max_amount", "max_unit"))}),
        ("Communication", {"fields": ("template", "mode")}),
        ("Complete", {"fields": ("outcome",)}),
    )


class PathVersionInline(admin.TabularInline):
    model = PathVersion
    fields = ("number", "created_at", "steps_count", "runs_count")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Steps")
    def steps_count(self, obj: PathVersion) -> int:
        return len(obj.steps)

    @admin.display(description="Cases on it")
    def runs_count(self, obj: PathVersion) -> int:
        return obj.runs.count()


@admin.register(WorkflowPath)
class WorkflowPathAdmin(StampedAdmin):
    list_display = ("name", "case_type", "starts_automatically", "is_active")
    list_filter = ("is_active", "case_type")
    search_fields = ("name",)
    inlines = [PathStepInline, PathVersionInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        path_publish(path=form.instance)
