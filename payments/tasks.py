"""Celery jobs for payments: thin wrappers over services, safe to run twice."""

from celery import shared_task

from payments.services import stipends


@shared_task(name="payments.payee_check", acks_late=True, ignore_result=True)
def payee_check(payee_id: int) -> str:
    """Run the automatic name/TIN check on one payee (queued when its details are new)."""
    from payments.models import Payee
    from payments.services.payees import payee_check_automatic

    payee = Payee.objects.filter(pk=payee_id).first()
    if payee is None:
        return ""
    return payee_check_automatic(actor=None, payee=payee).automatic_check_status


@shared_task(name="payments.stipends_run", acks_late=True, ignore_result=True)
def stipends_run() -> int:
    """Make every active stipend schedule's due monthly payments; returns how many were made."""
    return stipends.stipends_run_due()
