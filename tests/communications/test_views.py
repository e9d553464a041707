"""The case page's letters and messages section: loaded after the page (or on request without
JavaScript), preview, send once per form, held messages tried again, failures reviewed, and a
message's letter or text opened."""

import re

import pytest

from casework.models import Task
from communications.models import Message
from tests.casework.factories import CaseFactory, TenancyFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def case(caseworker):
    tenancy = TenancyFactory()
    return CaseFactory(owner=caseworker, tenancy=tenancy, property=tenancy.property)


@pytest.fixture
def staff(client, caseworker):
    client.force_login(caseworker)
    return client


def _token(html: str) -> str:
    return re.search(r'name="message-token" value="([0-9a-f]+)"', html).group(1)


def test_the_page_loads_the_section_afterwards_and_without_javascript_on_request(staff, case, letter_template):
    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()
    assert f'hx-get="/staff/cases/{case.pk}/sections/messages/"' in page and 'name="message-token"' not in page
    shown = staff.get(f"/staff/cases/{case.pk}/", {"show": "messages"}).content.decode()
    assert 'name="message-token"' in shown and '<option value="rent-letter">Rent letter (Letter)</option>' in shown
    section = staff.get(f"/staff/cases/{case.pk}/sections/messages/", **HTMX).content.decode()
    assert '<section id="case-messages"' in section and "hx-trigger" not in section  # the section itself
    assert "No letters, emails or texts yet." in section


def test_preview_shows_the_text_and_what_is_missing(staff, letter_template):
    case = CaseFactory()  # no tenancy: the rent letter's tenancy reference is missing
    url = f"/staff/cases/{case.pk}/messages/"
    data = {"message-template": "rent-letter", "message-token": "t" * 32, "action": "preview"}
    section = staff.post(url, data, **HTMX).content.decode()
    assert f"We wrote about case {case.number}." in section
    assert "the case is missing Tenancy reference" in section
    assert not Message.objects.exists()
    page = staff.post(url, data)  # without htmx: the whole page, the preview in it
    assert page.status_code == 200 and "Preview: Rent letter" in page.content.decode()


def test_send_sends_once_per_form_and_shows_it(staff, case, letter_template):
    section = staff.get(f"/staff/cases/{case.pk}/sections/messages/", **HTMX).content.decode()
    data = {"message-template": "rent-letter", "message-token": _token(section), "action": "send"}
    first = staff.post(f"/staff/cases/{case.pk}/messages/", data, **HTMX).content.decode()
    again = staff.post(f"/staff/cases/{case.pk}/messages/", data, **HTMX).content.decode()
    assert "“Rent letter” is being sent." in first and "was already sent from this form" in again
    (message,) = Message.objects.all()
    assert "Waiting to send" in again and f'href="/staff/messages/{message.pk}/"' in again
    response = staff.post(f"/staff/cases/{case.pk}/messages/", data)  # without htmx: back to the section
    assert response.status_code == 302 and response["Location"].endswith("?show=messages#case-messages")
    pdf = staff.get(f"/staff/messages/{message.pk}/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    feed = staff.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Open the letter" in feed


def test_a_held_message_is_tried_again_once_the_details_are_there(staff, caseworker, letter_template):
    case = CaseFactory(owner=caseworker)
    section = staff.get(f"/staff/cases/{case.pk}/sections/messages/", **HTMX).content.decode()
    data = {"message-template": "rent-letter", "message-token": _token(section), "action": "send"}
    answer = staff.post(f"/staff/cases/{case.pk}/messages/", data, **HTMX).content.decode()
    assert "was not sent: the case is missing Tenancy reference, Recipient&#x27;s postal address" in answer
    assert Task.objects.filter(case=case, subject__startswith="Add Tenancy reference").exists()
    message = Message.objects.get()
    assert "Needs review" in answer and "Try again" in answer
    retry = f"/staff/cases/{case.pk}/messages/{message.pk}/retry/"
    assert "Still not sent" in staff.post(retry, **HTMX).content.decode()
    tenancy = TenancyFactory()
    case.tenancy, case.property = tenancy, tenancy.property
    case.save()
    assert "it is being sent" in staff.post(retry, **HTMX).content.decode()
    assert Message.objects.get().status == Message.Status.PENDING


def test_a_failed_message_is_marked_reviewed(staff, case, letter_template):
    from casework.services.messages import case_message_send

    message, _ = case_message_send(actor=None, case=case, template=letter_template, key="x")
    Message.objects.filter(pk=message.pk).update(status=Message.Status.FAILED, needs_review=True, failure="Returned")
    url = f"/staff/cases/{case.pk}/messages/{message.pk}/reviewed/"
    assert "Marked as reviewed." in staff.post(url, **HTMX).content.decode()
    assert not Message.objects.get().needs_review
    assert staff.post(url, **HTMX).status_code == 409  # nothing left to review


def test_an_email_opens_as_a_page(staff, case, make_template):
    from casework.services.messages import case_message_send

    message, _ = case_message_send(actor=None, case=case, template=make_template("email"), key="e")
    page = staff.get(f"/staff/messages/{message.pk}/").content.decode()
    assert f"About case {case.number}" in page and case.contact.email in page


def test_a_message_on_another_case_is_not_found_through_this_one(staff, case, letter_template):
    from casework.services.messages import case_message_send

    other = CaseFactory()
    message, _ = case_message_send(actor=None, case=other, template=letter_template, key="o")
    assert staff.post(f"/staff/cases/{case.pk}/messages/{message.pk}/retry/", **HTMX).status_code == 404


def test_applicants_reach_none_of_it(client, applicant, case, letter_template):
    from casework.services.messages import case_message_send

    message, _ = case_message_send(actor=None, case=case, template=letter_template, key="a")
    client.force_login(applicant)
    for url in (f"/staff/messages/{message.pk}/", f"/staff/cases/{case.pk}/messages/preview.pdf?template=rent-letter"):
        assert client.get(url).status_code in {302, 403, 404}
    assert client.post(f"/staff/cases/{case.pk}/messages/", {"message-template": "rent-letter"}).status_code in {
        302,
        403,
        404,
    }


def test_a_message_needing_review_flags_the_case_in_its_summary(staff, caseworker, letter_template):
    case = CaseFactory(owner=caseworker)  # no tenancy: the letter is held
    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "A letter or message needs review" not in page
    from casework.services.messages import case_message_send

    case_message_send(actor=caseworker, case=case, template=letter_template, key="flag")
    page = staff.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "A letter or message needs review" in page
