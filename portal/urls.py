"""The applicant portal, under /portal/: the home page and the language switcher here, then one
URL module per area. Later slices add theirs the same way (urls_applications.py for the tenant
and landlord applications, urls_profile.py for a landlord's profile, urls_documents.py,
urls_status.py, ...), each with names that start "portal-"."""

from django.urls import include, path

from portal.views import home

urlpatterns = [
    path("", home.home, name="portal-home"),
    path("language/", home.language, name="portal-language"),
    path("", include("portal.urls_accounts")),
]
