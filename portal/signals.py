"""How the portal follows casework: connected to casework.signals in PortalConfig.ready, so casework
never imports the portal.

A rental application can be started without the portal's own start pages: through the API's
"start an application" (casework.services.cases.application_start called directly), or by the
demo data. The portal keeps each application's answers in its own row (TenantApplication,
LandlordApplication), and its resume, step and review pages read that row; a case without one
would be a 404 there and the home page's "Continue your application" would lead nowhere. So
every new rental application with an applicant gets its (empty) answers row here, inside the
transaction that creates the case: one mechanism, whoever started it. The portal's own start
services then fill that row in rather than making a second.
"""

from __future__ import annotations

from casework.models import Case, Workflow
from core.models import User
from portal.models import LandlordApplication, TenantApplication


def application_answers_ensure(*, case: Case, actor: User | None) -> TenantApplication | LandlordApplication | None:
    """The answers row of `case` (a rental application with an applicant), made empty if it has
    none yet; None for any other case. A landlord application's landlord is the case's applicant
    and `started_by` the actor (the applicant when there is none); its mode follows the case: a
    quoted tenant code, or else for a tenant who has not applied yet (their own code is then the
    one to give the tenant). Idempotent (the row is one to one with the case).

    Who: casework's case_created signal, inside the service's transaction (which has already
    checked who may start the application); the demo data. Raises nothing of its own."""
    if case.applicant_id is None:
        return None
    if case.workflow == Workflow.RENTAL_TENANT:
        application, _created = TenantApplication.objects.get_or_create(case=case)
        return application
    if case.workflow == Workflow.RENTAL_LANDLORD:
        mode = (
            LandlordApplication.Mode.TENANT_CODE
            if case.claimed_application_code
            else LandlordApplication.Mode.NAMED_TENANT
        )
        application, _created = LandlordApplication.objects.get_or_create(
            case=case,
            defaults={
                "landlord_id": case.applicant_id,
                "started_by_id": actor.pk if actor is not None else case.applicant_id,
                "mode": mode,
            },
        )
        return application
    return None


def on_case_created(sender, case: Case, actor: User | None, **kwargs) -> None:
    application_answers_ensure(case=case, actor=actor)
