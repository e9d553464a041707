"""Admin for skills, routing profiles and the router's configuration. Supervisors define skills and
set each person's skills, capacity and team here; presence is shown but changed only by
assignments.services.presence_set (by the person, or a supervisor through the worktray), and the
router's counters (load, last offer) only by the router.

Routing rules, the routing settings and decline reasons are saved through assignments.config (the
same checks and audit as the API); offers and case routing states are written only by the router
and are read-only here."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.urls import reverse

from assignments import config
from assignments.models import (
    CaseRouting,
    DeclineReason,
    Offer,
    RoutingProfile,
    RoutingProfileSkill,
    RoutingRule,
    RoutingSettings,
    Skill,
)
from assignments.selectors import skill_codes_of
from casework.models import WORKFLOWS, Status, Workflow
from core.admin import STAMP_FIELDS, ReadOnlyAdmin, StampedAdmin


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
    list_display = ("user", "team", "presence", "load", "capacity", "last_offered_at", "skill_codes")
    list_filter = ("presence", "team", "skills__category", "skills")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__first_name", "user__last_name", "team")
    autocomplete_fields = ("user",)
    readonly_fields = ("presence", "presence_changed_at", "load", "last_offered_at")
    fields = ("user", "team", "capacity", "presence", "presence_changed_at", "load", "last_offered_at", *STAMP_FIELDS)
    inlines = [SkillGrantInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("skills")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "user") if obj is not None else fields

    @admin.display(description="Skills")
    def skill_codes(self, obj) -> str:
        return ", ".join(sorted(skill.code for skill in obj.skills.all())) or "-"


# --- the router's configuration -----------------------------------------------------------------


def _chevron_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every chevron a routing rule may name, grouped by workflow (the form then checks that it
    belongs to the chosen case type's workflow)."""
    return [
        (Workflow(workflow).label, [(status, Status(status).label) for status in statuses if status != Status.CLOSED])
        for workflow, statuses in WORKFLOWS.items()
    ]


class RoutingRuleForm(forms.ModelForm):
    status = forms.ChoiceField(choices=_chevron_choices, help_text="The chevron of the case type's workflow.")

    class Meta:
        model = RoutingRule
        fields = ["case_type", "status", "skills", "programme_skill", "require_patch", "require_language", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "programme_skill" in self.fields:
            self.fields["programme_skill"].queryset = Skill.objects.filter(category=Skill.Category.PROGRAMME)
        if "status" in self.fields and self.instance.pk:
            self.fields["status"].choices = [
                (s, Status(s).label) for s in config.routable_statuses(self.instance.case_type)
            ]

    def clean(self):
        cleaned = super().clean()
        case_type = cleaned.get("case_type") or (self.instance.case_type if self.instance.pk else None)
        held = list(self.instance.skills.all()) if self.instance.pk else []
        found = config.routing_rule_errors(
            case_type=case_type,
            status=cleaned.get("status", self.instance.status),
            skills=cleaned.get("skills") or [],
            programme_skill=cleaned.get("programme_skill"),
            held=held,
        )
        for field, field_messages in found.items():
            self.add_error(field if field in self.fields else None, field_messages)
        return cleaned


@admin.register(RoutingRule)
class RoutingRuleAdmin(StampedAdmin):
    form = RoutingRuleForm
    list_display = (
        "case_type",
        "chevron",
        "skill_codes",
        "programme_skill",
        "require_patch",
        "require_language",
        "is_active",
    )
    list_filter = ("case_type", "status", "is_active", "require_patch", "require_language", "programme_skill", "skills")
    list_select_related = ("case_type", "programme_skill")
    search_fields = ("case_type__name", "case_type__code", "status", "skills__code")
    filter_horizontal = ("skills",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("skills")

    def get_readonly_fields(self, request, obj=None):
        # A rule is "this case type's rule for this chevron": to route another chevron, add a rule.
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "case_type", "status") if obj is not None else fields

    @admin.display(description="Chevron", ordering="status")
    def chevron(self, obj) -> str:
        return Status(obj.status).label if obj.status in Status.values else obj.status

    @admin.display(description="Skills")
    def skill_codes(self, obj) -> str:
        return ", ".join(sorted(skill.code for skill in obj.skills.all())) or "-"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        # The form ran the same checks; only a race gets a refusal here (shown by the error middleware).
        rule = config.routing_rule_set(
            actor=request.user,
            case_type=obj.case_type,
            status=obj.status,
            skills=data.get("skills") or [],
            programme_skill=data.get("programme_skill"),
            require_patch=data.get("require_patch", False),
            require_language=data.get("require_language", False),
            is_active=data.get("is_active", True),
        )
        obj.pk = rule.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        """The skills were set by routing_rule_set in save_model."""


class RoutingSettingsForm(forms.ModelForm):
    class Meta:
        model = RoutingSettings
        fields = ["offer_timeout_minutes", "max_offers_per_minute"]

    def clean(self):
        cleaned = super().clean()
        given = {name: cleaned.get(name) for name in self._meta.fields}
        if all(value is not None for value in given.values()):
            for field, field_messages in config.routing_settings_errors(**given).items():
                self.add_error(field, field_messages)
        return cleaned


@admin.register(RoutingSettings)
class RoutingSettingsAdmin(admin.ModelAdmin):
    """The router's one row of settings: changed, never added twice or deleted."""

    form = RoutingSettingsForm
    list_display = ("__str__", "offer_timeout_minutes", "max_offers_per_minute")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not RoutingSettings.objects.exists()

    def changelist_view(self, request, extra_context=None):
        """There is only ever the one row: go straight to it (creating it with the defaults)."""
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        row = RoutingSettings.current()
        return redirect(reverse("admin:assignments_routingsettings_change", args=[row.pk]))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        config.routing_settings_update(
            actor=request.user,
            offer_timeout_minutes=form.cleaned_data["offer_timeout_minutes"],
            max_offers_per_minute=form.cleaned_data["max_offers_per_minute"],
        )
        obj.pk = 1
        obj.refresh_from_db()


@admin.register(DeclineReason)
class DeclineReasonAdmin(admin.ModelAdmin):
    """Retire a reason (untick "active") rather than delete it: declined offers keep theirs."""

    list_display = ("label", "code", "is_active", "times_used")
    list_filter = ("is_active",)
    search_fields = ("label", "code")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_times_used=Count("offer"))

    @admin.display(description="Times given", ordering="_times_used")
    def times_used(self, obj) -> int:
        return obj._times_used

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "code") if obj is not None else fields


# --- what the router did (read-only) ------------------------------------------------------------


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ("case", "user", "status", "offered_at", "expires_at", "responded_at", "decline_reason")
    list_filter = ("status", ("user", admin.RelatedOnlyFieldListFilter), "decline_reason", "case__case_type")
    list_select_related = ("case", "user", "decline_reason")
    search_fields = ("case__number",)
    search_help_text = "Case number"
    date_hierarchy = "offered_at"


@admin.register(CaseRouting)
class CaseRoutingAdmin(ReadOnlyAdmin):
    list_display = ("case", "state", "status", "priority", "waiting_since", "assignee", "skill_codes", "excluded")
    list_filter = (
        "state",
        "status",
        "priority_rank",
        ("assignee", admin.RelatedOnlyFieldListFilter),
        "case__case_type",
    )
    list_select_related = ("case", "assignee")
    search_fields = ("case__number",)
    search_help_text = "Case number"
    ordering = ("priority_rank", "waiting_since")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_skill_codes=skill_codes_of(OuterRef("skill_ids")))

    @admin.display(description="Priority", ordering="priority_rank")
    def priority(self, obj) -> str:
        return "Urgent" if obj.priority_rank == 0 else "Normal"

    @admin.display(description="Skills needed")
    def skill_codes(self, obj) -> str:
        return ", ".join(obj._skill_codes) or "-"

    @admin.display(description="Declined or lapsed this round")
    def excluded(self, obj) -> int:
        return len(obj.excluded_user_ids)
