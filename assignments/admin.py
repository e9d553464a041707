"""Admin for skills and routing profiles. Supervisors define skills and set each person's skills,
capacity and team here; presence is shown but changed only by assignments.services.presence_set
(by the person, or a supervisor through the worktray)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from assignments.models import RoutingProfile, RoutingProfileSkill, Skill
from core.admin import STAMP_FIELDS, StampedAdmin


@admin.register(Skill)
class SkillAdmin(StampedAdmin):
    list_display = ("code", "name", "category", "is_active", "holders")
    list_filter = ("category", "is_active")
    search_fields = ("code", "name", "description")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_holders=Count("grants"))

    @admin.display(description="Staff with this skill", ordering="_holders")
    def holders(self, obj) -> int:
        return obj._holders

    def get_readonly_fields(self, request, obj=None):
        # Routing rules refer to skills by code: it is fixed once the skill exists.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "code") if obj is not None else fields


class SkillGrantFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.forms:
            skill = form.cleaned_data.get("skill") if form.cleaned_data else None
            if skill is not None and not skill.is_active and "skill" in form.changed_data:
                raise ValidationError(f"{skill.code} is inactive and cannot be granted.")


class SkillGrantInline(admin.TabularInline):
    model = RoutingProfileSkill
    formset = SkillGrantFormSet
    autocomplete_fields = ("skill",)
    extra = 0
    verbose_name = "skill"
    verbose_name_plural = "skills"


@admin.register(RoutingProfile)
class RoutingProfileAdmin(StampedAdmin):
    list_display = ("user", "team", "capacity", "presence", "presence_changed_at", "skill_codes")
    list_filter = ("presence", "team", "skills__category", "skills")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__first_name", "user__last_name", "team")
    autocomplete_fields = ("user",)
    readonly_fields = ("presence", "presence_changed_at")
    fields = ("user", "team", "capacity", "presence", "presence_changed_at", *STAMP_FIELDS)
    inlines = [SkillGrantInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("skills")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "user") if obj is not None else fields

    @admin.display(description="Skills")
    def skill_codes(self, obj) -> str:
        return ", ".join(sorted(skill.code for skill in obj.skills.all())) or "-"
