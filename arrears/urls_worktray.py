"""The patch worktrays (rent, and leasehold service charges) and the supervisors' chart of
classifications by patch."""

from django.urls import path

from arrears.models import AccountKind
from arrears.views import worktray

urlpatterns = [
    path("", worktray.worktray, {"kind": AccountKind.RENT}, name="arrears-worktray"),
    path("leasehold/", worktray.worktray, {"kind": AccountKind.SERVICE_CHARGE}, name="arrears-leasehold-worktray"),
    path("chart/", worktray.chart, name="arrears-chart"),
]
