"""The staff pages for payments, mounted at /staff/ (config/urls.py)."""

from django.urls import include, path

from payments.views import payees, staff

urlpatterns = [
    path("cases/<int:case_id>/payments/", staff.payment_add, name="staff-case-payment-add"),
    path("payments/<int:payment_id>/", staff.payment_detail, name="staff-payment"),
    path("payments/<int:payment_id>/edit/", staff.payment_edit, name="staff-payment-edit"),
    path("payments/<int:payment_id>/<slug:move>/", staff.payment_move, name="staff-payment-move"),
    path("payees/<int:payee_id>/", payees.payee_detail, name="staff-payee"),
    path("payees/utilities/new/", payees.utility_payee_form, name="staff-utility-payee-add"),
    path("payees/<int:payee_id>/edit/", payees.utility_payee_form, name="staff-utility-payee-edit"),
    path("payees/<int:payee_id>/verify/", payees.payee_verify, name="staff-payee-verify"),
    path("payees/<int:payee_id>/check/", payees.payee_check, name="staff-payee-check"),
    # Export batches and reconciliation (payments.views.batches).
    path("", include("payments.urls_batches")),
]
