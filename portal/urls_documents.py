"""The portal's documents pages: an application's documents (what we still need, what was
sent), uploads against a request, a document sent unasked, and downloads."""

from django.urls import path

from portal.views import documents

urlpatterns = [
    path("applications/<str:number>/documents/", documents.documents_page, name="portal-application-documents"),
    path(
        "applications/<str:number>/documents/requests/<int:request_id>/upload/",
        documents.request_upload,
        name="portal-application-document-request-upload",
    ),
    path("applications/<str:number>/documents/send/", documents.document_send, name="portal-application-document-send"),
    path(
        "applications/<str:number>/documents/<int:document_id>/",
        documents.document_download,
        name="portal-application-document",
    ),
]
