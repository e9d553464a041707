"""Supervisors write templates in the admin: each save of the text is a version, a bad template
is refused with its line, and the preview renders (saved or not) against a case, with the PDF."""

import pytest

from communications.models import Message, Template
from tests.casework.factories import CaseFactory, TenancyFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/communications/template/add/"


def _form(**fields) -> dict:
    return {
        "key": "welcome",
        "name": "Welcome letter",
        "channel": "letter",
        "description": "",
        "subject": "Welcome, {{ contact.first_name }}",
        "body": "Dear {{ recipient.name }},\n\nYour case is {{ case.number }}.",
        "required_fields": "case.number",
        "is_active": "on",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    } | fields


def test_a_supervisor_adds_and_edits_a_template_and_each_text_change_is_a_version(client, supervisor):
    client.force_login(supervisor)
    assert client.get(ADD).status_code == 200
    response = client.post(ADD, _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    template = Template.objects.get(key="welcome")
    assert template.version == 1 and template.required_fields == ["case.number"]
    assert template.created_by == supervisor
    change = f"/admin/communications/template/{template.pk}/change/"
    page = client.get(change).content.decode()
    assert "Preview this template against a case" in page
    client.post(change, _form(body="Hello {{ recipient.name }}, about {{ case.number }}."))
    template.refresh_from_db()
    assert template.version == 2
    assert list(template.versions.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_a_bad_template_is_refused_with_its_line_and_nothing_is_saved(client, supervisor):
    client.force_login(supervisor)
    templates = set(Template.objects.values_list("pk", flat=True))  # the apps' own defaults
    response = client.post(ADD, _form(body="Dear {{ recipient.name }},\n\n{{ contact.shoe_size }}"))
    assert response.status_code == 200
    assert "Line 3: there is no merge field called “contact.shoe_size”." in response.content.decode()
    response = client.post(ADD, _form(body="{% if case.number %}never closed"))
    assert "Line 1: Unclosed tag on line 1: &#x27;if&#x27;" in response.content.decode()
    assert set(Template.objects.values_list("pk", flat=True)) == templates


def test_the_preview_renders_edits_against_a_case_and_makes_the_pdf(client, supervisor, letter_template):
    tenancy = TenancyFactory()
    case = CaseFactory(tenancy=tenancy, property=tenancy.property)
    client.force_login(supervisor)
    url = f"/admin/communications/template/{letter_template.pk}/preview/"
    page = client.get(url, {"case": case.number}).content.decode()
    assert f"We wrote about case {case.number}." in page and tenancy.reference in page
    edited = client.get(url, {"case": case.number, "body": "Unsaved: {{ case.number }}"}).content.decode()
    assert f"Unsaved: {case.number}" in edited
    assert "Line 1" in client.get(url, {"body": "{{ nope }}"}).content.decode()
    assert "There is no case NOPE-1" in client.get(url, {"case": "NOPE-1"}).content.decode()
    pdf = client.get(f"/admin/communications/template/{letter_template.pk}/preview.pdf", {"case": case.number})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    refused = client.get(f"/admin/communications/template/{letter_template.pk}/preview.pdf", {"body": "{{ nope }}"})
    assert refused.status_code == 400  # edited text that does not check makes no PDF
    assert not Message.objects.exists()


def test_caseworkers_cannot_reach_the_admin(client, caseworker, letter_template):
    client.force_login(caseworker)
    assert client.get(f"/admin/communications/template/{letter_template.pk}/preview/").status_code == 302
