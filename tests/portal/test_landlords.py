"""A landlord's profile and the gate before applying (seed 000: "LL/PM gets stuck mid-application,
cannot see Payee or select Property: complete the profile FIRST"), and landlord applications:
started with the tenant's code or for a named tenant, step by step, signed and submitted, and
matched with the tenant's application. Every refusal: another landlord's things are 404, staff
403, failures leave nothing behind."""

from __future__ import annotations

import datetime

import pytest

from casework.models import Case, CaseActivity, Contact, Organisation, Property
from casework.services import cases as case_services
from communications.models import Message
from core import errors
from core.audit import events_for
from core.models import User
from payments.models import Payee
from portal.models import LandlordApplication, LandlordProfile, LandlordProperty
from portal.selectors.landlords import profile_status_for
from portal.services import landlord_applications as application_services
from portal.services import landlords as services
from portal.services.confirmations import confirmation_key
from tests.casework.factories import tenant_case
from tests.portal.factories import make_applicant
from tests.portal.landlord_helpers import HOME, PAYEE, fill_in, make_landlord, programmes, waiting_tenant_case

pytestmark = pytest.mark.django_db

PROFILE = "/portal/profile/"
START = "/portal/landlord-applications/new/"


@pytest.fixture(autouse=True)
def _programmes(db):
    programmes()


# --- the profile ---------------------------------------------------------------------------------


def test_a_new_landlord_profile_is_incomplete_and_lists_what_is_missing():
    landlord = make_landlord(complete=False)
    status = profile_status_for(landlord)
    assert not status.is_complete
    assert [item["url_name"] for item in status.missing] == ["portal-landlord-payee", "portal-landlord-property-add"]


def test_saving_the_payee_makes_the_profile_and_contact_card_and_a_property_completes_it():
    landlord = make_landlord(complete=False)
    services.landlord_payee_save(actor=landlord, **PAYEE)
    profile = LandlordProfile.objects.get(user=landlord)
    assert (profile.contact.full_name, profile.contact.email, profile.organisation) == (
        "Lena Lord",
        "lena@test.example",
        None,
    )
    assert [item["url_name"] for item in profile_status_for(landlord).missing] == ["portal-landlord-property-add"]

    listed = services.landlord_property_add(actor=landlord, **HOME)
    assert (listed.units, listed.property.postcode, listed.property.landlord_contact) == (2, "02139", profile.contact)
    assert profile_status_for(landlord).is_complete
    assert events_for(listed).filter(pgh_context__action="landlord_property_add").exists()


def test_a_business_landlord_gets_an_organisation_on_their_properties():
    landlord = make_landlord(
        "biz@test.example", complete=False, is_business=True, organisation_name="Kingsford Lettings Ltd"
    )
    listed = services.landlord_property_add(actor=landlord, **HOME)
    organisation = landlord.landlord_profile.organisation
    assert (organisation.name, organisation.kind) == ("Kingsford Lettings Ltd", Organisation.Kind.LANDLORD_BUSINESS)
    assert listed.property.landlord_organisation == organisation


def test_a_refused_payee_leaves_no_profile_or_contact_behind():
    landlord = make_landlord(complete=False)
    contacts = Contact.objects.count()
    with pytest.raises(errors.ValidationError) as refused:
        services.landlord_payee_save(actor=landlord, **{**PAYEE, "tax_id": "12345"})
    assert "tax_id" in refused.value.fields
    assert not LandlordProfile.objects.exists() and not Payee.objects.exists()
    assert Contact.objects.count() == contacts


def test_property_validation_and_duplicates():
    landlord = make_landlord(complete=False)
    with pytest.raises(errors.ValidationError) as refused:
        services.landlord_property_add(actor=landlord, address_line_1="", town="", postcode="nope", units=0)
    assert set(refused.value.fields) == {"address_line_1", "town", "postcode", "units"}
    services.landlord_property_add(actor=landlord, **HOME)
    with pytest.raises(errors.ValidationError) as refused:
        services.landlord_property_add(actor=landlord, **{**HOME, "address_line_1": "12 HIGH STREET"})
    assert "already on your profile" in str(refused.value.fields)
    other = make_landlord("other@test.example", complete=False)
    with pytest.raises(errors.ValidationError) as refused:
        services.landlord_property_add(actor=other, **HOME)
    assert "another landlord" in str(refused.value.fields)
    assert Property.objects.count() == 1


def test_a_property_recorded_without_a_landlord_is_claimed_not_duplicated():
    existing = Property.objects.create(address_line_1="12 High Street", town="Springfield", postcode="02139")
    landlord = make_landlord(complete=False)
    listed = services.landlord_property_add(actor=landlord, **HOME)
    assert listed.property == existing
    existing.refresh_from_db()
    assert existing.landlord_contact == landlord.landlord_profile.contact


def test_removing_a_property_used_by_an_open_application_is_refused_with_the_reason():
    landlord = make_landlord()
    tenant = waiting_tenant_case()
    application, _created = application_services.landlord_application_start(
        actor=landlord, tenant_code=tenant.application_code
    )
    listed = landlord.landlord_profile.properties.get()
    application_services.landlord_application_step_save(
        actor=landlord, application=application, step="property", listed=listed
    )
    with pytest.raises(errors.Conflict, match=application.case.number):
        services.landlord_property_remove(actor=landlord, listed=listed)
    case_services.case_withdraw(actor=landlord, case=application.case)
    services.landlord_property_remove(actor=landlord, listed=listed)
    assert not LandlordProperty.objects.exists()
    listed.property.refresh_from_db()
    assert listed.property.landlord_contact is None


@pytest.mark.parametrize("kind", [User.Kind.TENANT, User.Kind.ADVOCATE])
def test_only_landlords_and_property_managers_have_a_profile(client, kind):
    someone = make_applicant("someone@test.example", kind=kind)
    with pytest.raises(errors.PermissionDenied):
        services.landlord_property_add(actor=someone, **HOME)
    client.force_login(someone)
    assert client.get(PROFILE).status_code == 404
    assert client.get(START).status_code == 404


def test_staff_get_403_on_the_landlord_pages(client, caseworker):
    client.force_login(caseworker)
    for url in (PROFILE, f"{PROFILE}payee/", START, "/portal/advocates/landlords/"):
        assert client.get(url).status_code == 403


def test_another_landlords_property_is_not_found(client):
    make_landlord()
    other = make_landlord("other@test.example")
    theirs = LandlordProperty.objects.exclude(profile__user=other).get()
    client.force_login(other)
    assert client.get(f"{PROFILE}properties/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"{PROFILE}properties/{theirs.pk}/remove/").status_code == 404
    assert LandlordProperty.objects.filter(pk=theirs.pk).exists()


def test_the_payee_page_saves_and_shows_the_numbers_masked(client):
    landlord = make_landlord(complete=False)
    client.force_login(landlord)
    response = client.post(f"{PROFILE}payee/", {**PAYEE, "tax_id": "12"})
    assert response.status_code == 400
    assert "Enter a tax identification number of 9 digits" in response.content.decode()
    assert 'href="#payee-tax_id"' in response.content.decode()
    response = client.post(f"{PROFILE}payee/", PAYEE)
    assert response.status_code == 302
    content = client.get(PROFILE).content.decode()
    assert "Ending 6789" in content and "Account ending 6789" in content
    assert "123456789" not in content and "000123456789" not in content
    form = client.get(f"{PROFILE}payee/").content.decode()
    assert "123456789" not in form and "Leave empty to keep the number ending 6789" in form


# --- the gate ------------------------------------------------------------------------------------


def test_a_landlord_cannot_start_an_application_until_their_profile_is_complete(client):
    landlord = make_landlord(complete=False)
    tenant = waiting_tenant_case()
    with pytest.raises(errors.Conflict, match="Finish your profile first"):
        application_services.landlord_application_start(actor=landlord, tenant_code=tenant.application_code)
    client.force_login(landlord)
    page = client.get(START).content.decode()
    assert "Finish your profile first" in page and "<form" not in page.split('id="main-content"')[1].split("</main>")[0]
    assert 'href="/portal/profile/payee/"' in page and 'href="/portal/profile/properties/new/"' in page
    response = client.post(START, {"tenant_code": tenant.application_code})
    assert response.status_code == 200 and not LandlordApplication.objects.exists()
    home = client.get("/portal/").content.decode()
    assert "Finish your profile first" in home and "Start a landlord application" not in home

    services.landlord_payee_save(actor=landlord, **PAYEE)
    services.landlord_property_add(actor=landlord, **HOME)
    home = client.get("/portal/").content.decode()
    assert "Start a landlord application" in home and "Finish your profile first" not in home
    assert 'name="tenant_code"' in client.get(START).content.decode()


def test_a_property_manager_is_gated_too(client):
    manager = make_landlord("pm@test.example", kind=User.Kind.PROPERTY_MANAGER, complete=False)
    client.force_login(manager)
    assert "Finish your profile first" in client.get(START).content.decode()
    assert "Your profile" in client.get("/portal/").content.decode()


# --- landlord applications -----------------------------------------------------------------------


def test_by_code_fill_in_submit_and_match_with_the_waiting_tenant_application(client):
    landlord = make_landlord()
    tenant = waiting_tenant_case()
    client.force_login(landlord)
    response = client.post(START, {"tenant_code": tenant.application_code.lower()})
    application = LandlordApplication.objects.get()
    case = application.case
    assert response.status_code == 302 and response["Location"].endswith(f"/{case.number}/property/")
    assert (case.applicant, case.status, case.claimed_application_code) == (landlord, "draft", tenant.application_code)
    assert case.contact == landlord.landlord_profile.contact

    base = f"/portal/landlord-applications/{case.number}"
    review = client.get(f"{base}/review/").content.decode()
    assert review.count("Not answered") == 5
    response = client.post(f"{base}/review/", {"signed_name": "Lena Lord", "confirm": "on"})
    assert response.status_code == 400 and "Answer every question" in response.content.decode()

    listed = landlord.landlord_profile.properties.get()
    assert client.post(f"{base}/property/", {"property": listed.pk})["Location"].endswith("/tenancy/")
    response = client.post(f"{base}/tenancy/", {"tenant_name": "Tara Tenant", "monthly_rent": "-5"})
    assert response.status_code == 400
    assert client.post(
        f"{base}/tenancy/", {"tenant_name": "Tara Tenant", "monthly_rent": "850", "tenancy_start": "2024-03-01"}
    )["Location"].endswith("/rent-owed/")
    # Save and come back later: the answers are kept and resume goes to the first unanswered step.
    assert (
        client.post(f"{base}/rent-owed/", {"rent_owed": "1700", "owed_from": "2025-01", "then": "save-and-exit"})[
            "Location"
        ]
        == "/portal/"
    )
    assert client.get(f"{base}/resume/")["Location"].endswith("/payee/")
    payee_page = client.get(f"{base}/payee/").content.decode()
    assert "Account ending 6789" in payee_page and "000123456789" not in payee_page
    client.post(f"{base}/payee/", {"confirm": "on"})
    assert client.post(f"{base}/declaration/", {"confirm": "on"})["Location"].endswith("/review/")

    response = client.post(f"{base}/review/", {"signed_name": "", "confirm": ""})
    assert response.status_code == 400 and "Type your full name" in response.content.decode()
    response = client.post(f"{base}/review/", {"signed_name": "Lena Lord", "confirm": "on"})
    assert response["Location"].endswith(f"{base}/submitted/")

    case.refresh_from_db()
    tenant.refresh_from_db()
    assert (case.status, tenant.status, case.parent) == ("chaser", "chaser", tenant)
    assert case.signed_name == "Lena Lord" and case.property == listed.property
    application.refresh_from_db()
    assert (application.submitted_by, application.monthly_rent, str(application.owed_from)) == (
        landlord,
        850,
        "2025-01-01",
    )
    assert Message.objects.filter(idempotency_key=confirmation_key(case)).exists()
    page = client.get(f"{base}/submitted/").content.decode()
    assert case.number in page and "Application submitted" in page
    # Submitted: the steps are closed.
    assert client.get(f"{base}/tenancy/")["Location"].endswith("/submitted/")


def test_an_unknown_tenant_code_is_refused_on_the_form(client):
    landlord = make_landlord()
    client.force_login(landlord)
    response = client.post(START, {"tenant_code": "ZZZZ-9999"})
    assert response.status_code == 400
    assert "There is no open tenant application with the code ZZZZ-9999" in response.content.decode()
    assert not Case.objects.filter(applicant=landlord).exists()


def test_starting_twice_with_the_same_code_shows_the_first_application():
    landlord = make_landlord()
    tenant = waiting_tenant_case()
    first, created = application_services.landlord_application_start(
        actor=landlord, tenant_code=tenant.application_code
    )
    again, created_again = application_services.landlord_application_start(
        actor=landlord, tenant_code=tenant.application_code
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)


def test_named_tenant_gets_the_landlords_code_and_the_tenant_quoting_it_is_matched(client):
    landlord = make_landlord()
    client.force_login(landlord)
    response = client.post(START, {"tenant_name": "Tara Tenant", "tenant_email": "tara@test.example"})
    application = LandlordApplication.objects.get()
    case = application.case
    assert response["Location"].endswith(f"/{case.number}/your-code/")
    assert case.application_code in client.get(response["Location"]).content.decode()
    assert application.mode == "named_tenant" and application.tenant_name == "Tara Tenant"

    fill_in(landlord, application)
    application_services.landlord_application_submit(
        actor=landlord, application=application, signed_name="Lena Lord", confirmed=True
    )
    case.refresh_from_db()
    assert case.status == "application_match"

    tenant_user = make_applicant("tara@test.example")
    tenant = case_services.application_start(
        actor=tenant_user, case_type=tenant_case().case_type, claimed_application_code=case.application_code
    )
    case_services.case_submit(actor=tenant_user, case=tenant, signed_name="Tara Tenant")
    case.refresh_from_db()
    tenant.refresh_from_db()
    assert (case.status, tenant.status, case.parent) == ("chaser", "chaser", tenant)


def test_a_named_tenant_start_needs_a_name_and_email(client):
    landlord = make_landlord()
    client.force_login(landlord)
    response = client.post(START, {"tenant_name": "", "tenant_email": ""})
    assert response.status_code == 400 and "Enter your tenant" in response.content.decode()
    response = client.post(START, {"tenant_code": "ABCD-2345", "tenant_name": "X", "tenant_email": "x@test.example"})
    assert response.status_code == 400 and "not both" in response.content.decode()
    with pytest.raises(errors.ValidationError) as refused:
        application_services.landlord_application_start(actor=landlord, tenant_name="Tara")
    assert set(refused.value.fields) == {"tenant_email"}
    assert not LandlordApplication.objects.exists()


def test_step_validation_for_rent_owed():
    landlord = make_landlord()
    application, _created = application_services.landlord_application_start(
        actor=landlord, tenant_name="Tara", tenant_email="t@test.example"
    )
    fill_in(landlord, application)
    future = datetime.date.today() + datetime.timedelta(days=40)
    with pytest.raises(errors.ValidationError) as refused:
        application_services.landlord_application_step_save(
            actor=landlord, application=application, step="rent-owed", rent_owed="0", owed_from=future
        )
    assert set(refused.value.fields) == {"rent_owed", "owed_from"}
    with pytest.raises(errors.ValidationError) as refused:
        application_services.landlord_application_step_save(
            actor=landlord,
            application=application,
            step="rent-owed",
            rent_owed="10",
            owed_from=datetime.date(2020, 1, 1),
        )
    assert "before the tenancy" in str(refused.value.fields)


def test_another_landlords_application_is_not_found(client):
    landlord = make_landlord()
    application, _created = application_services.landlord_application_start(
        actor=landlord, tenant_name="Tara", tenant_email="t@test.example"
    )
    number = application.case.number
    other = make_landlord("other@test.example")
    tenant = make_applicant("tenant@test.example")
    for intruder in (other, tenant):
        client.force_login(intruder)
        for path in ("resume", "property", "review", "submitted", "your-code"):
            assert client.get(f"/portal/landlord-applications/{number}/{path}/").status_code == 404
        assert client.post(f"/portal/landlord-applications/{number}/review/", {"signed_name": "X"}).status_code == 404
        with pytest.raises(errors.PermissionDenied):
            application_services.landlord_application_submit(
                actor=intruder, application=application, signed_name="X", confirmed=True
            )
    client.force_login(make_applicant("staff-like@test.example"))
    assert client.get("/portal/landlord-applications/RAFT-1/property/").status_code == 404


def test_staff_cannot_submit_a_landlord_application(caseworker):
    landlord = make_landlord()
    application, _created = application_services.landlord_application_start(
        actor=landlord, tenant_name="Tara", tenant_email="t@test.example"
    )
    fill_in(landlord, application)
    with pytest.raises(errors.PermissionDenied):
        application_services.landlord_application_submit(
            actor=caseworker, application=application, signed_name="X", confirmed=True
        )


def test_a_tenant_applications_number_is_not_a_landlord_application(client):
    tenant_user = make_applicant("tenant@test.example")
    case = tenant_case(applicant=tenant_user)
    client.force_login(tenant_user)
    assert client.get(f"/portal/landlord-applications/{case.number}/review/").status_code == 404


def test_a_failed_submit_rolls_back(monkeypatch):
    landlord = make_landlord()
    application, _created = application_services.landlord_application_start(
        actor=landlord, tenant_name="Tara", tenant_email="t@test.example"
    )
    fill_in(landlord, application)

    def broken(**kwargs):
        raise RuntimeError("mail system down")

    monkeypatch.setattr(application_services, "application_submitted_notify", broken)
    with pytest.raises(RuntimeError):
        application_services.landlord_application_submit(
            actor=landlord, application=application, signed_name="Lena Lord", confirmed=True
        )
    application.refresh_from_db()
    application.case.refresh_from_db()
    assert (application.case.status, application.submitted_by) == ("draft", None)
    assert not application.case.activities.filter(kind=CaseActivity.Kind.STATUS_CHANGED).exists()
