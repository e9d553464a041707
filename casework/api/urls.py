from django.urls import path
from rest_framework.routers import SimpleRouter

from casework.api import households, views

router = SimpleRouter()
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("properties", views.PropertyViewSet, basename="property")
router.register("tenancies", views.TenancyViewSet, basename="tenancy")

urlpatterns = [
    *router.urls,
    path(
        "cases/<int:case_id>/household-members/",
        households.CaseHouseholdMemberView.as_view(),
        name="case-household-member-add",
    ),
]
