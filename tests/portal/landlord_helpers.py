"""Arranging landlords for the landlord tests: a verified landlord, their complete profile (payee
and a property, through the services), the programmes, and a tenant application waiting to be
matched."""

from __future__ import annotations

import datetime

from casework.models import Workflow
from core.models import User
from portal.services import landlord_applications as application_services
from portal.services import landlords as services
from tests.casework.factories import CaseTypeFactory, tenant_case
from tests.portal.factories import make_applicant

PAYEE = {
    "kind": "individual",
    "name": "Lena Lord",
    "payment_method": "bank_transfer",
    "tax_id": "12-3456789",
    "account_holder": "Lena Lord",
    "routing_number": "021000021",
    "account_number": "000123456789",
}
HOME = {"address_line_1": "12 High Street", "town": "Springfield", "postcode": "02139", "units": 2}


def programmes() -> None:
    CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    CaseTypeFactory(workflow=Workflow.RENTAL_LANDLORD)


def make_landlord(email: str = "lena@test.example", *, complete: bool = True, **fields) -> User:
    fields.setdefault("first_name", "Lena")
    fields.setdefault("last_name", "Lord")
    landlord = make_applicant(email, kind=fields.pop("kind", User.Kind.LANDLORD), **fields)
    if complete:
        services.landlord_payee_save(actor=landlord, **PAYEE)
        services.landlord_property_add(actor=landlord, **{**HOME, "address_line_1": f"{landlord.pk} High Street"})
    return landlord


def waiting_tenant_case(email: str = "tara@test.example"):
    """A tenant application signed and submitted, waiting in Application match."""
    return tenant_case(applicant=make_applicant(email), status="application_match")


def fill_in(actor: User, application) -> None:
    """Answer every step of `application` as `actor`."""
    listed = application.landlord.landlord_profile.properties.first()
    application_services.landlord_application_step_save(
        actor=actor, application=application, step="property", listed=listed
    )
    application_services.landlord_application_step_save(
        actor=actor,
        application=application,
        step="tenancy",
        tenant_name="Tara Tenant",
        unit="Flat 1",
        monthly_rent="850.00",
        tenancy_start=datetime.date(2024, 3, 1),
    )
    application_services.landlord_application_step_save(
        actor=actor, application=application, step="rent-owed", rent_owed="1700", owed_from=datetime.date(2025, 1, 15)
    )
    application_services.landlord_application_step_save(
        actor=actor, application=application, step="payee", confirm=True
    )
    application_services.landlord_application_step_save(
        actor=actor, application=application, step="declaration", confirm=True
    )
