"""Admin for documents and appointments: both are read-only here (they are written through the
services, with the case's feed). Documents can be downloaded through the permission-checked
view; scheduled appointments can be cancelled with an action that calls the service."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from casework.models import Appointment, Document
from casework.services import appointments as appointment_services
from core import errors
from core.admin import ReadOnlyAdmin


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = (
        "original_name",
        "case",
        "category",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
        "download",
    )
    list_filter = ("category", "content_type", ("uploaded_at", admin.DateFieldListFilter))
    list_select_related = ("case", "uploaded_by")
    search_fields = ("original_name", "case__number", "sha256")
    date_hierarchy = "uploaded_at"
    fields = (
        ("original_name", "download"),
        ("case", "category"),
        ("content_type", "size"),
        "sha256",
        ("uploaded_by", "uploaded_at"),
    )
    readonly_fields = (
        "original_name",
        "download",
        "case",
        "category",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )

    @admin.display(description="Download")
    def download(self, document: Document) -> str:
        url = reverse("document-download", args=[document.pk])
        return format_html('<a href="{}">Download</a>', url)


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("starts_at", "mode", "status", "case", "task", "with_user", "with_name", "location")
    list_filter = ("status", "mode", ("starts_at", admin.DateFieldListFilter))
    list_select_related = ("case", "task", "with_user")
    search_fields = ("case__number", "with_name", "location", "with_user__email", "with_user__last_name")
    date_hierarchy = "starts_at"
    actions = ["cancel_appointments"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Appointment._meta.fields]

    @admin.action(description="Cancel the selected scheduled appointments")
    def cancel_appointments(self, request, queryset):
        cancelled = 0
        for appointment in queryset.select_related("case"):
            try:
                appointment_services.appointment_cancel(
                    actor=request.user, appointment=appointment, reason="Cancelled in the admin."
                )
            except errors.DomainError as error:
                self.message_user(request, f"{appointment}: {error.message}", level=messages.ERROR)
            else:
                cancelled += 1
        if cancelled:
            self.message_user(request, f"Cancelled {cancelled} appointment(s).", level=messages.SUCCESS)
