"""Working-time calendars: weekly working periods and closure days inline, checked when saved
(casework.services.calendars)."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from casework.models import Calendar, ClosureDay, WorkingPeriod
from casework.services.calendars import calendar_settings_problems, working_period_problems
from core.admin import StampedAdmin


class WorkingPeriodFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [form.cleaned_data for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        problems = working_period_problems((data["weekday"], data["starts"], data["ends"]) for data in kept)
        if problems:
            raise ValidationError(problems)


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    formset = WorkingPeriodFormSet
    extra = 0


class ClosureDayInline(admin.TabularInline):
    model = ClosureDay
    extra = 0


class CalendarForm(forms.ModelForm):
    class Meta:
        model = Calendar
        fields = ["code", "name", "time_zone", "holiday_country", "holiday_subdivision"]

    def clean(self):
        cleaned = super().clean()
        for name in ("holiday_country", "holiday_subdivision"):
            cleaned[name] = (cleaned.get(name) or "").strip().upper()
        problems = calendar_settings_problems(
            time_zone=cleaned.get("time_zone", ""),
            country=cleaned["holiday_country"],
            subdivision=cleaned["holiday_subdivision"],
        )
        for field, field_messages in problems.items():
            self.add_error(field, field_messages)
        return cleaned


@admin.register(Calendar)
class CalendarAdmin(StampedAdmin):
    form = CalendarForm
    list_display = ("name", "code", "time_zone", "holiday_country", "holiday_subdivision")
    search_fields = ("name", "code")
    inlines = [WorkingPeriodInline, ClosureDayInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            from casework import tasks

            # Deadlines counted on this calendar move with its hours and closures.
            transaction.on_commit(partial(tasks.clocks_recalculate.delay, calendar_id=form.instance.pk))
