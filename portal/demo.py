"""Demo data for the portal, so signing in as each demo applicant (core.demo) shows a working
portal. Idempotent: each part looks first and does nothing when it is already there.

- Every demo applicant has a portal profile with their email address already confirmed.
- landlord@demo.example has a complete landlord profile (payee details, shown masked, and a home
  they let), so they can apply at once, and has authorised advocate@demo.example to apply for
  them. agent@demo.example (a property manager) is left with no profile, so the demo shows the
  "finish your profile first" gate.
- The demo's rental applications all have their answers rows (portal.signals makes them as the
  cases are started; a demo database seeded before that is given them here, the same way), and
  the tenant's draft has its first two steps answered, so "Continue your application" lands on
  the third.
- The demo's applications past draft are asked for the documents their programme requires
  (casework.demo seeds the requirements after the cases), so the documents pages have something
  to upload.

Everything goes through the portal's and casework's services, as an applicant would."""

from __future__ import annotations

from django.http import QueryDict
from django.utils import timezone

from casework.models import RENTAL_WORKFLOWS, Case, Status
from casework.services.common import lock_case
from casework.services.document_requests import document_requests_for_requirements
from core.demo import APPLICANTS
from core.models import User
from core.seeding import DemoContext
from portal.models import ApplicantProfile
from portal.selectors.applications import draft_tenant_application_for
from portal.selectors.landlords import acts_for, profile_status_for
from portal.services import advocates as advocate_services
from portal.services import applications as application_services
from portal.services import landlords as landlord_services
from portal.signals import application_answers_ensure

TENANT, LANDLORD, ADVOCATE = "tenant@demo.example", "landlord@demo.example", "advocate@demo.example"

# Synthetic: an example EIN, the routing number printed in bank-file examples (payment batches pay
# through ACH, which needs a 9-digit routing number), an account number no bank issues to anyone.
LANDLORD_PAYEE = {
    "kind": "individual",
    "name": "Lewis Grant",
    "payment_method": "bank_transfer",
    "tax_id": "12-3456789",
    "account_holder": "Lewis Grant",
    "routing_number": "021000021",
    "account_number": "00004111",
}
# A home of Lewis Grant's off casework's demo streets (its patch comes from the postcode lookup).
LANDLORD_HOME = {"address_line_1": "14 Linden Terrace", "town": "Kingsford", "postcode": "DB8 2LT", "units": 1}

# The demo tenant's answers to the first two steps of their draft: they rent Lewis Grant's home.
TENANT_STEPS = {
    "home": {
        "address_line_1": LANDLORD_HOME["address_line_1"],
        "address_line_2": "",
        "town": LANDLORD_HOME["town"],
        "postcode": LANDLORD_HOME["postcode"],
        "tenancy_start": "2023-09-01",
        "monthly_rent": "725.00",
        "landlord_known_by": "details",
        "landlord_name": "Lewis Grant",
        "landlord_email": LANDLORD,
        "landlord_phone": "",
        "landlord_code": "",
    },
    "household": {
        "head-full_name": "Tara Reilly",
        "head-date_of_birth": "1991-06-14",
        "member-0-full_name": "Ruby Reilly",
        "member-0-date_of_birth": "2016-02-03",
        "member-0-relationship": "child",
    },
}


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _seed_profiles(ctx: DemoContext) -> None:
    for user in User.objects.filter(email__in=[email for email, *_rest in APPLICANTS]):
        _profile, created = ApplicantProfile.objects.get_or_create(
            user=user, defaults={"email_verified_at": timezone.now()}
        )
        if created:
            ctx.created("portal profile")


def _seed_landlord(ctx: DemoContext) -> None:
    """The demo landlord's complete profile and their advocate; the agent's is left alone."""
    landlord = _user(LANDLORD)
    if landlord is None:
        return
    status = profile_status_for(landlord)
    if status.payee is None:
        landlord_services.landlord_payee_save(actor=landlord, **LANDLORD_PAYEE)
        ctx.created("landlord payee")
    if not status.properties:
        landlord_services.landlord_property_add(actor=landlord, **LANDLORD_HOME)
        ctx.created("landlord property")
    advocate = _user(ADVOCATE)
    if advocate is not None and not acts_for(advocate, landlord):
        advocate_services.advocate_authorise(actor=landlord, email=advocate.email)
        ctx.created("advocate authorisation")


def _demo_applications():
    return Case.objects.filter(
        workflow__in=RENTAL_WORKFLOWS, applicant__email__in=[email for email, *_rest in APPLICANTS]
    ).order_by("pk")


def _seed_answers(ctx: DemoContext) -> None:
    """Answers rows for demo applications started before portal.signals made them, then the
    tenant's first two steps."""
    for case in _demo_applications().filter(tenant_application__isnull=True, landlord_application__isnull=True):
        if application_answers_ensure(case=case, actor=case.created_by or case.applicant) is not None:
            ctx.created("application answers")
    tenant = _user(TENANT)
    draft = draft_tenant_application_for(tenant) if tenant is not None else None
    if draft is None or draft.completed_steps or draft.answers:
        return  # none, or already answered (by this seed, or by someone trying the demo)
    for step, answers in TENANT_STEPS.items():
        data = QueryDict(mutable=True)
        data.update(answers)
        saved = application_services.tenant_application_step_save(actor=tenant, application=draft, step=step, data=data)
        if not saved.complete:
            raise RuntimeError(f"The demo tenant's {step} step was refused: {saved.form.errors.as_json()}")
        ctx.created("application step")


def _seed_document_requests(ctx: DemoContext) -> None:
    """The documents each open demo application past draft is asked for (nothing twice)."""
    for case in _demo_applications().exclude(status__in=[Status.DRAFT, Status.CLOSED]):
        asked = document_requests_for_requirements(case=lock_case(case))
        if asked:
            ctx.created("document request", len(asked))


def seed(ctx: DemoContext) -> None:
    _seed_profiles(ctx)
    _seed_landlord(ctx)
    _seed_answers(ctx)
    _seed_document_requests(ctx)
