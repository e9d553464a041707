from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"
    # Supervisors look at payees and payments in the admin (read-only: payees are changed by their
    # owners in the portal; both are verified and moved by payments.services).
    role_permissions = {"supervisor": ["payments.view_payee", "payments.view_payment"]}
