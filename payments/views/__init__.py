"""The staff pages for payments: the payments section of a tenant's case page, a payment's page
and a payee's page (payments.views.staff). Batch export and reconciliation have their own module
(payments.views.batches)."""
