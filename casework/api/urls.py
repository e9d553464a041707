from rest_framework.routers import SimpleRouter

from casework.api import appointments, case_organisations, documents, views

router = SimpleRouter()
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("properties", views.PropertyViewSet, basename="property")
router.register("tenancies", views.TenancyViewSet, basename="tenancy")

urlpatterns = [*router.urls, *documents.urlpatterns, *appointments.urlpatterns, *case_organisations.urlpatterns]
