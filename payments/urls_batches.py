"""The supervisors' export batch and reconciliation pages, under /staff/payments/. Included by
payments/urls.py (mounted at /staff/) with `path("", include("payments.urls_batches"))`."""

from django.urls import path

from payments.views import batches

urlpatterns = [
    path("payments/batches/", batches.batch_list, name="staff-payment-batches"),
    path("payments/batches/<int:batch_id>/", batches.batch_detail, name="staff-payment-batch"),
    path(
        "payments/batches/<int:batch_id>/files/<slug:kind>/",
        batches.batch_file_download,
        name="staff-payment-batch-file",
    ),
    path("payments/reconciliation/", batches.reconciliation, name="staff-payment-reconciliation"),
    path(
        "payments/reconciliation/<int:import_id>/",
        batches.reconciliation_detail,
        name="staff-payment-reconciliation-detail",
    ),
]
