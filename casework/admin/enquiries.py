"""Housing-options enquiry forms (questions inline) and advice statements (conditions checked
against the form's questions at save)."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from casework.models import AdviceStatement, EnquiryForm, EnquiryQuestion
from casework.services.enquiries import condition_problems
from core.admin import StampedAdmin


class EnquiryQuestionInline(admin.TabularInline):
    model = EnquiryQuestion
    extra = 0
    fields = ("position", "key", "text", "hint", "kind", "options", "required")


@admin.register(EnquiryForm)
class EnquiryFormAdmin(StampedAdmin):
    list_display = ("name", "case_type", "path", "is_active")
    list_filter = ("is_active", "case_type")
    search_fields = ("name",)
    inlines = [EnquiryQuestionInline]


class AdviceStatementForm(forms.ModelForm):
    class Meta:
        model = AdviceStatement
        fields = ("form", "position", "title", "body", "condition", "is_active")

    def clean(self):
        cleaned = super().clean()
        candidate = AdviceStatement(form=cleaned.get("form"), condition=cleaned.get("condition") or "")
        for problem in condition_problems(candidate):
            self.add_error("condition", problem)
        return cleaned


@admin.register(AdviceStatement)
class AdviceStatementAdmin(StampedAdmin):
    form = AdviceStatementForm
    list_display = ("title", "form", "position", "condition", "is_active")
    list_filter = ("is_active", "form")
    search_fields = ("title", "body")
