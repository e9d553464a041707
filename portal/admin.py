"""The portal's part of the supervisors' admin: the notices shown to applicants (NoticeAdmin);
and on the users' pages, an applicant's portal profile (read-only) and the action that corrects an
account registered as the wrong kind (seed 000) without a new account, through
portal.services.accounts.applicant_kind_change.

core owns the user admin and may not import the portal (dependencies point portal → core), so the
portal extends it here: the same UserAdmin, registered again with these additions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils import timezone

from core import errors
from core.admin import STAMP_FIELDS, StampedAdmin, UserAdmin
from core.models import User
from portal.models import AccountType, ApplicantProfile, Notice
from portal.permissions import can_change_applicant_kind
from portal.services.accounts import applicant_kind_change


class ApplicantProfileInline(admin.StackedInline):
    model = ApplicantProfile
    can_delete = False
    extra = 0
    max_num = 1
    verbose_name = "portal profile"
    fields = ("is_business", "organisation_name", "preferred_language", "email_verified_at", "verification_sent_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class KindChangeForm(forms.Form):
    account_type = forms.ChoiceField(label="Correct account type", choices=AccountType.choices)
    organisation_name = forms.CharField(
        label="Business name",
        max_length=200,
        required=False,
        help_text="For a landlord registered as a business; leave empty to keep the name they gave.",
    )
    reason = forms.CharField(
        label="Why it is being corrected",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in the audit trail with the change.",
    )


admin.site.unregister(User)


@admin.register(User)
class ApplicantUserAdmin(UserAdmin):
    inlines = [ApplicantProfileInline]
    actions = ["correct_account_type"]

    def get_inlines(self, request, obj):
        # Staff accounts have no portal profile.
        return self.inlines if obj is not None and obj.kind != User.Kind.STAFF else []

    def has_kind_change_permission(self, request) -> bool:
        return can_change_applicant_kind(request.user)

    @admin.action(description="Correct the account type (same account)", permissions=["kind_change"])
    def correct_account_type(self, request, queryset):
        form = KindChangeForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            account_type = AccountType(form.cleaned_data["account_type"])
            done = 0
            for user in queryset:
                try:
                    applicant_kind_change(
                        actor=request.user,
                        user=user,
                        kind=account_type.kind,
                        is_business=account_type.is_business,
                        reason=form.cleaned_data["reason"],
                        organisation_name=form.cleaned_data["organisation_name"] or None,
                    )
                    done += 1
                except errors.DomainError as refused:
                    details = " ".join(m for ms in refused.fields.values() for m in ms)
                    self.message_user(request, f"{user.email}: {refused.message} {details}".strip(), messages.ERROR)
            if done:
                self.message_user(request, f"Account type corrected: {done} done.", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Correct the account type",
            "intro": (
                "The applicant keeps their account, sign-in and applications; only what they are "
                "registered as changes. The change and the reason are kept in the audit trail."
            ),
            "items": [f"{user.email} ({user.get_kind_display()})" for user in queryset],
            "form": form,
            "action": request.POST.get("action", ""),
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(request, "admin/action_with_text.html", context)


class LiveNowFilter(admin.SimpleListFilter):
    title = "showing"
    parameter_name = "showing"

    def lookups(self, request, model_admin):
        return [("live", "Live now"), ("scheduled", "Not started yet"), ("ended", "Ended")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.filter(shown_from__lte=now).filter(Q(shown_until__isnull=True) | Q(shown_until__gt=now))
        if self.value() == "scheduled":
            return queryset.filter(shown_from__gt=now)
        if self.value() == "ended":
            return queryset.filter(shown_until__lte=now)
        return queryset


@admin.register(Notice)
class NoticeAdmin(StampedAdmin):
    """Supervisors post notices for applicants' home pages (and, untargeted, the start page). The
    model's clean() refuses an end before the start; every change is in the audit trail."""

    list_display = ("title", "level", "live_now", "shown_from", "shown_until", "targeting")
    list_filter = (LiveNowFilter, "level")
    search_fields = ("title", "body")
    date_hierarchy = "shown_from"
    filter_horizontal = ("regions", "patches", "programmes")
    fieldsets = [
        (None, {"fields": ("title", "body", "level")}),
        ("When it is shown", {"fields": ("shown_from", "shown_until")}),
        (
            "Who sees it",
            {
                "fields": ("regions", "patches", "programmes"),
                "description": (
                    "Leave all three empty to show it to everyone, visitors included. Otherwise it is shown "
                    "to applicants with an application matching any region, patch or programme chosen."
                ),
            },
        ),
        ("Changes", {"fields": STAMP_FIELDS}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions", "patches", "programmes")

    @admin.display(boolean=True, description="Live now")
    def live_now(self, obj: Notice) -> bool:
        return obj.is_live()

    @admin.display(description="Shown to")
    def targeting(self, obj: Notice) -> str:
        targets = [*obj.regions.all(), *obj.patches.all(), *obj.programmes.all()]
        return ", ".join(str(target) for target in targets) or "Everyone"
