"""The applicant portal, under /portal/: the home page and the language switcher here, then one
URL module per area, each with names that start "portal-"."""

from django.urls import include, path

from portal.views import home

urlpatterns = [
    path("", home.home, name="portal-home"),
    path("language/", home.language, name="portal-language"),
    path("", include("portal.urls_accounts")),
    path("", include("portal.urls_applications")),  # a tenant's application: start, steps, review, submit
    path("", include("portal.urls_landlords")),  # a landlord's profile, their applications, advocates
    path("", include("portal.urls_documents")),  # requested documents: upload, re-upload, outstanding
    path("", include("portal.urls_status")),  # an application's page: status, messages, withdraw, appeal
]
