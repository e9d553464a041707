from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Payments"
    # Supervisors look at payees, payments, stipends, batches and reconciliation imports in the
    # admin (read-only: payees are changed by their owners in the portal; everything is verified and
    # moved by payments.services), and set the programme caps of the duplicate-benefit check.
    role_permissions = {
        "supervisor": [
            "payments.view_payee",
            "payments.view_payment",
            "payments.view_stipendschedule",
            "payments.view_paymentbatch",
            "payments.view_reconciliationimport",
            "payments.view_programmecap",
            "payments.add_programmecap",
            "payments.change_programmecap",
        ]
    }

    def ready(self) -> None:
        # The payments section of a tenant's case page. Casework never imports payments (payments
        # builds on casework), so payments adds its section to the page here.
        from casework.views.case_page import register_section
        from payments.views import staff

        register_section(
            staff.SECTION,
            build=staff.case_payments_context,
            template="payments/staff/_case_payments.html",
            heading=_("Payments"),
            link=_("Show the payments, or set one up"),
            applies=staff.applies,
        )
