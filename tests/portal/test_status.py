"""An application's page in the portal: the chevrons in applicant words, what is needed from the
applicant (sent back with the chaser's reason, the application code while waiting for the other
side), an applicant-safe timeline (never staff notes, tasks or internal reasons), the messages
and letters sent to this applicant about this application only, and that every URL of the page
is the applicant's own (another applicant: 404; staff: 403)."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.html import escape

from casework.models import Case, CaseActivity, Note, Task
from casework.services.feed import feed_record
from communications import services as communications
from communications.models import Message
from core.models import User
from portal.labels import CLOSED_WORDS, applicant_status, applicant_steps
from tests.casework.factories import CaseTypeFactory, landlord_case, tenant_case
from tests.casework.factories_docs import AppointmentFactory
from tests.portal.factories import make_applicant

pytestmark = pytest.mark.django_db

S = Case.Status


def page(number: str) -> str:
    return f"/portal/applications/{number}/"


def sent_message(case, *, channel="email", status="sent", subject="About your application", body="Hello", **to):
    """A message about `case` recorded as communications would, already sent."""
    template = communications.template_save(
        actor=None,
        key=f"t-{uuid.uuid4().hex[:12]}",
        name=f"Template {uuid.uuid4().hex[:6]}",
        channel=channel,
        subject="" if channel == "sms" else "Subject {{ case.number }}",
        body="Body",
    )
    return Message.objects.create(
        idempotency_key=uuid.uuid4().hex,
        channel=channel,
        template_version=communications.template_current_version(template),
        regarding_type=ContentType.objects.get_for_model(Case),
        regarding_id=case.pk,
        subject="" if channel == "sms" else subject,
        body=body,
        status=status,
        sent_at=timezone.now() if status in ("sent", "delivered") else None,
        **to,
    )


# --- status words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "tenant_words", "landlord_words"),
    [
        (S.DRAFT, "Not sent yet", "Not sent yet"),
        (S.APPLICATION_MATCH, "Waiting for your landlord's application", "Waiting for your tenant's application"),
        (S.CHASER, "Being checked", "Being checked"),
        (S.CASE_MANAGER, "Being assessed", "Being assessed"),
        (S.REVIEWER, "Decision being made", "Decision being made"),
        (S.PAYMENT, "Approved: payment being arranged", "Approved: payment being arranged"),
    ],
)
def test_every_chevron_has_applicant_words_for_each_side(client, status, tenant_words, landlord_words):
    tenant, landlord = make_applicant("t@test.example"), make_applicant("l@test.example", kind=User.Kind.LANDLORD)
    mine = tenant_case(applicant=tenant, status=status)
    theirs = landlord_case(applicant=landlord, status=status)
    assert applicant_status(mine) == tenant_words
    assert applicant_status(theirs) == landlord_words
    client.force_login(tenant)
    content = client.get(page(mine.number)).content.decode()
    assert escape(tenant_words) in content
    assert 'aria-current="step"' in content
    assert Case.Status(status).label not in content.split("<main")[1] or status == S.PAYMENT  # no staff chevrons


@pytest.mark.parametrize("stage", [c for c in Case.ClosureStage.values if c not in ("upheld", "overturned")])
def test_every_closure_stage_has_applicant_words(client, stage):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status="closed", closure_stage=stage)
    client.force_login(tenant)
    content = client.get(page(case.number)).content.decode()
    assert escape(str(CLOSED_WORDS[stage])) in content
    assert applicant_status(case) == str(CLOSED_WORDS[stage])


@pytest.mark.parametrize(
    ("status", "stage", "words"),
    [
        (S.LODGED, "", "Appeal received"),
        (S.UNDER_REVIEW, "", "Appeal being reviewed"),
        (S.CLOSED, "upheld", "Appeal decided: the decision stands"),
        (S.CLOSED, "overturned", "Appeal decided: the decision was changed"),
    ],
)
def test_an_appeal_has_its_own_page_in_applicant_words(client, status, stage, words):
    tenant = make_applicant()
    denied = tenant_case(applicant=tenant, status="closed", closure_stage="denied")
    appeal = Case.objects.create(case_type=CaseTypeFactory(workflow="appeal"), parent=denied, applicant=tenant)
    if status != S.LODGED:
        Case.objects.filter(pk=appeal.pk).update(
            status=status, closure_stage=stage, closed_at=timezone.now() if stage else None
        )
        appeal.refresh_from_db()
    client.force_login(tenant)
    assert appeal.number in client.get("/portal/").content.decode()  # listed on the home page
    content = client.get(page(appeal.number)).content.decode()
    assert escape(words) in content
    assert denied.number in content  # "your appeal against ..."
    assert "Withdraw application" not in content


def test_the_step_list_marks_done_current_and_not_started_in_words():
    case = tenant_case(status=S.CASE_MANAGER)
    states = [step["state"] for step in applicant_steps(case)]
    assert states == ["done", "done", "done", "current", "to_do", "to_do", "to_do"]
    closed = tenant_case(status="closed", closure_stage="withdrawn")
    Case.objects.filter(pk=closed.pk).update(status_before_close=S.CHASER)
    closed.refresh_from_db()
    steps = applicant_steps(closed)
    assert [step["state"] for step in steps] == ["done", "done", "stopped", "to_do", "to_do", "to_do", "current"]
    assert steps[-1]["label"] == "Withdrawn"


def test_the_page_shows_the_steps_with_their_state_in_hidden_text(client):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.CHASER)
    client.force_login(tenant)
    content = client.get(page(case.number)).content.decode()
    assert content.count('<span class="govuk-visually-hidden">Completed:</span>') == 2
    assert "(Current step)" in content
    assert content.count('<span class="govuk-visually-hidden">Not started:</span>') == 4
    assert "We are checking your application and documents." in content
    assert content.count("<h1") == 1


# --- what we need from you ------------------------------------------------------------------


def test_a_sent_back_application_shows_the_chasers_reason_and_nothing_internal(client, caseworker):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.DRAFT)
    feed_record(
        case=case,
        kind=CaseActivity.Kind.STATUS_CHANGED,
        actor=caseworker,
        summary="Send back to draft: Chaser → Draft",
        from_status=S.CHASER,
        to_status=S.DRAFT,
        reason="Please upload your tenancy agreement.",
    )
    client.force_login(tenant)
    content = client.get(page(case.number)).content.decode()
    assert "We sent your application back to you because:" in content
    assert "Please upload your tenancy agreement." in content
    assert "Sent back to you for more information" in content  # the timeline


def test_a_draft_asks_to_finish_and_submit(client):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.DRAFT)
    client.force_login(tenant)
    content = client.get(page(case.number)).content.decode()
    assert "Finish your application, then sign and submit it." in content
    assert "We sent your application back" not in content


@pytest.mark.parametrize(
    ("make", "kind", "other_side"),
    [(tenant_case, User.Kind.TENANT, "landlord"), (landlord_case, User.Kind.LANDLORD, "tenant")],
)
def test_waiting_for_the_other_side_shows_the_code_to_give_them(client, make, kind, other_side):
    applicant = make_applicant(kind=kind)
    case = make(applicant=applicant, status=S.APPLICATION_MATCH)
    client.force_login(applicant)
    content = client.get(page(case.number)).content.decode()
    assert case.application_code and case.application_code in content
    assert f"Give your {other_side} this application code." in content


def test_outstanding_documents_are_counted_when_the_documents_area_is_there(client, monkeypatch):
    import portal.selectors.status as status_selectors

    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.CHASER)
    monkeypatch.setattr(status_selectors, "outstanding_documents", lambda user, case: 2)
    client.force_login(tenant)
    assert "We are waiting for 2 documents from you." in client.get(page(case.number)).content.decode()


# --- what has happened ----------------------------------------------------------------------


def test_the_timeline_never_shows_staff_notes_tasks_or_internal_reasons(client, caseworker):
    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.CASE_MANAGER)
    note = Note.objects.create(case=case, author=caseworker, body="Suspect fraud, check bank statements")
    feed_record(case=case, kind=CaseActivity.Kind.NOTE, actor=caseworker, summary="Note: Suspect fraud", note=note)
    task = Task.objects.create(case=case, subject="Verify landlord ownership secretly")
    feed_record(case=case, kind=CaseActivity.Kind.TASK_CREATED, actor=caseworker, summary=task.subject, task=task)
    feed_record(case=case, kind=CaseActivity.Kind.OWNER_CHANGED, actor=caseworker, summary="Owner: Casey Worker")
    feed_record(case=case, kind=CaseActivity.Kind.SLA, actor=None, summary="SLA breached: chaser 5 days")
    feed_record(
        case=case,
        kind=CaseActivity.Kind.STATUS_CHANGED,
        actor=caseworker,
        summary="Refer to case manager: Chaser → Case manager",
        from_status=S.CHASER,
        to_status=S.CASE_MANAGER,
        reason="Internal: income looks inflated",
    )
    feed_record(
        case=case,
        kind=CaseActivity.Kind.MATCHED,
        actor=None,
        summary="Matched with RAFTL-2026-000999",
        data={"other_case": 1},
    )
    client.force_login(tenant)
    content = client.get(page(case.number)).content.decode()
    assert "Now: Being assessed" in content and escape("Matched with your landlord's application") in content
    for secret in ("Suspect fraud", "Verify landlord", "Casey Worker", "SLA", "income looks inflated", "000999"):
        assert secret not in content


# --- messages and letters -------------------------------------------------------------------


def test_only_messages_sent_to_this_applicant_about_this_application_are_listed(client):
    tenant = make_applicant("tara@test.example")
    case = tenant_case(applicant=tenant, status=S.CHASER)
    other_case = tenant_case(applicant=tenant, status=S.CHASER)
    mine = sent_message(case, subject="Your documents arrived", recipient_email="TARA@test.example")
    to_contact = sent_message(case, subject="To the contact", recipient_email=case.contact.email)
    delivered_sms = sent_message(case, channel="sms", status="delivered", recipient_phone="+447700900123")
    letter = sent_message(
        case,
        channel="letter",
        subject="Decision letter",
        recipient_name=case.contact.full_name,
        recipient_address=["1 High Street", "Town", "AB1 2CD"],
    )
    pending = sent_message(case, subject="Still waiting to go", status="pending", recipient_email="tara@test.example")
    someone_else = sent_message(case, subject="To the landlord", recipient_email="landlord@test.example")
    other = sent_message(other_case, subject="About the other one", recipient_email="tara@test.example")

    client.force_login(tenant)
    content = client.get(page(case.number)).content.decode()
    for shown in (mine, to_contact, letter):
        assert shown.subject in content
        assert f"/portal/applications/{case.number}/messages/{shown.pk}/" in content
    assert f"/messages/{delivered_sms.pk}/" in content
    for hidden in (pending, someone_else, other):
        assert hidden.subject not in content

    detail = client.get(f"/portal/applications/{case.number}/messages/{mine.pk}/")
    assert detail.status_code == 200 and "Your documents arrived" in detail.content.decode()
    # Another application's message through this one's URL, a message to someone else, one not sent.
    for message in (other, someone_else, pending):
        assert client.get(f"/portal/applications/{case.number}/messages/{message.pk}/").status_code == 404
    assert client.get(f"/portal/applications/{other_case.number}/messages/{mine.pk}/").status_code == 404
    pdf = client.get(f"/portal/applications/{case.number}/messages/{letter.pk}/letter.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"/portal/applications/{case.number}/messages/{mine.pk}/letter.pdf").status_code == 404


def test_a_message_body_is_shown_as_plain_text(client):
    tenant = make_applicant("tara@test.example")
    case = tenant_case(applicant=tenant, status=S.CHASER)
    message = sent_message(case, body="<script>alert(1)</script>\nLine two", recipient_email="tara@test.example")
    client.force_login(tenant)
    content = client.get(f"/portal/applications/{case.number}/messages/{message.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in content and "&lt;script&gt;" in content


# --- whose page it is -----------------------------------------------------------------------


def _every_url(case, message_id: int, appointment_id: int) -> list[str]:
    base = page(case.number)
    return [
        base,
        f"{base}withdraw/",
        f"{base}appeal/",
        f"{base}messages/{message_id}/",
        f"{base}messages/{message_id}/letter.pdf",
        f"{base}appointments/{appointment_id}/cancel/",
        f"{base}appointments/{appointment_id}/rearrange/",
    ]


def test_another_applicants_application_is_404_on_every_url(client):
    owner = make_applicant("owner@test.example")
    case = tenant_case(applicant=owner, status="closed", closure_stage="denied")
    message = sent_message(case, recipient_email="owner@test.example")
    appointment = AppointmentFactory(case=case)
    client.force_login(make_applicant("intruder@test.example"))
    for url in _every_url(case, message.pk, appointment.pk):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"grounds": "x", "preferred": "x"}).status_code in (404, 405), url
    case.refresh_from_db()
    assert not case.children.exists()


def test_the_owners_own_page_refuses_another_cases_appointment(client):
    owner = make_applicant("owner@test.example")
    case = tenant_case(applicant=owner, status=S.CHASER)
    elsewhere = AppointmentFactory(case=tenant_case(applicant=make_applicant("b@test.example"), status=S.CHASER))
    mine_elsewhere = AppointmentFactory(case=tenant_case(applicant=owner, status=S.CHASER))
    client.force_login(owner)
    for appointment in (elsewhere, mine_elsewhere):
        for action in ("cancel", "rearrange"):
            assert client.get(f"{page(case.number)}appointments/{appointment.pk}/{action}/").status_code == 404


def test_staff_are_refused_with_403(client, caseworker):
    case = tenant_case(applicant=make_applicant(), status="closed", closure_stage="denied")
    client.force_login(caseworker)
    for url in _every_url(case, 1, 1):
        assert client.get(url).status_code == 403, url


def test_visitors_are_sent_to_sign_in(client):
    case = tenant_case(applicant=make_applicant(), status=S.CHASER)
    response = client.get(page(case.number))
    assert response.status_code == 302 and "/portal/sign-in/" in response["Location"]


# --- the home page --------------------------------------------------------------------------


def test_the_home_page_links_each_application_to_its_page(client):
    tenant = make_applicant()
    submitted = tenant_case(applicant=tenant, status=S.CHASER)
    draft = tenant_case(applicant=tenant, status=S.DRAFT)
    client.force_login(tenant)
    content = client.get("/portal/").content.decode()
    assert f'href="/portal/applications/{submitted.number}/"' in content
    assert "Being checked" in content and "Not sent yet" in content
    # A draft opens where the applicant left off (the resume page, once it exists), else its page.
    assert f"/portal/applications/{draft.number}/" in content


def test_the_timeline_lists_the_applicants_own_uploads_but_not_staffs(client, caseworker):
    from tests.casework.factories_docs import document_on

    tenant = make_applicant()
    case = tenant_case(applicant=tenant, status=S.CHASER)
    document_on(case, tenant, name="payslip.pdf")
    document_on(case, caseworker, name="internal-credit-check.pdf")
    client.force_login(tenant)
    content = client.get(page(case.number)).content.decode()
    assert "You uploaded a document: payslip.pdf" in content
    assert "internal-credit-check" not in content
