from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from casework.views import home as casework_home
from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("core.urls")),
    path("staff/", include("casework.urls")),
    path("staff/", include("assignments.urls")),
    path("staff/", include("payments.urls")),
    path("staff/arrears/", include("arrears.urls")),
    path("staff/jobs/", include("core.urls_staff")),
    path("portal/", include("portal.urls")),
    path("documents/<int:document_id>/download/", casework_home.document_download, name="document-download"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
