"""Admin for documents asked for: a case type's default requirements (edited by supervisors,
inline on the case type and in their own list), and the requests on cases, read-only (they
change only through casework.services.document_requests, from the case page and the portal)."""

from __future__ import annotations

from django.contrib import admin

from casework.models import DocumentRequest, DocumentRequirement
from core.admin import ReadOnlyAdmin, StampedAdmin


class DocumentRequirementInline(admin.TabularInline):
    """The documents every application of the type is asked for when it is submitted. Switch one
    off (untick "active") rather than delete it: requests already made point at it, and that is
    how a resubmitted application is not asked twice."""

    model = DocumentRequirement
    fields = ("category", "description", "is_active")
    extra = 0
    can_delete = False
    verbose_name = "document asked for on submission"
    verbose_name_plural = "documents asked for on submission"


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(StampedAdmin):
    list_display = ("description", "case_type", "category", "is_active")
    list_filter = ("case_type", "category", "is_active")
    list_select_related = ("case_type",)
    search_fields = ("description", "case_type__name")
    fields = ("case_type", "category", "description", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentRequest)
class DocumentRequestAdmin(ReadOnlyAdmin):
    list_display = ("description", "case", "category", "status", "requested_by", "requested_at", "due_date")
    list_filter = ("status", "category", ("requested_at", admin.DateFieldListFilter))
    list_select_related = ("case", "requested_by")
    search_fields = ("description", "case__number", "reason")
    date_hierarchy = "requested_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in DocumentRequest._meta.fields]
