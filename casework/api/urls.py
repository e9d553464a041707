from rest_framework.routers import SimpleRouter

from casework.api import case_types, referrals, teams, views

router = SimpleRouter()
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("properties", views.PropertyViewSet, basename="property")
router.register("tenancies", views.TenancyViewSet, basename="tenancy")

urlpatterns = router.urls
urlpatterns += [*teams.urlpatterns, *referrals.urlpatterns, *case_types.urlpatterns]
