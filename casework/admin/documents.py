"""Admin for documents: read-only here (they are written through the services, with the case's
feed), and downloaded through the permission-checked view."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from casework.models import Document
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
