"""The portal's landlords pages: a landlord's or property manager's profile (payee details,
properties, advocates), their landlord applications (start, steps, review with sign and submit,
confirmation), and for advocates the landlords they act for."""

from django.urls import path, re_path

from portal.services.landlord_applications import STEPS
from portal.views import advocates as advocate_views
from portal.views import landlord_applications as application_views
from portal.views import landlords as landlord_views

# Only the step slugs, so fixed paths beside them (resume, review, submitted, code) are not swallowed.
_STEP = "|".join(STEPS)

urlpatterns = [
    path("profile/", landlord_views.profile, name="portal-landlord-profile"),
    path("profile/payee/", landlord_views.payee, name="portal-landlord-payee"),
    path("profile/properties/new/", landlord_views.property_add, name="portal-landlord-property-add"),
    path(
        "profile/properties/<int:property_id>/remove/",
        landlord_views.property_remove,
        name="portal-landlord-property-remove",
    ),
    path("profile/advocates/", advocate_views.advocates, name="portal-landlord-advocates"),
    path(
        "profile/advocates/<int:authorisation_id>/revoke/",
        advocate_views.advocate_revoke,
        name="portal-landlord-advocate-revoke",
    ),
    path("landlord-applications/new/", application_views.application_start, name="portal-landlord-application-start"),
    path(
        "landlord-applications/<str:number>/resume/",
        application_views.application_resume,
        name="portal-landlord-application-resume",
    ),
    path(
        "landlord-applications/<str:number>/your-code/",
        application_views.application_code,
        name="portal-landlord-application-code",
    ),
    path(
        "landlord-applications/<str:number>/review/",
        application_views.application_review,
        name="portal-landlord-application-review",
    ),
    path(
        "landlord-applications/<str:number>/submitted/",
        application_views.application_submitted,
        name="portal-landlord-application-submitted",
    ),
    re_path(
        rf"^landlord-applications/(?P<number>[^/]+)/(?P<step>{_STEP})/$",
        application_views.application_step,
        name="portal-landlord-application-step",
    ),
    path("advocates/landlords/", advocate_views.advocate_landlords, name="portal-advocate-landlords"),
    path(
        "advocates/landlords/<int:authorisation_id>/", advocate_views.advocate_landlord, name="portal-advocate-landlord"
    ),
    path(
        "advocates/landlords/<int:authorisation_id>/applications/new/",
        advocate_views.advocate_application_start,
        name="portal-advocate-application-start",
    ),
]
