"""The casework staff pages, under /staff/."""

from django.urls import path

from casework.views import case_page, home, search

urlpatterns = [
    path("", home.staff_home, name="staff-home"),
    path("cases/<int:case_id>/", case_page.case_detail, name="staff-case"),
    path("search/", search.search, name="staff-search"),
]
