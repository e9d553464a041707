"""The payments app's tables. Payees arrive first (a landlord's profile needs one before they can
apply, issue 9); the payments issue adds their verification, the payments and their status
machine, stipend schedules, and later export batches."""

from payments.models.payees import Payee, PayeeKind, PayeeVerification, PaymentMethod
from payments.models.payments import Payment, PaymentReason, PaymentStatus
from payments.models.stipends import StipendSchedule, StipendStatus

__all__ = [
    "Payee",
    "PayeeKind",
    "PayeeVerification",
    "Payment",
    "PaymentMethod",
    "PaymentReason",
    "PaymentStatus",
    "StipendSchedule",
    "StipendStatus",
]
