"""Advocates acting for landlords (DHC-1663): a landlord authorises a verified advocate by email
and can revoke it; the advocate starts, fills in, signs and submits a landlord application that
stays the landlord's, recorded as submitted on their behalf; revoking takes the advocate's access
to open applications away; an advocate who is not authorised gets 404."""

from __future__ import annotations

import pytest
from guardian.shortcuts import get_perms

from casework.models import CaseActivity
from casework.permissions import is_case_applicant
from core import errors
from core.audit import events_for
from core.models import User
from portal.models import AdvocateAuthorisation, LandlordApplication
from portal.selectors import applications_for
from portal.services import advocates as advocate_services
from portal.services import landlord_applications as application_services
from tests.portal.factories import make_applicant
from tests.portal.landlord_helpers import fill_in, make_landlord, programmes, waiting_tenant_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _programmes(db):
    programmes()


@pytest.fixture
def advocate() -> User:
    return make_applicant("ada@test.example", kind=User.Kind.ADVOCATE, first_name="Ada", last_name="Vocate")


def test_a_landlord_authorises_a_verified_advocate_by_email(client, advocate):
    landlord = make_landlord()
    client.force_login(landlord)
    response = client.post("/portal/profile/advocates/", {"email": "ADA@test.example"})
    assert response.status_code == 302
    authorisation = AdvocateAuthorisation.objects.get()
    assert (authorisation.landlord, authorisation.advocate, authorisation.granted_by) == (landlord, advocate, landlord)
    assert events_for(authorisation).filter(pgh_context__action="advocate_authorise").exists()
    response = client.post("/portal/profile/advocates/", {"email": "ada@test.example"})
    assert response.status_code == 400 and "already apply for you" in response.content.decode()


@pytest.mark.parametrize("who", ["unverified", "tenant", "nobody", "inactive"])
def test_only_a_verified_active_advocate_account_can_be_authorised(who):
    landlord = make_landlord()
    if who == "unverified":
        make_applicant("x@test.example", kind=User.Kind.ADVOCATE, verified=False)
    elif who == "tenant":
        make_applicant("x@test.example")
    elif who == "inactive":
        User.objects.filter(pk=make_applicant("x@test.example", kind=User.Kind.ADVOCATE).pk).update(is_active=False)
    with pytest.raises(errors.ValidationError) as refused:
        advocate_services.advocate_authorise(actor=landlord, email="x@test.example")
    assert "There is no advocate account" in refused.value.fields["email"][0]
    assert not AdvocateAuthorisation.objects.exists()


def test_an_advocate_sees_the_landlords_they_act_for_and_not_others(client, advocate):
    landlord = make_landlord()
    stranger = make_landlord("stranger@test.example", first_name="Stan")
    authorisation = advocate_services.advocate_authorise(actor=landlord, email=advocate.email)
    other = advocate_services.advocate_authorise(actor=stranger, email=advocate.email)
    advocate_services.advocate_authorisation_revoke(actor=stranger, authorisation=other)
    client.force_login(advocate)
    home = client.get("/portal/").content.decode()
    assert "Landlords you act for" in home
    page = client.get("/portal/advocates/landlords/").content.decode()
    assert "Lena Lord" in page and "Stan" not in page
    assert client.get(f"/portal/advocates/landlords/{authorisation.pk}/").status_code == 200
    for url in (
        f"/portal/advocates/landlords/{other.pk}/",
        f"/portal/advocates/landlords/{other.pk}/applications/new/",
    ):
        assert client.get(url).status_code == 404


def test_the_advocate_applies_and_submits_on_the_landlords_behalf(client, advocate):
    landlord = make_landlord()
    authorisation = advocate_services.advocate_authorise(actor=landlord, email=advocate.email)
    tenant = waiting_tenant_case()
    client.force_login(advocate)
    response = client.post(
        f"/portal/advocates/landlords/{authorisation.pk}/applications/new/", {"tenant_code": tenant.application_code}
    )
    assert response.status_code == 302
    application = LandlordApplication.objects.get()
    case = application.case
    assert (case.applicant, application.landlord, application.started_by) == (landlord, landlord, advocate)
    assert set(get_perms(advocate, case)) >= {"change_case", "view_case"}
    assert is_case_applicant(advocate, case)
    assert list(applications_for(landlord)) == [case]

    fill_in(advocate, application)
    base = f"/portal/landlord-applications/{case.number}"
    review = client.get(f"{base}/review/").content.decode()
    assert "on behalf of Lena Lord" in review
    response = client.post(f"{base}/review/", {"signed_name": "Ada Vocate", "confirm": "on"})
    assert response["Location"].endswith("/submitted/")

    application.refresh_from_db()
    case.refresh_from_db()
    assert application.submitted_by == advocate and application.submitted_on_behalf
    assert (case.status, case.parent) == ("chaser", tenant)
    assert case.activities.filter(
        kind=CaseActivity.Kind.UPDATED,
        summary__contains="Signed and submitted by Ada Vocate (advocate) on behalf of Lena Lord",
    ).exists()
    assert events_for(application).filter(pgh_context__action="landlord_application_submit").exists()
    assert (
        "Signed and submitted by Ada Vocate on behalf of Lena Lord" in client.get(f"{base}/submitted/").content.decode()
    )

    # The landlord sees it, and which advocate made it.
    client.force_login(landlord)
    assert case.number in client.get("/portal/").content.decode()
    assert case.number in client.get("/portal/profile/advocates/").content.decode()


def test_revoking_takes_away_the_advocates_open_applications(client, advocate):
    landlord = make_landlord()
    authorisation = advocate_services.advocate_authorise(actor=landlord, email=advocate.email)
    application, _created = application_services.landlord_application_start(
        actor=advocate, landlord=landlord, tenant_name="Tara", tenant_email="t@test.example"
    )
    number = application.case.number
    client.force_login(landlord)
    assert client.post(f"/portal/profile/advocates/{authorisation.pk}/revoke/").status_code == 302
    authorisation.refresh_from_db()
    assert authorisation.revoked_by == landlord and authorisation.revoked_at is not None
    assert get_perms(advocate, application.case) == []

    client.force_login(advocate)
    for url in (
        f"/portal/landlord-applications/{number}/property/",
        f"/portal/landlord-applications/{number}/review/",
        f"/portal/advocates/landlords/{authorisation.pk}/",
        f"/portal/advocates/landlords/{authorisation.pk}/applications/new/",
    ):
        assert client.get(url).status_code == 404
    with pytest.raises(errors.PermissionDenied):
        application_services.landlord_application_start(
            actor=advocate, landlord=landlord, tenant_name="T", tenant_email="t@x.io"
        )
    with pytest.raises(errors.PermissionDenied):
        application_services.landlord_application_step_save(
            actor=advocate, application=application, step="declaration", confirm=True
        )
    # The landlord still has their application.
    assert application.case in applications_for(landlord)


def test_only_the_landlord_who_authorised_can_revoke(client, advocate):
    landlord = make_landlord()
    authorisation = advocate_services.advocate_authorise(actor=landlord, email=advocate.email)
    other = make_landlord("other@test.example")
    client.force_login(other)
    assert client.post(f"/portal/profile/advocates/{authorisation.pk}/revoke/").status_code == 404
    with pytest.raises(errors.PermissionDenied):
        advocate_services.advocate_authorisation_revoke(actor=other, authorisation=authorisation)
    client.force_login(advocate)
    assert client.post(f"/portal/profile/advocates/{authorisation.pk}/revoke/").status_code == 404
    authorisation.refresh_from_db()
    assert authorisation.is_live


def test_an_advocate_cannot_apply_for_a_landlord_with_an_incomplete_profile(client, advocate):
    landlord = make_landlord(complete=False)
    authorisation = advocate_services.advocate_authorise(actor=landlord, email=advocate.email)
    with pytest.raises(errors.Conflict):
        application_services.landlord_application_start(
            actor=advocate, landlord=landlord, tenant_name="T", tenant_email="t@x.io"
        )
    client.force_login(advocate)
    page = client.get(f"/portal/advocates/landlords/{authorisation.pk}/applications/new/").content.decode()
    assert "Finish your profile first" in page and "ask them to sign in" in page


def test_an_advocate_has_no_profile_and_a_landlord_no_advocate_pages(client, advocate):
    client.force_login(advocate)
    assert client.get("/portal/profile/").status_code == 404
    client.force_login(make_landlord())
    assert client.get("/portal/advocates/landlords/").status_code == 404
