"""Documents asked for on a case: staff ask, ask again for a document that was not good enough,
cancel; the applicant answers by uploading (checked as a staff upload, and a refused file leaves
the request outstanding and nothing stored); a case type's default requirements are asked once
when an application is submitted; and the staff case page's documents section."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casework.models import CaseActivity, Document, DocumentRequest, DocumentRequirement
from casework.services import cases as case_services
from casework.services import document_requests as request_services
from core import errors
from core.audit import events_for
from core.models import User
from tests.casework.factories import CaseTypeFactory, tenant_case
from tests.casework.factories_docs import EXE, PDF, document_on, make_applicant, stored_files

pytestmark = pytest.mark.django_db

C = Document.Category
S = DocumentRequest.Status


def pdf(name: str = "payslip.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def tenant_user():
    return make_applicant(User.Kind.TENANT, email="tina@test.example")


@pytest.fixture
def case(tenant_user):
    return tenant_case(applicant=tenant_user, status="chaser")


def ask(actor, case, *, category=C.INCOME, description="Your last two payslips", **kwargs) -> DocumentRequest:
    return request_services.document_request_create(
        actor=actor, case=case, category=category, description=description, **kwargs
    )


# --- staff ask -----------------------------------------------------------------------------------------


def test_staff_ask_for_a_document_audited_and_on_the_feed(caseworker, case):
    due = timezone.localdate() + datetime.timedelta(days=14)
    request = ask(caseworker, case, description="  Your last   two payslips ", due_date=due)
    request.refresh_from_db()
    assert (request.status, request.category, request.description) == (
        S.OUTSTANDING,
        C.INCOME,
        "Your last two payslips",
    )
    assert (request.requested_by, request.due_date, request.replaces) == (caseworker, due, None)
    entry = CaseActivity.objects.get(case=case, kind=CaseActivity.Kind.DOCUMENT_REQUESTED)
    assert entry.actor == caseworker
    assert "Your last two payslips" in entry.summary
    event = events_for(request).get()
    assert (event.pgh_context["user"], event.pgh_context["action"]) == (caseworker.pk, "document_request_create")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "payslips"}, "category"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 301}, "description"),
        ({"due_date": datetime.date(2000, 1, 1)}, "due_date"),
    ],
)
def test_a_request_needs_a_kind_words_and_no_past_due_date(caseworker, case, fields, field):
    with pytest.raises(errors.ValidationError) as refused:
        ask(caseworker, case, **fields)
    assert field in refused.value.fields
    assert not DocumentRequest.objects.exists()


def test_applicants_cannot_use_the_staff_services(tenant_user, caseworker, case):
    with pytest.raises(errors.PermissionDenied):
        ask(tenant_user, case)
    request = ask(caseworker, case)
    document = document_on(case, caseworker)
    with pytest.raises(errors.PermissionDenied):
        request_services.document_request_ask_again(actor=tenant_user, document=document, reason="Blurred")
    with pytest.raises(errors.PermissionDenied):
        request_services.document_request_cancel(actor=tenant_user, request=request, reason="Not needed")
    with pytest.raises(errors.PermissionDenied):
        request_services.document_request_mark_received(actor=tenant_user, request=request, document=document)
    request.refresh_from_db()
    assert request.status == S.OUTSTANDING
    assert DocumentRequest.objects.count() == 1


def test_a_closed_case_takes_no_new_requests_from_caseworkers(caseworker, supervisor, tenant_user):
    closed = tenant_case(applicant=tenant_user, status="closed")
    with pytest.raises(errors.Conflict):
        ask(caseworker, closed)
    assert ask(supervisor, closed).status == S.OUTSTANDING  # a supervisor may still act on it


# --- the applicant answers -----------------------------------------------------------------------------


def test_the_applicant_answers_a_request_with_an_upload(caseworker, tenant_user, case):
    request = ask(caseworker, case)
    document = request_services.document_request_fulfil(actor=tenant_user, request=request, uploaded_file=pdf())
    request.refresh_from_db()
    assert (request.status, request.document, request.received_at is not None) == (S.RECEIVED, document, True)
    assert (document.category, document.uploaded_by, document.case) == (C.INCOME, tenant_user, case)
    kinds = list(CaseActivity.objects.filter(case=case).order_by("id").values_list("kind", "actor"))
    assert kinds[-2:] == [("document_added", tenant_user.pk), ("document_requested", tenant_user.pk)]
    actions = {event.pgh_context["action"] for event in events_for(request)}
    assert actions == {"document_request_create", "document_request_fulfil"}


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (EXE, "payslip.pdf", "which we do not accept"),
        (b"", "payslip.pdf", "empty"),
        (PDF, "payslip.png", None),  # the name's extension contradicts the content
    ],
)
def test_a_refused_file_leaves_the_request_outstanding_and_nothing_stored(
    caseworker, tenant_user, case, content, name, says
):
    request = ask(caseworker, case)
    before = stored_files()
    with pytest.raises(errors.ValidationError, match=says) as refused:
        request_services.document_request_fulfil(
            actor=tenant_user, request=request, uploaded_file=SimpleUploadedFile(name, content)
        )
    assert "file" in refused.value.fields
    request.refresh_from_db()
    assert (request.status, request.document) == (S.OUTSTANDING, None)
    assert not Document.objects.exists()
    assert stored_files() == before


def test_a_failure_after_the_upload_rolls_back_and_removes_the_stored_file(caseworker, tenant_user, case, monkeypatch):
    request = ask(caseworker, case)
    before = stored_files()

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(request_services, "_receive", fail)
    with pytest.raises(RuntimeError):
        request_services.document_request_fulfil(actor=tenant_user, request=request, uploaded_file=pdf())
    request.refresh_from_db()
    assert request.status == S.OUTSTANDING
    assert not Document.objects.exists()
    assert stored_files() == before


def test_another_applicant_cannot_answer_the_request(caseworker, case):
    other = make_applicant(User.Kind.TENANT, email="other@test.example")
    request = ask(caseworker, case)
    with pytest.raises(errors.PermissionDenied):
        request_services.document_request_fulfil(actor=other, request=request, uploaded_file=pdf())
    assert not Document.objects.exists()


def test_a_request_is_answered_once(caseworker, tenant_user, case):
    request = ask(caseworker, case)
    request_services.document_request_fulfil(actor=tenant_user, request=request, uploaded_file=pdf())
    before = stored_files()
    with pytest.raises(errors.Conflict, match="already received"):
        request_services.document_request_fulfil(actor=tenant_user, request=request, uploaded_file=pdf("again.pdf"))
    assert Document.objects.count() == 1
    assert stored_files() == before


def test_a_closed_application_takes_no_uploads(caseworker, supervisor, tenant_user, case):
    request = ask(caseworker, case)
    type(case).objects.filter(pk=case.pk).update(status="closed", closure_stage="withdrawn", closed_at=timezone.now())
    with pytest.raises(errors.Conflict, match="closed"):
        request_services.document_request_fulfil(actor=tenant_user, request=request, uploaded_file=pdf())
    request.refresh_from_db()
    assert request.status == S.OUTSTANDING


# --- asking again, cancelling, marking received --------------------------------------------------------


def test_asking_again_is_a_new_request_naming_the_document_and_why(caseworker, tenant_user, case):
    first = ask(caseworker, case)
    document = request_services.document_request_fulfil(actor=tenant_user, request=first, uploaded_file=pdf())
    again = request_services.document_request_ask_again(
        actor=caseworker, document=document, reason="The second payslip is cut off."
    )
    first.refresh_from_db()
    assert first.status == S.RECEIVED and first.document == document  # the history stays as it was
    assert (again.status, again.category, again.replaces, again.reason) == (
        S.OUTSTANDING,
        C.INCOME,
        document,
        "The second payslip is cut off.",
    )
    assert again.description == first.description
    entry = CaseActivity.objects.filter(case=case, kind="document_requested").order_by("-id").first()
    assert entry.document == document and "asked for again" in entry.summary
    # And the applicant re-uploads.
    replacement = request_services.document_request_fulfil(actor=tenant_user, request=again, uploaded_file=pdf("b.pdf"))
    again.refresh_from_db()
    assert (again.status, again.document) == (S.RECEIVED, replacement)


def test_asking_again_needs_a_reason_and_is_not_repeated(caseworker, case):
    document = document_on(case, caseworker)
    with pytest.raises(errors.ValidationError) as refused:
        request_services.document_request_ask_again(actor=caseworker, document=document, reason="  ")
    assert "reason" in refused.value.fields
    request_services.document_request_ask_again(actor=caseworker, document=document, reason="Blurred")
    with pytest.raises(errors.Conflict, match="already been asked for again"):
        request_services.document_request_ask_again(actor=caseworker, document=document, reason="Blurred")
    assert DocumentRequest.objects.count() == 1


def test_cancelling_a_request(caseworker, case):
    request = ask(caseworker, case)
    with pytest.raises(errors.ValidationError):
        request_services.document_request_cancel(actor=caseworker, request=request, reason="")
    request_services.document_request_cancel(actor=caseworker, request=request, reason="Asked by mistake")
    request.refresh_from_db()
    assert (request.status, request.cancelled_reason) == (S.CANCELLED, "Asked by mistake")
    assert CaseActivity.objects.filter(case=case, reason="Asked by mistake").exists()
    with pytest.raises(errors.Conflict, match="already cancelled"):
        request_services.document_request_cancel(actor=caseworker, request=request, reason="Again")


def test_staff_mark_a_request_received_with_a_document_on_the_case(caseworker, case, tenant_user):
    request = ask(caseworker, case)
    elsewhere = document_on(tenant_case(), caseworker)
    with pytest.raises(errors.ValidationError):
        request_services.document_request_mark_received(actor=caseworker, request=request, document=elsewhere)
    scanned = document_on(case, caseworker, name="posted.pdf")
    request_services.document_request_mark_received(actor=caseworker, request=request, document=scanned)
    request.refresh_from_db()
    assert (request.status, request.document) == (S.RECEIVED, scanned)


def test_the_status_only_changes_through_the_services(caseworker, case):
    from django_fsm import TransitionNotAllowed

    request = ask(caseworker, case)
    request.cancel("x")
    with pytest.raises(TransitionNotAllowed):
        request.receive(None)
    with pytest.raises(AttributeError):
        request.status = S.OUTSTANDING  # protected field


# --- a case type's defaults on submission --------------------------------------------------------------


@pytest.fixture
def requirements():
    case_type = CaseTypeFactory(workflow="rental_tenant")
    return [
        DocumentRequirement.objects.create(case_type=case_type, category=C.IDENTITY, description="Photo ID"),
        DocumentRequirement.objects.create(case_type=case_type, category=C.INCOME, description="Your payslips"),
        DocumentRequirement.objects.create(
            case_type=case_type, category=C.TENANCY, description="Your lease", is_active=False
        ),
    ]


def test_submitting_asks_for_the_required_documents_once(requirements, tenant_user, caseworker):
    draft = tenant_case(applicant=tenant_user)
    document_on(draft, tenant_user, name="id.pdf")  # category "other": does not count as identity
    Document.objects.filter(case=draft).update(category=C.IDENTITY)  # they sent their ID already
    case_services.case_submit(actor=tenant_user, case=draft, signed_name="Tina Tenant")
    asked = list(draft.document_requests.values_list("category", "description", "requested_by", "status"))
    assert asked == [(C.INCOME, "Your payslips", None, S.OUTSTANDING)]
    assert CaseActivity.objects.filter(case=draft, kind="document_requested", actor=None).count() == 1

    # Sent back, resubmitted: nothing asked twice, even once the first request was answered.
    draft.refresh_from_db()
    type(draft).objects.filter(pk=draft.pk).update(status="chaser")
    case_services.case_send_back_to_draft(actor=caseworker, case=draft, reason="Sign again")
    request = draft.document_requests.get()
    request_services.document_request_fulfil(actor=tenant_user, request=request, uploaded_file=pdf())
    Document.objects.filter(case=draft, category=C.INCOME).update(category=C.OTHER)  # even if re-filed
    case_services.case_submit(actor=tenant_user, case=draft, signed_name="Tina Tenant")
    assert draft.document_requests.count() == 1


def test_no_requirements_asks_nothing(tenant_user):
    draft = tenant_case(applicant=tenant_user)
    case_services.case_submit(actor=tenant_user, case=draft, signed_name="Tina Tenant")
    assert not draft.document_requests.exists()
    assert not CaseActivity.objects.filter(case=draft, kind="document_requested").exists()


# --- the staff case page's documents section -----------------------------------------------------------


@pytest.fixture
def staff_client(client, caseworker):
    client.force_login(caseworker)
    return client


def test_the_section_lists_outstanding_requests_and_offers_the_actions(staff_client, caseworker, case):
    ask(caseworker, case, description="Your bank statement")
    document_on(case, caseworker, name="lease.pdf")
    page = staff_client.get(reverse("staff-case", args=[case.pk])).content.decode()
    assert "Your bank statement" in page
    assert "Request a document" in page
    assert "Ask for it again" in page
    assert "Cancel request" in page


def test_staff_request_a_document_from_the_page(staff_client, case):
    url = reverse("staff-case-document-request-add", args=[case.pk])
    response = staff_client.post(
        url, {"docrequest-category": C.INCOME, "docrequest-description": "Your payslips", "docrequest-due_date": ""}
    )
    assert response.status_code == 302
    assert case.document_requests.get().description == "Your payslips"


def test_a_refused_request_form_is_shown_with_its_errors(staff_client, case):
    url = reverse("staff-case-document-request-add", args=[case.pk])
    response = staff_client.post(url, {"docrequest-category": C.INCOME, "docrequest-description": " "})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert not case.document_requests.exists()


def test_staff_ask_again_and_cancel_from_the_page(staff_client, caseworker, case):
    document = document_on(case, caseworker)
    url = reverse("staff-case-document-ask-again", args=[case.pk, document.pk])
    response = staff_client.post(url, {f"askagain-{document.pk}-reason": ""})
    assert response.status_code == 400
    assert not DocumentRequest.objects.exists()
    response = staff_client.post(url, {f"askagain-{document.pk}-reason": "Blurred"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    request = DocumentRequest.objects.get()
    assert request.replaces == document
    assert "Blurred" in response.content.decode()

    url = reverse("staff-case-document-request-cancel", args=[case.pk, request.pk])
    assert staff_client.post(url, {f"cancel-{request.pk}-reason": ""}).status_code == 400
    assert staff_client.post(url, {f"cancel-{request.pk}-reason": "Not needed"}).status_code == 302
    request.refresh_from_db()
    assert request.status == S.CANCELLED


def test_ids_from_another_case_are_not_found(staff_client, caseworker, case):
    other = tenant_case()
    document = document_on(other, caseworker)
    request = ask(caseworker, other)
    ask_again = reverse("staff-case-document-ask-again", args=[case.pk, document.pk])
    cancel = reverse("staff-case-document-request-cancel", args=[case.pk, request.pk])
    assert staff_client.post(ask_again, {f"askagain-{document.pk}-reason": "x"}).status_code == 404
    assert staff_client.post(cancel, {f"cancel-{request.pk}-reason": "x"}).status_code == 404


def test_applicants_cannot_use_the_staff_actions(client, tenant_user, caseworker, case):
    client.force_login(tenant_user)
    url = reverse("staff-case-document-request-add", args=[case.pk])
    response = client.post(url, {"docrequest-category": C.INCOME, "docrequest-description": "x"})
    assert response.status_code in (302, 403)
    assert not DocumentRequest.objects.exists()


# --- the admin -------------------------------------------------------------------------------------------


def test_supervisors_keep_a_case_types_requirements_inline(client, supervisor):
    case_type = CaseTypeFactory(workflow="rental_tenant")
    client.force_login(supervisor)
    page = client.get(reverse("admin:casework_casetype_change", args=[case_type.pk])).content.decode()
    assert "documents asked for on submission" in page.lower()
    assert client.get(reverse("admin:casework_documentrequirement_add")).status_code == 200


def test_requests_are_read_only_in_the_admin(client, supervisor, caseworker, case):
    request = ask(caseworker, case)
    client.force_login(supervisor)
    assert client.get(reverse("admin:casework_documentrequest_changelist")).status_code == 200
    page = client.get(reverse("admin:casework_documentrequest_change", args=[request.pk])).content.decode()
    assert 'name="_save"' not in page
