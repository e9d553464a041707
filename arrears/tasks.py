"""Celery jobs for arrears: thin wrappers over services, safe to run twice."""

from celery import shared_task

from arrears.services import classification


@shared_task(name="arrears.nightly_run", acks_late=True, ignore_result=True)
def nightly_run() -> int:
    """Derive, check, classify and store every account; send what automation is on for."""
    return classification.accounts_classify().classified


@shared_task(name="arrears.weekly_nudges", acks_late=True, ignore_result=True)
def weekly_nudges() -> int:
    """Send the weekly text-message nudges (accounts classified "send first SMS")."""
    return classification.weekly_nudges_send()


@shared_task(name="arrears.account_reclassify", acks_late=True, ignore_result=True)
def account_reclassify(account_id: int) -> str:
    """Re-classify one account now (on demand)."""
    from arrears.models import RentAccount

    account = RentAccount.objects.filter(pk=account_id).first()
    if account is None:
        return ""
    return classification.account_reclassify(account).classification
