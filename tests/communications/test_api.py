"""The messages API: list, preview, send (idempotent by the client's key), read, PDF; staff only."""

import pytest

from communications.models import Message
from tests.casework.factories import CaseFactory, TenancyFactory
from tests.casework.work_helpers import api_error


@pytest.fixture
def case(caseworker):
    tenancy = TenancyFactory()
    return CaseFactory(owner=caseworker, tenancy=tenancy, property=tenancy.property)


@pytest.fixture
def staff(client, caseworker):
    client.force_login(caseworker)
    return client


def test_send_twice_with_one_key_sends_once_and_lists_it(staff, case, letter_template):
    url = f"/api/v1/cases/{case.pk}/messages/"
    first = staff.post(url, {"template": "rent-letter", "key": "client-1"}, content_type="application/json")
    again = staff.post(url, {"template": "rent-letter", "key": "client-1"}, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Message.objects.count() == 1
    body = first.json()
    assert body["template"] == "rent-letter" and body["template_version"] == 1 and body["status"] == "pending"
    assert body["pdf_url"] == f"/api/v1/messages/{body['id']}/pdf/"
    listed = staff.get(url).json()
    assert [m["id"] for m in listed["results"]] == [body["id"]]
    assert staff.get(f"/api/v1/messages/{body['id']}/").json()["subject"] == f"About case {case.number}"


def test_preview_shows_the_text_and_what_is_missing_and_sends_nothing(staff, letter_template):
    case = CaseFactory()  # no tenancy, so no tenancy reference
    response = staff.post(
        f"/api/v1/cases/{case.pk}/messages/preview/", {"template": "rent-letter"}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    # The template's required field, and what a letter needs: an address (the case has no property).
    assert body["missing_fields"] == ["tenancy.reference", "recipient.address"] and body["channel"] == "letter"
    assert f"We wrote about case {case.number}." in body["body"] and "<ul>" in body["html"]
    assert not Message.objects.exists()


def test_the_letter_pdf_downloads(staff, case, letter_template):
    sent = staff.post(
        f"/api/v1/cases/{case.pk}/messages/", {"template": "rent-letter", "key": "k"}, content_type="application/json"
    ).json()
    response = staff.get(sent["pdf_url"], HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_bad_input_gets_field_errors_and_records_nothing(staff, case, letter_template, make_template):
    url = f"/api/v1/cases/{case.pk}/messages/"

    def refused(data: dict) -> dict:
        return api_error(staff.post(url, data, content_type="application/json"), 400, "validation_error")["fields"]

    assert "template" in refused({"template": "nope", "key": "k"})
    assert "key" in refused({"template": "rent-letter"})
    case.contact.email = "not-an-email"
    case.contact.save()
    make_template("email", key="email-notice")
    fields = refused({"template": "email-notice", "key": "k2"})
    assert fields["recipient.email"] == ["“not-an-email” is not an email address."]
    assert not Message.objects.exists()


def test_applicants_and_strangers_cannot_use_it(client, applicant, case, letter_template):
    client.force_login(applicant)
    api_error(client.get(f"/api/v1/cases/{case.pk}/messages/"), 403, "permission_denied")
    api_error(client.get("/api/v1/message-templates/"), 403, "permission_denied")
    client.logout()
    assert client.get(f"/api/v1/cases/{case.pk}/messages/").status_code == 401


def test_templates_in_use_are_listed(staff, letter_template, make_template):
    retired = make_template("sms", key="old-sms")
    retired.is_active = False
    retired.save()
    listed = {t["key"] for t in staff.get("/api/v1/message-templates/?page_size=100").json()["results"]}
    assert "rent-letter" in listed and "old-sms" not in listed
