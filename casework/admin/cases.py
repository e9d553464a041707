"""Cases in the supervisors' admin: find, filter and read them, and act on them through the
services (reopen with a reason, priority). Nothing here edits a case's fields directly: status,
owner and the rest change only through casework.services.cases, which audit and record them."""

from __future__ import annotations

from django.contrib import admin, messages

from casework.models import Case, CaseActivity
from casework.services import cases as case_services
from core import errors
from core.admin import action_with_text


def _for_each(modeladmin, request, queryset, verb: str, call) -> None:
    """Run `call(case)` for each case, reporting successes and each refusal's own sentence."""
    done = 0
    for case in queryset:
        try:
            call(case)
            done += 1
        except errors.DomainError as refusal:
            modeladmin.message_user(request, f"{case.number}: {refusal.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{verb} {done} case{'s' if done != 1 else ''}.", messages.SUCCESS)


class ActivityInline(admin.TabularInline):
    model = CaseActivity
    fields = ("at", "kind", "summary", "actor", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-at", "-id")
    verbose_name_plural = "Timeline"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "case_type",
        "status",
        "closure_stage",
        "priority",
        "suspected_fraud",
        "owner",
        "owner_queue",
        "contact",
        "created_at",
    )
    list_filter = ("case_type", "workflow", "status", "closure_stage", "priority", "suspected_fraud", "owner_queue")
    search_fields = ("number", "application_code", "contact__first_name", "contact__last_name", "contact__reference")
    list_select_related = ("case_type", "owner", "owner_queue", "contact")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    inlines = [ActivityInline]
    actions = ["reopen_cases", "mark_urgent", "mark_normal"]
    fieldsets = (
        (None, {"fields": ("number", "case_type", "workflow", "status", "closure_stage", "closed_at")}),
        ("Who and what", {"fields": ("contact", "applicant", "tenancy", "property", "parent", "description")}),
        ("Request", {"fields": ("request_type", "request_subtype", "source", "priority", "is_escalated")}),
        ("Ownership", {"fields": ("owner", "owner_queue")}),
        ("Application", {"fields": ("application_code", "claimed_application_code", "submitted_at", "signed_name")}),
        (
            "Review and flags",
            {"fields": ("last_reviewed_at", "last_reviewed_by", "last_review_comment", "suspected_fraud")},
        ),
        ("Record", {"fields": ("created_at", "created_by", "updated_at", "updated_by")}),
    )

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def has_add_permission(self, request) -> bool:
        return False  # cases are opened through the worktray, the portal or the API

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # closed, never deleted; erasure is the consent app's job

    def has_change_permission(self, request, obj=None) -> bool:
        # The change page is read-only; "change" permission lets supervisors run the actions.
        return request.user.has_perm("casework.view_case")

    @admin.action(description="Reopen selected closed cases…", permissions=["reopen"])
    def reopen_cases(self, request, queryset):
        return action_with_text(
            self,
            request,
            queryset,
            title="Reopen cases",
            intro="Reopen these cases? Each returns to the chevron it closed from.",
            label="Reason (recorded on each case's timeline)",
            required=True,
            service=lambda case, text: case_services.case_reopen(actor=request.user, case=case, reason=text),
            describe=lambda case: case.number,
        )

    def has_reopen_permission(self, request) -> bool:
        return request.user.has_perm("casework.reopen_case")

    @admin.action(description="Mark selected cases urgent")
    def mark_urgent(self, request, queryset):
        _for_each(
            self,
            request,
            queryset,
            "Marked urgent",
            lambda case: case_services.case_update(actor=request.user, case=case, priority="urgent"),
        )

    @admin.action(description="Mark selected cases normal priority")
    def mark_normal(self, request, queryset):
        _for_each(
            self,
            request,
            queryset,
            "Marked normal priority",
            lambda case: case_services.case_update(actor=request.user, case=case, priority="normal"),
        )
