"""The portal's documents page: what we need (and why, when asked again), uploading against a
request (checked as staff uploads are), re-uploading after a chaser asks, sending another
document, downloads, a closed application read-only, and that nobody reaches another
applicant's application, request or document by any URL."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casework.models import Document, DocumentRequest
from casework.services import document_requests as request_services
from portal.selectors.documents import outstanding_requests_for
from tests.casework.factories import tenant_case
from tests.casework.factories_docs import EXE, PDF, document_on, image_bytes, stored_files
from tests.portal.factories import make_applicant

pytestmark = pytest.mark.django_db

C = Document.Category
S = DocumentRequest.Status


def pdf(name: str = "payslip.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def tina():
    return make_applicant("tina@test.example")


@pytest.fixture
def case(tina):
    return tenant_case(applicant=tina, status="chaser")


@pytest.fixture
def signed_in(client, tina):
    client.force_login(tina)
    return client


def ask(actor, case, description="Your last two payslips", **kwargs) -> DocumentRequest:
    return request_services.document_request_create(
        actor=actor, case=case, category=kwargs.pop("category", C.INCOME), description=description, **kwargs
    )


def page_url(case) -> str:
    return reverse("portal-application-documents", args=[case.number])


def upload_url(case, request) -> str:
    return reverse("portal-application-document-request-upload", args=[case.number, request.pk])


# --- the selector the status page reads -----------------------------------------------------------------


def test_outstanding_requests_for_is_scoped_to_the_applicant(tina, caseworker, case):
    first = ask(caseworker, case)
    cancelled = ask(caseworker, case, "Photo ID", category=C.IDENTITY)
    request_services.document_request_cancel(actor=caseworker, request=cancelled, reason="Not needed")
    assert outstanding_requests_for(tina, case) == [first]
    other = make_applicant("olga@test.example")
    from django.http import Http404

    with pytest.raises(Http404):
        outstanding_requests_for(other, case)
    with pytest.raises(Http404):
        outstanding_requests_for(caseworker, case)


# --- the page -------------------------------------------------------------------------------------------


def test_the_page_shows_what_we_need_and_what_was_sent(signed_in, caseworker, case):
    due = timezone.localdate() + datetime.timedelta(days=10)
    ask(caseworker, case, due_date=due)
    document_on(case, caseworker, name="lease.pdf")
    response = signed_in.get(page_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "What we need from you" in page
    assert "Your last two payslips" in page
    assert "Proof of income" in page
    assert due.strftime("%B") in page
    assert "lease.pdf" in page
    assert "Send another document" in page
    assert page.count("<h1") == 1


def test_uploading_against_a_request_fulfils_it(signed_in, tina, caseworker, case):
    request = ask(caseworker, case)
    response = signed_in.post(upload_url(case, request), {f"request-{request.pk}-file": pdf()})
    assert response.status_code == 302
    assert response["Location"] == page_url(case)
    request.refresh_from_db()
    assert request.status == S.RECEIVED
    assert (request.document.uploaded_by, request.document.category) == (tina, C.INCOME)
    page = signed_in.get(page_url(case)).content.decode()
    assert "We have received payslip.pdf" in page
    assert "We do not need any documents from you" in page


def test_re_uploading_after_staff_ask_again(signed_in, caseworker, case):
    request = ask(caseworker, case)
    signed_in.post(upload_url(case, request), {f"request-{request.pk}-file": pdf("blurred.pdf")})
    request.refresh_from_db()
    again = request_services.document_request_ask_again(
        actor=caseworker, document=request.document, reason="The photo is blurred; please take it again."
    )
    page = signed_in.get(page_url(case)).content.decode()
    assert "Why we are asking again" in page
    assert "The photo is blurred; please take it again." in page
    assert "This replaces blurred.pdf" in page
    png = SimpleUploadedFile("clear.png", image_bytes("PNG"))
    response = signed_in.post(upload_url(case, again), {f"request-{again.pk}-file": png})
    assert response.status_code == 302
    again.refresh_from_db()
    assert (again.status, again.document.original_name) == (S.RECEIVED, "clear.png")
    request.refresh_from_db()
    assert request.status == S.RECEIVED  # the first stays received with the first file


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (EXE, "payslip.pdf", "which we do not accept"),
        (PDF, "payslip.png", "but is named"),
        (None, None, "Choose a file to send."),
    ],
)
def test_a_refused_file_is_a_form_error_with_a_summary(signed_in, caseworker, case, content, name, says):
    request = ask(caseworker, case)
    before = stored_files()
    data = {f"request-{request.pk}-file": SimpleUploadedFile(name, content)} if content is not None else {}
    response = signed_in.post(upload_url(case, request), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#id_request-{request.pk}-file"' in page  # the summary links to the input
    assert says in page
    assert "<title>Error:" in page.replace("\n", "")
    request.refresh_from_db()
    assert request.status == S.OUTSTANDING
    assert not Document.objects.exists()
    assert stored_files() == before


def test_a_request_answered_already_is_not_answered_twice(signed_in, caseworker, case):
    request = ask(caseworker, case)
    signed_in.post(upload_url(case, request), {f"request-{request.pk}-file": pdf()})
    response = signed_in.post(upload_url(case, request), {f"request-{request.pk}-file": pdf("again.pdf")})
    assert response.status_code == 302
    assert Document.objects.count() == 1


def test_sending_another_document(signed_in, tina, case):
    url = reverse("portal-application-document-send", args=[case.number])
    response = signed_in.post(url, {"extra-category": C.TENANCY, "extra-file": pdf("lease.pdf")})
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.case, document.category, document.uploaded_by) == (case, C.TENANCY, tina)
    response = signed_in.post(url, {"extra-category": "", "extra-file": pdf("x.pdf")})
    assert response.status_code == 400
    assert "Choose what kind of document it is." in response.content.decode()
    assert Document.objects.count() == 1


def test_downloading_a_document_on_the_application(signed_in, caseworker, case):
    document = document_on(case, caseworker, name="letter.pdf")
    response = signed_in.get(reverse("portal-application-document", args=[case.number, document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_a_closed_application_is_read_only(signed_in, tina, caseworker, case):
    request = ask(caseworker, case)
    type(case).objects.filter(pk=case.pk).update(status="closed", closure_stage="withdrawn", closed_at=timezone.now())
    page = signed_in.get(page_url(case)).content.decode()
    assert "This application is closed" in page
    assert "Send this document" not in page and "Send another document" not in page
    response = signed_in.post(upload_url(case, request), {f"request-{request.pk}-file": pdf()})
    assert response.status_code == 409
    response = signed_in.post(
        reverse("portal-application-document-send", args=[case.number]),
        {"extra-category": C.OTHER, "extra-file": pdf()},
    )
    assert response.status_code == 409
    assert not Document.objects.exists()


# --- who may see what -----------------------------------------------------------------------------------


def test_another_applicants_application_request_and_document_are_not_found(client, caseworker, case):
    request = ask(caseworker, case)
    document = document_on(case, caseworker)
    olga = make_applicant("olga@test.example")
    own = tenant_case(applicant=olga, status="chaser")
    client.force_login(olga)
    urls_get = [
        page_url(case),
        reverse("portal-application-document", args=[case.number, document.pk]),
        # Her own application's URL with Tina's document id.
        reverse("portal-application-document", args=[own.number, document.pk]),
    ]
    for url in urls_get:
        assert client.get(url).status_code == 404, url
    urls_post = [
        (upload_url(case, request), {f"request-{request.pk}-file": pdf()}),
        (upload_url(own, request), {f"request-{request.pk}-file": pdf()}),  # Tina's request, Olga's number
        (
            reverse("portal-application-document-send", args=[case.number]),
            {"extra-category": "other", "extra-file": pdf()},
        ),
    ]
    for url, data in urls_post:
        assert client.post(url, data).status_code == 404, url
    request.refresh_from_db()
    assert request.status == S.OUTSTANDING
    assert Document.objects.count() == 1


def test_a_document_of_the_applicants_other_application_is_not_served_here(signed_in, tina, caseworker, case):
    second = tenant_case(applicant=tina, status="chaser")
    document = document_on(second, caseworker)
    assert signed_in.get(reverse("portal-application-document", args=[case.number, document.pk])).status_code == 404
    assert signed_in.get(reverse("portal-application-document", args=[second.number, document.pk])).status_code == 200


def test_staff_are_refused_and_visitors_sent_to_sign_in(client, caseworker, case):
    client.force_login(caseworker)
    assert client.get(page_url(case)).status_code == 403
    client.logout()
    response = client.get(page_url(case))
    assert response.status_code == 302
    assert reverse("portal-sign-in") in response["Location"]


def test_an_unverified_applicant_is_asked_to_confirm_their_email(client, caseworker):
    unverified = make_applicant("new@test.example", verified=False)
    case = tenant_case(applicant=unverified)
    client.force_login(unverified)
    response = client.get(page_url(case))
    assert response.status_code == 302
    assert reverse("portal-verify-email") in response["Location"]
