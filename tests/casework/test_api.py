"""The read-only staff API for contacts, properties and tenancies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.models import Tenancy
from tests.casework.factories import ContactFactory, PropertyFactory, TenancyFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/api/v1/contacts/", "/api/v1/properties/", "/api/v1/tenancies/"]


@pytest.fixture
def staff_client(client, caseworker):
    client.force_login(caseworker)
    return client


def _assert_error_shape(response, code):
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code


@pytest.mark.parametrize("url", ENDPOINTS)
def test_staff_get_a_paginated_list(staff_client, url):
    TenancyFactory()
    response = staff_client.get(url)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] >= 1
    assert len(body["results"]) == body["count"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_applicants_get_403_with_the_error_shape(client, applicant, url):
    TenancyFactory()
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 403
    _assert_error_shape(response, "permission_denied")


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_visitors_are_refused_with_the_error_shape(client, url):
    response = client.get(url)
    assert response.status_code in (401, 403)
    _assert_error_shape(response, "not_authenticated")


def test_contacts_search(staff_client):
    tara = ContactFactory(first_name="Tara", last_name="Reilly")
    ContactFactory(first_name="Piotr", last_name="Nowak")
    response = staff_client.get("/api/v1/contacts/", {"search": "reilly"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["reference"] for r in results] == [tara.reference]
    assert results[0]["full_name"] == "Tara Reilly"
    assert response.json()["count"] == 1


def test_contacts_filter_by_language(staff_client):
    ContactFactory(preferred_language="pl")
    ContactFactory(preferred_language="en")
    response = staff_client.get("/api/v1/contacts/", {"preferred_language": "pl"})
    assert [r["preferred_language"] for r in response.json()["results"]] == ["pl"]


def test_contact_detail_and_not_found(staff_client):
    contact = ContactFactory()
    response = staff_client.get(f"/api/v1/contacts/{contact.pk}/")
    assert response.status_code == 200
    assert response.json()["reference"] == contact.reference
    missing = staff_client.get(f"/api/v1/contacts/{contact.pk + 1000}/")
    assert missing.status_code == 404
    _assert_error_shape(missing, "not_found")


def test_the_api_is_read_only(staff_client):
    response = staff_client.post("/api/v1/contacts/", {"last_name": "Reilly"}, content_type="application/json")
    assert response.status_code == 405
    _assert_error_shape(response, "method_not_allowed")


def test_properties_show_patch_and_landlord_and_filter_by_patch(staff_client):
    let = PropertyFactory(privately_let=True, patch__code="N01")
    PropertyFactory(patch__code="S01")
    response = staff_client.get("/api/v1/properties/", {"patch": "n01"})
    (row,) = response.json()["results"]
    assert row["id"] == let.pk
    assert row["patch"]["code"] == "N01"
    assert row["landlord_organisation"]["name"] == let.landlord_organisation.name
    assert row["landlord_contact"] is None


def test_properties_search(staff_client):
    mill = PropertyFactory(address_line_1="12 Mill Lane", postcode="DB1 2AB")
    PropertyFactory(address_line_1="3 Ferry Lane", postcode="DB7 6DR")
    response = staff_client.get("/api/v1/properties/", {"search": "mill"})
    assert [r["id"] for r in response.json()["results"]] == [mill.pk]


def test_tenancies_filter_by_status(staff_client):
    live = TenancyFactory()
    TenancyFactory(ended=True)
    pending = TenancyFactory(pending_cancellation=True)
    response = staff_client.get("/api/v1/tenancies/?status=active&status=pending_cancellation")
    assert {r["reference"] for r in response.json()["results"]} == {live.reference, pending.reference}
    row = next(r for r in response.json()["results"] if r["reference"] == live.reference)
    assert row["weekly_rent"] == "112.50"
    assert row["household"]["reference"] == live.household.reference
    assert row["property"]["postcode"] == live.property.postcode


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_tenancy_list_has_no_n_plus_1(staff_client, django_assert_max_num_queries):
    TenancyFactory.create_batch(2)
    few = _queries_for(staff_client, "/api/v1/tenancies/")
    TenancyFactory.create_batch(12)
    assert Tenancy.objects.count() == 14
    with django_assert_max_num_queries(few):
        assert staff_client.get("/api/v1/tenancies/").json()["count"] == 14


def test_property_list_has_no_n_plus_1(staff_client, django_assert_max_num_queries):
    PropertyFactory(privately_let=True)
    few = _queries_for(staff_client, "/api/v1/properties/")
    PropertyFactory.create_batch(10, privately_let=True)
    with django_assert_max_num_queries(few):
        staff_client.get("/api/v1/properties/")
