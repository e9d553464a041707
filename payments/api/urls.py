"""The payments REST API, under /api/v1/ (staff only)."""

from rest_framework.routers import SimpleRouter

from payments.api import views

router = SimpleRouter()
router.register("payments", views.PaymentViewSet, basename="api-payment")
router.register("payees", views.PayeeViewSet, basename="api-payee")
router.register("stipend-schedules", views.StipendScheduleViewSet, basename="api-stipend-schedule")
router.register("batches", views.BatchViewSet, basename="api-payment-batch")
router.register("reconciliation-imports", views.ReconciliationImportViewSet, basename="api-reconciliation-import")

urlpatterns = [*router.urls]
