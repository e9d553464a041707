"""The casework staff pages, under /staff/."""

from django.urls import path

from casework.views import case_page, home

urlpatterns = [
    path("", home.staff_home, name="staff-home"),
    path("cases/<int:case_id>/", case_page.case_detail, name="staff-case"),
]

# My worktray's saved views (the worktray itself is "staff-home" above).
from casework.views import worktray  # noqa: E402

urlpatterns += [
    path("saved-views/", worktray.saved_filter_save, name="staff-saved-view-save"),
    path("saved-views/<int:saved_filter_id>/delete/", worktray.saved_filter_delete, name="staff-saved-view-delete"),
]
