"""Core's staff pages, under /staff/jobs/."""

from django.urls import path

from core import views_jobs

urlpatterns = [
    path("", views_jobs.job_list, name="job-list"),
    path("start/", views_jobs.job_start, name="job-start"),
    path("<uuid:job_id>/", views_jobs.job_detail, name="job-detail"),
]
