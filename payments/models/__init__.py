"""The payments app's tables. Payees arrive first (a landlord's profile needs one before they can
apply, issue 9); the payments issue adds their verification, the payments and their status
machine, stipend schedules, programme caps, export batches and reconciliation imports."""

from payments.models.batches import PaymentBatch, ReconciliationImport, ReconciliationStatus
from payments.models.caps import ProgrammeCap
from payments.models.payees import AutomaticCheck, Payee, PayeeKind, PayeeRole, PayeeVerification, PaymentMethod
from payments.models.payments import Payment, PaymentReason, PaymentStatus
from payments.models.stipends import StipendSchedule, StipendStatus

__all__ = [
    "AutomaticCheck",
    "Payee",
    "PayeeKind",
    "PayeeRole",
    "PayeeVerification",
    "Payment",
    "PaymentBatch",
    "PaymentMethod",
    "PaymentReason",
    "PaymentStatus",
    "ProgrammeCap",
    "ReconciliationImport",
    "ReconciliationStatus",
    "StipendSchedule",
    "StipendStatus",
]
