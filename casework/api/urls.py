from django.urls import path
from rest_framework.routers import SimpleRouter

from casework.api import (
    appointments,
    case_organisations,
    case_types,
    cases,
    documents,
    households,
    messages,
    referrals,
    teams,
    views,
    work,
)

router = SimpleRouter()
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("properties", views.PropertyViewSet, basename="property")
router.register("tenancies", views.TenancyViewSet, basename="tenancy")
router.register("cases", cases.CaseViewSet, basename="case")

urlpatterns = [
    *router.urls,
    *work.urlpatterns,
    *teams.urlpatterns,
    *referrals.urlpatterns,
    *case_types.urlpatterns,
    *documents.urlpatterns,
    *appointments.urlpatterns,
    *case_organisations.urlpatterns,
    *messages.urlpatterns,
    path(
        "cases/<int:case_id>/household-members/",
        households.CaseHouseholdMemberView.as_view(),
        name="case-household-member-add",
    ),
]
