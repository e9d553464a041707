"""Admin for the casework configuration supervisors maintain: case types and their request
type/subtype picklists, teams with their members and queues, referral reasons with their
subtypes; and the referrals themselves, read-only, moved along by actions that call the services.

A case type's workflow and number prefix are read-only here once a case of the type exists; the
form also checks (with casework.services.case_types' rules) so a change never slips through."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from casework.admin.document_requests import DocumentRequirementInline
from casework.models import (
    CaseType,
    Queue,
    Referral,
    ReferralReason,
    ReferralSubtype,
    RequestSubtype,
    RequestType,
    Status,
    Team,
    TeamMembership,
)
from casework.services import case_types as case_type_services
from casework.services import referrals as referral_services
from core import errors
from core.admin import StampedAdmin
from core.models import User

# --- case types and their picklists ----------------------------------------------------------


class PicklistInline(admin.TabularInline):
    """Entries of a picklist. Retire an entry (untick "active") rather than delete it: cases and
    referrals keep pointing at the entries they were given."""

    fields = ("name", "is_active")
    extra = 0


class PicklistAdmin(admin.ModelAdmin):
    """A picklist entry (request type, referral reason) that owns a second-level picklist,
    edited inline. `parent` names the field of what it belongs to (case type, team)."""

    parent = ""

    def get_list_display(self, request):
        return ("name", self.parent, "is_active")

    def get_list_filter(self, request):
        return (self.parent, "is_active")

    def get_search_fields(self, request):
        return ("name", f"{self.parent}__name", "subtypes__name")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.parent)


class RequestTypeInline(PicklistInline):
    model = RequestType
    show_change_link = True  # its subtypes are edited on the request type's page


class CaseTypeAdminForm(forms.ModelForm):
    class Meta:
        model = CaseType
        fields = [
            "code",
            "name",
            "workflow",
            "number_prefix",
            "description",
            "is_active",
            "calendar",
        ]

    def clean_number_prefix(self):
        try:
            return case_type_services.number_prefix_normalise(self.cleaned_data.get("number_prefix", ""))
        except errors.ValidationError as error:
            raise ValidationError(error.fields["number_prefix"]) from error

    def clean(self):
        cleaned = super().clean()
        original = CaseType.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        candidate = CaseType(pk=self.instance.pk)
        for name in self._meta.fields:
            # A field shown read-only (or that failed its own check) keeps its stored value.
            setattr(candidate, name, cleaned.get(name, getattr(original or self.instance, name)))
        for field, field_messages in case_type_services.case_type_errors(candidate, original=original).items():
            self.add_error(field if field in self.fields else None, field_messages)
        return cleaned


@admin.register(CaseType)
class CaseTypeAdmin(StampedAdmin):
    form = CaseTypeAdminForm
    list_display = ("name", "code", "workflow", "number_prefix", "is_active", "case_count")
    list_filter = ("workflow", "is_active")
    search_fields = ("name", "code", "number_prefix", "description")
    inlines = [RequestTypeInline, DocumentRequirementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_case_count=Count("cases"))

    @admin.display(description="Cases", ordering="_case_count")
    def case_count(self, obj) -> int:
        return obj._case_count

    def get_readonly_fields(self, request, obj=None):
        has_cases = obj is not None and case_type_services.case_type_has_cases(obj)
        fixed = case_type_services.IDENTITY_FIELDS if has_cases else ()
        return (*super().get_readonly_fields(request, obj), *fixed)


class RequestSubtypeInline(PicklistInline):
    model = RequestSubtype


@admin.register(RequestType)
class RequestTypeAdmin(PicklistAdmin):
    parent = "case_type"
    inlines = [RequestSubtypeInline]


# --- teams and queues ------------------------------------------------------------------------


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    fields = ("user",)
    extra = 0
    verbose_name = "member"
    verbose_name_plural = "members"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Only active staff join teams; applicants never do.
            kwargs["queryset"] = User.objects.filter(kind=User.Kind.STAFF, is_active=True).order_by(
                "last_name", "first_name", "email"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class QueueInline(admin.TabularInline):
    model = Queue
    fields = ("code", "name")
    extra = 0
    show_change_link = True


@admin.register(Team)
class TeamAdmin(StampedAdmin):
    list_display = ("name", "code", "email", "member_count")
    search_fields = ("name", "code", "email", "members__email", "members__last_name")
    inlines = [TeamMembershipInline, QueueInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("members", distinct=True))

    @admin.display(description="Members", ordering="_member_count")
    def member_count(self, obj) -> int:
        return obj._member_count


@admin.register(Queue)
class QueueAdmin(StampedAdmin):
    list_display = ("name", "code", "team", "open_cases")
    list_filter = ("team",)
    list_select_related = ("team",)
    search_fields = ("name", "code", "team__name")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(_open_cases=Count("cases", filter=~Q(cases__status=Status.CLOSED)))
        )

    @admin.display(description="Open cases", ordering="_open_cases")
    def open_cases(self, obj) -> int:
        return obj._open_cases


# --- referrals -------------------------------------------------------------------------------


class ReferralSubtypeInline(PicklistInline):
    model = ReferralSubtype


@admin.register(ReferralReason)
class ReferralReasonAdmin(PicklistAdmin):
    parent = "team"
    inlines = [ReferralSubtypeInline]


@admin.register(Referral)
class ReferralAdmin(StampedAdmin):
    """Referrals are made on the case and moved along by the team; here they are read-only, and
    the actions run the same services (and the same checks) as the worktray."""

    list_display = ("case", "team", "reason", "subtype", "status", "created_at", "created_by", "accepted_by")
    list_filter = ("team", "status")
    list_select_related = ("case", "team", "reason", "subtype", "created_by", "accepted_by")
    search_fields = ("case__number", "comments", "reason__name")
    date_hierarchy = "created_at"
    readonly_fields = (
        "case",
        "team",
        "reason",
        "subtype",
        "comments",
        "status",
        "accepted_at",
        "accepted_by",
        "completed_at",
        "completed_by",
    )
    fields = readonly_fields
    actions = ["accept_referrals", "complete_referrals"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _run(self, request, queryset, service, done: str) -> None:
        succeeded = 0
        for referral in queryset.select_related("case", "team"):
            try:
                service(actor=request.user, referral=referral)
            except errors.DomainError as error:
                self.message_user(request, f"{referral.case} ({referral.team}): {error.message}", messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{succeeded} referral{'s' if succeeded != 1 else ''} {done}.", messages.SUCCESS)

    @admin.action(description="Accept the selected referrals")
    def accept_referrals(self, request, queryset):
        self._run(request, queryset, referral_services.referral_accept, "accepted")

    @admin.action(description="Complete the selected referrals")
    def complete_referrals(self, request, queryset):
        self._run(request, queryset, referral_services.referral_complete, "completed")
