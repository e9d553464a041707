"""The payments app's tables. Payees arrive first (a landlord's profile needs one before they can
apply, issue 9); verification, payments and export batches join them with the payments issue."""

from payments.models.payees import Payee, PayeeKind, PaymentMethod

__all__ = ["Payee", "PayeeKind", "PaymentMethod"]
