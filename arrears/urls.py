"""The arrears staff pages, under /staff/arrears/: the patch worktrays (arrears.urls_worktray) and
an account's page (arrears.urls_account)."""

from django.urls import include, path

urlpatterns = [
    path("", include("arrears.urls_worktray")),
    path("", include("arrears.urls_account")),
]
