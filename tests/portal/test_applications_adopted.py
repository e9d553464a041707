"""Rental applications started outside the portal's own start pages (casework's application_start
called directly, the API's "start an application", the demo data) get their answers row through
casework's case_created signal (portal.signals), so the portal resumes, fills in and submits them
like its own; the portal's start services fill that row in rather than making a second."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from casework import signals as casework_signals
from casework.models import Case, CaseType, Workflow
from casework.services import cases as case_services
from core.models import User
from portal.models import LandlordApplication, TenantApplication
from portal.services import advocates as advocate_services
from portal.services import applications as tenant_services
from portal.services import landlord_applications as landlord_application_services
from portal.signals import application_answers_ensure
from tests.casework.factories import CaseFactory, CaseTypeFactory, ContactFactory, tenant_case
from tests.portal.factories import make_applicant
from tests.portal.landlord_helpers import make_landlord, waiting_tenant_case
from tests.portal.test_applications import STEPS

pytestmark = pytest.mark.django_db

HOME = reverse("portal-home")


@pytest.fixture
def tenant_programme():
    return CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)


@pytest.fixture
def landlord_programme():
    return CaseTypeFactory(workflow=Workflow.RENTAL_LANDLORD)


@pytest.fixture
def tenant(tenant_programme):
    return make_applicant("tara@test.example")


def _api_start(user: User, case_type: CaseType, **data) -> Case:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/v1/cases/applications/", {"case_type": case_type.pk, **data}, format="json")
    assert response.status_code == 201, response.json()
    return Case.objects.get(pk=response.json()["id"])


def _started_elsewhere(how: str, user: User, case_type: CaseType, **data) -> Case:
    if how == "api":
        return _api_start(user, case_type, **data)
    return case_services.application_start(actor=user, case_type=case_type, **data)


# --- a tenant's draft -----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["service", "api"])
def test_a_tenant_draft_started_elsewhere_is_resumed_filled_in_and_submitted(client, tenant, tenant_programme, how):
    case = _started_elsewhere(how, tenant, tenant_programme)
    application = TenantApplication.objects.get(case=case)
    assert (application.answers, application.completed_steps) == ({}, [])
    assert (application.address_key, application.household_key) == ("", "")

    client.force_login(tenant)
    assert f"Continue your application {case.number}" in client.get(HOME).content.decode()
    resume = reverse("portal-application-resume", args=[case.number])
    assert client.get(resume)["Location"] == reverse("portal-application-step", args=[case.number, "home"])
    for step, data in STEPS.items():
        response = client.post(reverse("portal-application-step", args=[case.number, step]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        if step == "household":
            # Save and resume: the draft now resumes after what is done.
            assert client.get(resume)["Location"].endswith("/income/")
    response = client.post(
        reverse("portal-application-review", args=[case.number]), {"signed_name": "Tara Tenant", "confirm": "on"}
    )
    assert response["Location"] == reverse("portal-application-submitted", args=[case.number])

    case.refresh_from_db()
    application.refresh_from_db()
    assert (case.status, case.signed_name) == ("application_match", "Tara Tenant")
    assert case.contact.full_name == "Tara Tenant" and case.property.postcode == "AB1 2CD"
    assert application.household_key == "tara tenant|1985-03-27"
    assert TenantApplication.objects.filter(case=case).count() == 1


def test_an_adopted_draft_is_still_only_its_applicants(client, tenant, tenant_programme):
    case = case_services.application_start(actor=tenant, case_type=tenant_programme)
    client.force_login(make_applicant("someone@test.example"))
    assert client.get(reverse("portal-application-resume", args=[case.number])).status_code == 404
    assert client.get(reverse("portal-application-step", args=[case.number, "home"])).status_code == 404


def test_an_adopted_draft_is_checked_for_duplicates_at_submit(client, tenant, tenant_programme):
    """It skipped the start page's duplicate check, so the one at signing is what catches it."""
    tenant_services.tenant_application_start(
        actor=make_applicant("other@test.example"),
        case_type=tenant_programme,
        address_line_1=STEPS["home"]["address_line_1"],
        town="Anytown",
        postcode="AB1 2CD",
        head_name="Olive Other",
        head_date_of_birth=datetime.date(1990, 1, 1),
    )
    case = case_services.application_start(actor=tenant, case_type=tenant_programme)
    client.force_login(tenant)
    for step, data in STEPS.items():
        client.post(reverse("portal-application-step", args=[case.number, step]), data)
    response = client.post(
        reverse("portal-application-review", args=[case.number]), {"signed_name": "Tara Tenant", "confirm": "on"}
    )
    content = response.content.decode()
    assert response.status_code == 200 and "Another application for this home or household" in content
    case.refresh_from_db()
    assert case.status == "draft"


# --- a landlord's draft ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["service", "api"])
def test_a_landlord_draft_started_elsewhere_is_resumed_filled_in_and_submitted(client, landlord_programme, how):
    CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    landlord = make_landlord()
    waiting = waiting_tenant_case()
    case = _started_elsewhere(how, landlord, landlord_programme, claimed_application_code=waiting.application_code)
    application = LandlordApplication.objects.get(case=case)
    assert (application.landlord, application.started_by, application.mode) == (landlord, landlord, "tenant_code")
    assert application.tenant_name == "" and application.payee is None

    client.force_login(landlord)
    base = f"/portal/landlord-applications/{case.number}"
    assert client.get(f"{base}/resume/")["Location"].endswith(f"{base}/property/")
    listed = landlord.landlord_profile.properties.get()
    client.post(f"{base}/property/", {"property": listed.pk})
    client.post(
        f"{base}/tenancy/", {"tenant_name": "Tara Tenant", "monthly_rent": "850", "tenancy_start": "2024-03-01"}
    )
    client.post(f"{base}/rent-owed/", {"rent_owed": "1700", "owed_from": "2025-01"})
    assert client.get(f"{base}/resume/")["Location"].endswith(f"{base}/payee/")
    client.post(f"{base}/payee/", {"confirm": "on"})
    assert client.post(f"{base}/declaration/", {"confirm": "on"})["Location"].endswith(f"{base}/review/")
    response = client.post(f"{base}/review/", {"signed_name": "Lena Lord", "confirm": "on"})
    assert response["Location"].endswith(f"{base}/submitted/")

    case.refresh_from_db()
    waiting.refresh_from_db()
    assert (case.status, waiting.status, case.parent) == ("chaser", "chaser", waiting)
    application.refresh_from_db()
    assert (application.submitted_by, application.monthly_rent) == (landlord, 850)
    assert LandlordApplication.objects.filter(case=case).count() == 1


def test_a_landlord_draft_started_elsewhere_without_a_code_is_for_a_named_tenant(client, landlord_programme):
    landlord = make_landlord()
    case = case_services.application_start(actor=landlord, case_type=landlord_programme)
    application = LandlordApplication.objects.get(case=case)
    assert application.mode == LandlordApplication.Mode.NAMED_TENANT
    client.force_login(landlord)
    page = client.get(f"/portal/landlord-applications/{case.number}/property/").content.decode()
    assert case.application_code in page  # the code to give the tenant


# --- the portal's own start: still exactly one row ------------------------------------------------


def test_the_portals_tenant_start_fills_in_the_one_row(tenant, tenant_programme):
    application = tenant_services.tenant_application_start(
        actor=tenant,
        case_type=tenant_programme,
        address_line_1="1 Low Road",
        town="Anytown",
        postcode="AB1 2CD",
        head_name="Tara Tenant",
        head_date_of_birth=datetime.date(1985, 3, 27),
    )
    rows = TenantApplication.objects.filter(case=application.case)
    assert rows.count() == 1
    assert rows.get().answers["home"]["address_line_1"] == "1 Low Road"
    assert rows.get().address_key == "AB12CD|1 low road"


def test_the_portals_landlord_start_fills_in_the_one_row(landlord_programme):
    CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    landlord = make_landlord()
    application, created = landlord_application_services.landlord_application_start(
        actor=landlord, tenant_name="Tom Tenant", tenant_email="tom@test.example"
    )
    assert created
    row = LandlordApplication.objects.get(case=application.case)
    assert (row.pk, row.mode, row.tenant_name, row.started_by) == (
        application.pk,
        "named_tenant",
        "Tom Tenant",
        landlord,
    )


def test_an_advocates_start_is_one_row_for_the_landlord(landlord_programme):
    """The signal sees the advocate as the applicant for a moment (casework starts the case as
    them); the portal's start then makes the row the landlord's, started by the advocate."""
    CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)
    landlord = make_landlord()
    advocate = make_applicant("abdi@test.example", kind=User.Kind.ADVOCATE)
    advocate_services.advocate_authorise(actor=landlord, email=advocate.email)
    application, _created = landlord_application_services.landlord_application_start(
        actor=advocate, landlord=landlord, tenant_name="Tom Tenant", tenant_email="tom@test.example"
    )
    (row,) = LandlordApplication.objects.filter(case=application.case)
    assert (row.landlord, row.started_by, application.case.applicant) == (landlord, advocate, landlord)


def test_a_failed_start_leaves_no_row(tenant, tenant_programme):
    with pytest.raises(RuntimeError), transaction.atomic():
        case_services.application_start(actor=tenant, case_type=tenant_programme)
        raise RuntimeError("something after the start failed")
    assert not Case.objects.exists() and not TenantApplication.objects.exists()


# --- what the signal leaves alone ----------------------------------------------------------------


def test_nothing_for_a_case_that_is_not_a_rental_application(caseworker):
    support = CaseTypeFactory(workflow=Workflow.SUPPORT)
    case = case_services.case_create(actor=caseworker, case_type=support, contact=ContactFactory())
    appeal = CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.APPEAL), applicant=make_applicant())
    casework_signals.case_created.send(sender=Case, case=appeal, actor=appeal.applicant)
    assert application_answers_ensure(case=case, actor=caseworker) is None
    assert not TenantApplication.objects.exists() and not LandlordApplication.objects.exists()


def test_nothing_for_a_rental_case_without_an_applicant(caseworker):
    case = tenant_case()
    assert case.applicant is None
    casework_signals.case_created.send(sender=Case, case=case, actor=caseworker)
    assert not TenantApplication.objects.exists()


def test_the_row_is_made_once(tenant, tenant_programme):
    case = case_services.application_start(actor=tenant, case_type=tenant_programme)
    row = TenantApplication.objects.get(case=case)
    row.answers = {"home": {"town": "Anytown"}}
    row.save()
    casework_signals.case_created.send(sender=Case, case=case, actor=tenant)
    assert application_answers_ensure(case=case, actor=tenant) == row
    assert TenantApplication.objects.get(case=case).answers == {"home": {"town": "Anytown"}}
