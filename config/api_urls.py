"""The staff REST API, version 1. Each app contributes its routes from its api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("core.api.urls")),
    path("", include("casework.api.urls")),
    path("", include("assignments.api.urls")),
    path("", include("arrears.api.urls")),
    path("", include("payments.api.urls")),
]
