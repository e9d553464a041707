"""The portal's demo (`manage.py seed_demo`, as `make run` loads it): each demo applicant finds
something to do, and a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from casework.models import RENTAL_WORKFLOWS, Case, DocumentRequest, DocumentRequirement, Status
from core.models import User
from portal.models import AdvocateAuthorisation, LandlordApplication, TenantApplication
from portal.selectors.applications import draft_tenant_application_for
from portal.selectors.landlords import acts_for, profile_status_for
from portal.services.applications import unfinished_steps

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(demo_seeded, db):
    return demo_seeded


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _state() -> tuple:
    return (
        TenantApplication.objects.count(),
        LandlordApplication.objects.count(),
        AdvocateAuthorisation.objects.count(),
        DocumentRequest.objects.count(),
        DocumentRequirement.objects.count(),
        sorted(TenantApplication.objects.values_list("pk", "completed_steps")),
    )


def test_seeding_twice_changes_nothing(seeded):
    first, again = seeded
    assert "landlord payee" in first and "advocate authorisation" in first
    assert "created: nothing new" in again
    before = _state()
    _seed()
    assert _state() == before


def test_the_demo_landlord_can_apply_at_once_and_the_agent_meets_the_gate(seeded, client):
    landlord = _user("landlord@demo.example")
    status = profile_status_for(landlord)
    assert status.is_complete
    (listed,) = status.properties
    assert listed.property.patch is not None  # the postcode lookup placed it
    client.force_login(landlord)
    page = client.get(reverse("portal-landlord-profile")).content.decode()
    assert "00004111" not in page and "123456789" not in page  # shown masked
    assert 'name="tenant_code"' in client.get(reverse("portal-landlord-application-start")).content.decode()

    agent = _user("agent@demo.example")
    assert not profile_status_for(agent).is_complete
    client.force_login(agent)
    assert "Finish your profile first" in client.get(reverse("portal-landlord-application-start")).content.decode()


def test_the_demo_advocate_acts_for_the_demo_landlord(seeded):
    assert acts_for(_user("advocate@demo.example"), _user("landlord@demo.example"))


def test_every_demo_application_has_its_answers_row(seeded):
    rental = Case.objects.filter(workflow__in=RENTAL_WORKFLOWS, applicant__isnull=False)
    assert rental.exists()
    assert not rental.filter(tenant_application__isnull=True, landlord_application__isnull=True).exists()
    for application in LandlordApplication.objects.select_related("case"):
        assert application.landlord_id == application.case.applicant_id


def test_the_demo_tenants_draft_continues_at_the_third_step(seeded, client):
    tenant = _user("tenant@demo.example")
    draft = draft_tenant_application_for(tenant)
    assert draft.completed_steps == ["home", "household"]
    assert unfinished_steps(draft)[0] == "income"
    client.force_login(tenant)
    number = draft.case.number
    assert f"Continue your application {number}" in client.get(reverse("portal-home")).content.decode()
    response = client.get(reverse("portal-application-resume", args=[number]))
    assert response["Location"] == reverse("portal-application-step", args=[number, "income"])


def test_the_demo_applications_past_draft_are_asked_for_documents(seeded, client):
    assert DocumentRequirement.objects.filter(case_type__code="raft-tenant").count() == 3
    assert DocumentRequirement.objects.filter(case_type__code="raft-landlord").count() == 2
    past_draft = Case.objects.filter(workflow__in=RENTAL_WORKFLOWS).exclude(status__in=[Status.DRAFT, Status.CLOSED])
    assert past_draft.exists()
    for case in past_draft:
        expected = 3 if case.workflow == "rental_tenant" else 2
        assert case.document_requests.filter(status="outstanding").count() == expected, case.number
    assert not DocumentRequest.objects.filter(case__status=Status.DRAFT).exists()

    tenant = _user("tenant@demo.example")
    case = past_draft.filter(applicant=tenant).first()
    client.force_login(tenant)
    page = client.get(reverse("portal-application-documents", args=[case.number])).content.decode()
    assert "Your tenancy agreement or lease" in page
