"""Who may do what with payees and payments. `actor=None` is the system (the export and
reconciliation jobs): only the payment process's own moves accept it."""

from __future__ import annotations

from core.permissions import has_role, is_supervisor
from core.roles import Role

# The workers who set payments up and check them: case managers and reviewers own the later
# chevrons of a rental case; supervisors (and administrators) can do what they do.
PAYMENT_WORKERS = (Role.CASE_MANAGER, Role.REVIEWER, Role.SUPERVISOR, Role.ADMINISTRATOR)


def can_verify_payee(user) -> bool:
    return has_role(user, *PAYMENT_WORKERS)


def can_create_payment(user) -> bool:
    return has_role(user, *PAYMENT_WORKERS)


def can_change_payment(user) -> bool:
    """Edit, verify, reject or retry a payment that has not been submitted."""
    return has_role(user, *PAYMENT_WORKERS)


def can_submit_payment(user) -> bool:
    """The payment process (the export, `None`) or a supervisor submitting one payment by hand."""
    return user is None or is_supervisor(user)


def can_record_payment_result(user) -> bool:
    """The reconciliation (`None`), or a supervisor recording a result by hand."""
    return user is None or is_supervisor(user)


def can_settle_payment(user) -> bool:
    """Void, recoup, refund or cancel: supervisors only, always with a reason."""
    return is_supervisor(user)


def can_manage_stipend(user) -> bool:
    """Set up or stop a stipend schedule: the workers who set payments up."""
    return has_role(user, *PAYMENT_WORKERS)


def can_run_stipend(user) -> bool:
    """Make a schedule's due payments: the stipend job (`None`) or a worker who sets payments up."""
    return user is None or has_role(user, *PAYMENT_WORKERS)


def can_override_duplicate(user) -> bool:
    """Pay despite the duplicate-benefit check: supervisors only, always with a reason."""
    return is_supervisor(user)


def can_export_batch(user) -> bool:
    """Export verified payments in a batch (which submits them): the payment job (`None`) or a
    supervisor."""
    return user is None or is_supervisor(user)


def can_import_reconciliation(user) -> bool:
    """Import the provider's results: the payment job (`None`) or a supervisor."""
    return user is None or is_supervisor(user)


def can_check_payee(user) -> bool:
    """Run the automatic name/TIN check on a payee: the job (`None`) or a payment worker."""
    return user is None or has_role(user, *PAYMENT_WORKERS)


def can_manage_utility_payee(user) -> bool:
    """Add or change a utility's payee (utilities have no account): the workers who set payments up."""
    return has_role(user, *PAYMENT_WORKERS)
