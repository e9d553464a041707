"""A tenant's application: start, its steps, resume, review (sign and submit) and the
confirmation. The step converter accepts only the steps' slugs, so the other slices' fixed paths
under applications/<number>/ (documents, withdraw, appeal…) are never taken for a step."""

from django.urls import path, register_converter

from portal.forms.applications import STEP_SLUGS
from portal.views import applications


class StepConverter:
    regex = "|".join(STEP_SLUGS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        if value not in STEP_SLUGS:
            raise ValueError(f"{value!r} is not a step of the application")
        return value


register_converter(StepConverter, "application_step")

urlpatterns = [
    path("applications/new/", applications.start, name="portal-application-start"),
    path("applications/<str:number>/resume/", applications.resume, name="portal-application-resume"),
    path("applications/<str:number>/review/", applications.review, name="portal-application-review"),
    path("applications/<str:number>/submitted/", applications.submitted, name="portal-application-submitted"),
    path("applications/<str:number>/<application_step:step>/", applications.step, name="portal-application-step"),
]
