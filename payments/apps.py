from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"
    # Supervisors look at payees in the admin (read-only: they are changed by their owners in the
    # portal, and verified by the payments issue's services).
    role_permissions = {"supervisor": ["payments.view_payee"]}
