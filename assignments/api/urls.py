from rest_framework.routers import SimpleRouter

from assignments.api import routing, supervisor, views

router = SimpleRouter()
router.register("skills", views.SkillViewSet, basename="skill")
router.register("routing-profiles", views.RoutingProfileViewSet, basename="routing-profile")

urlpatterns = [*router.urls, *supervisor.urlpatterns, *routing.urlpatterns]
