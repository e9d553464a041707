"""Documents on a case: list and upload (multipart), and a permission-checked download. Staff
and the case's applicant (or someone granted the case) may use these; anyone else gets 404."""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from casework.api.case_children import CaseChildrenView
from casework.models import Document
from casework.selectors.documents import document_get, document_list_for
from casework.services import documents as document_services


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "case",
            "category",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by_name",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_uploaded_by_name(self, document: Document) -> str:
        return document.uploaded_by.get_full_name() or document.uploaded_by.email

    def get_download_url(self, document: Document) -> str:
        return reverse("document-download-api", args=[document.pk])


class DocumentUploadSerializer(serializers.Serializer):
    # Empty files and the type allow-list are the service's to judge, with its own messages.
    file = serializers.FileField(allow_empty_file=True, help_text="PDF, JPEG, PNG, HEIC, DOCX or XLSX.")
    category = serializers.ChoiceField(choices=Document.Category.choices, default=Document.Category.OTHER)


@extend_schema_view(
    get=extend_schema(summary="List a case's documents", responses=DocumentSerializer(many=True)),
    post=extend_schema(
        summary="Upload a document to a case",
        description=(
            "The type is decided from the content, not the name: PDF, JPEG, PNG, HEIC, Word (.docx) or "
            "Excel (.xlsx), up to DOCUMENT_MAX_BYTES (20 MB by default). A name whose extension contradicts "
            "the content is refused. Closed cases are read-only (409)."
        ),
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    ),
)
class CaseDocumentsView(CaseChildrenView):
    """A case's documents, newest first; upload one as multipart/form-data."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = DocumentSerializer
    input_serializer_class = DocumentUploadSerializer

    def list_for(self, request, case_id: int):
        return document_list_for(user=request.user, case_id=case_id)

    def create(self, request, case, *, file, category):
        return document_services.document_upload(actor=request.user, case=case, uploaded_file=file, category=category)


class DocumentDownloadView(APIView):
    """The document's file, as an attachment with its stored content type."""

    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's own type (Accept: application/pdf) must not get 406;
        # errors still render as JSON, the file bypasses rendering.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download a document",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with its stored content type."
            ),
        },
    )
    def get(self, request, document_id: int):
        document = document_get(user=request.user, document_id=document_id)
        return document_services.document_response(document)


urlpatterns = [
    path("cases/<int:case_id>/documents/", CaseDocumentsView.as_view(), name="case-documents"),
    path("documents/<int:document_id>/download/", DocumentDownloadView.as_view(), name="document-download-api"),
]
