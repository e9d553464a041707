"""Documents on a case: list and upload (multipart), and a permission-checked download. Staff
and the case's applicant (or someone granted the case) may use these; anyone else gets 404."""

from __future__ import annotations

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.models import Document
from casework.selectors.cases import case_get
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


class CaseDocumentsView(GenericAPIView):
    """A case's documents, newest first; upload one as multipart/form-data."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = DocumentSerializer

    def get_queryset(self):
        return Document.objects.none()  # the views below read through the selectors

    @extend_schema(summary="List a case's documents", responses=DocumentSerializer(many=True))
    def get(self, request, case_id: int):
        documents = document_list_for(user=request.user, case_id=case_id)
        page = self.paginate_queryset(documents)
        return self.get_paginated_response(DocumentSerializer(page, many=True).data)

    @extend_schema(
        summary="Upload a document to a case",
        description=(
            "The type is decided from the content, not the name: PDF, JPEG, PNG, HEIC, Word (.docx) or "
            "Excel (.xlsx), up to DOCUMENT_MAX_BYTES (20 MB by default). A name whose extension contradicts "
            "the content is refused. Closed cases are read-only (409)."
        ),
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
    )
    def post(self, request, case_id: int):
        case = case_get(user=request.user, case_id=case_id)
        upload = DocumentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        document = document_services.document_upload(
            actor=request.user,
            case=case,
            uploaded_file=upload.validated_data["file"],
            category=upload.validated_data["category"],
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


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
