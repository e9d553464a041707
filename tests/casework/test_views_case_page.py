"""The staff case page: who may see it, what it shows, and every action on it, with and without
htmx. Refusals come back as 400 (bad input) or 409 (the case's state does not allow it) with the
service's sentence, and nothing is written."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assignments.models import Offer
from casework.models import (
    REVIEW_TEMPLATE,
    Appointment,
    Case,
    CaseActivity,
    Document,
    Note,
    NoteMention,
    Notification,
    Referral,
    Task,
    Workflow,
)
from core.roles import Role
from tests.casework.factories import (
    CaseFactory,
    CaseTypeFactory,
    QueueFactory,
    TenancyFactory,
    landlord_case,
    tenant_case,
)
from tests.casework.factories_docs import PDF, image_bytes
from tests.casework.factories_referrals import ReferralReasonFactory, ReferralSubtypeFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def housing_case(**kwargs) -> Case:
    return CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.HOUSING_OPTIONS), **kwargs)


def page_url(case: Case) -> str:
    return reverse("staff-case", args=[case.pk])


def post_action(client, case: Case, transition: str, reason: str = "", status: str | None = None, **extra):
    data = {"action-transition": transition, "action-reason": reason, "action-status": status or case.status}
    return client.post(reverse("staff-case-action", args=[case.pk]), data, **extra)


def upload(content: bytes, name: str):
    file = io.BytesIO(content)
    file.name = name
    return file


# --- who may see it ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    case = housing_case()
    response = client.get(page_url(case))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_applicants_are_refused_even_on_their_own_case(client, applicant):
    case = housing_case(applicant=applicant)
    client.force_login(applicant)
    assert client.get(page_url(case)).status_code == 403
    assert client.post(reverse("staff-case-note-add", args=[case.pk]), {"note-body": "hi"}).status_code == 403
    assert not Note.objects.exists()


def test_any_staff_member_sees_any_case_and_unknown_cases_are_404(client, caseworker, make_staff):
    owner = make_staff(Role.CASEWORKER, first_name="Olive", last_name="Owner")
    case = housing_case(owner=owner)
    client.force_login(caseworker)
    response = client.get(page_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{case.number}</h1>' in html
    assert "Olive Owner" in html
    assert client.get(reverse("staff-case", args=[case.pk + 1000])).status_code == 404


def test_the_summary_reads_links_only_when_the_case_has_them(client, caseworker):
    plain, linked = housing_case(), tenant_case(tenancy=TenancyFactory())
    landlord_case(parent=linked)
    client.force_login(caseworker)
    _queries(client, plain)  # warm the session and content-type caches
    # The tenancy and the linked cases: one query each, and only for the case that has them.
    assert _queries(client, linked) == _queries(client, plain) + 2


def test_summary_shows_people_places_links_flags_and_the_potential_owner(client, caseworker, make_staff):
    tenancy = TenancyFactory()
    tenant = tenant_case(tenancy=tenancy, property=tenancy.property, priority="urgent", is_escalated=True)
    landlord = landlord_case(parent=tenant)
    reviewer = make_staff(Role.SUPERVISOR, first_name="Rita", last_name="Reviewer")
    Case.objects.filter(pk=tenant.pk).update(
        suspected_fraud=True, last_reviewed_by=reviewer, last_reviewed_at=timezone.now()
    )
    colleague = make_staff(Role.CASEWORKER, first_name="Pat", last_name="Potential")
    now = timezone.now()
    Offer.objects.create(case=tenant, user=colleague, offered_at=now, expires_at=now + datetime.timedelta(minutes=5))
    client.force_login(caseworker)
    html = client.get(page_url(tenant)).content.decode()
    assert "Awaiting assignment" in html
    assert "Offered to Pat Potential (potential owner)" in html
    assert "by Rita Reviewer" in html  # read in the same query as the potential owner
    assert tenancy.reference in html and tenancy.household.name in html
    assert tenancy.property.address_line_1 in html
    assert "Escalated" in html and "Suspected fraud" in html and "Urgent" in html
    assert f'href="{page_url(landlord)}"' in html
    assert f'href="{page_url(tenant)}"' in client.get(page_url(landlord)).content.decode()


# --- moving along the chevrons ---------------------------------------------------------------


def test_only_the_moves_possible_now_are_offered(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    response = client.get(page_url(case))
    names = [action["name"] for action in response.context["actions"]]
    assert names[0] == "assess"  # the one-click forward move first, then those needing a reason
    assert set(names) == {"assess", "resolve", "close_duplicate"}
    html = response.content.decode()
    assert "Start assessment" in html and "Agree housing plan" not in html
    assert 'aria-current="step"' in html


def test_a_move_succeeds_and_redirects_with_a_banner(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    response = post_action(client, case, "assess")
    assert response.status_code == 302 and response["Location"] == page_url(case)
    case.refresh_from_db()
    assert case.status == "assessment"
    html = client.get(page_url(case)).content.decode()
    assert f"{case.number} is now at Assessment." in html
    assert "Agree housing plan" in html
    assert CaseActivity.objects.filter(case=case, kind="status_changed").count() == 1


def test_a_move_not_possible_now_is_409_with_the_services_sentence(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    response = post_action(client, case, "agree_housing_plan")
    assert response.status_code == 409
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "is only possible from Assessment" in html
    case.refresh_from_db()
    assert case.status == "enquiry"
    assert not CaseActivity.objects.filter(case=case, kind="status_changed").exists()


def test_a_move_needing_a_reason_is_refused_without_one(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    response = post_action(client, case, "resolve", reason="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a reason to resolve." in html
    assert 'href="#reason-resolve"' in html  # the summary links to the field, in an open <details>
    case.refresh_from_db()
    assert case.status == "enquiry"
    response = post_action(client, case, "resolve", reason="Found a home with family")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_stage) == ("closed", "resolved")


def test_a_move_on_a_page_someone_else_has_changed_is_a_409(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    # The page was rendered at Assessment, but the case has moved back to Enquiry since.
    response = post_action(client, case, "assess", status="assessment")
    assert response.status_code == 409
    assert "Someone else changed this case" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "enquiry"


def test_an_unknown_move_is_a_400(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    response = post_action(client, case, "teleport")
    assert response.status_code == 400
    assert "There is no move called" in response.content.decode()


def test_rental_chaser_can_send_back_to_draft_with_a_reason(client, caseworker):
    case = tenant_case(status="chaser")
    client.force_login(caseworker)
    names = [action["name"] for action in client.get(page_url(case)).context["actions"]]
    assert "send_back_to_draft" in names and "refer_to_case_manager" in names
    assert post_action(client, case, "send_back_to_draft").status_code == 400
    case.refresh_from_db()
    assert case.status == "chaser"
    assert post_action(client, case, "send_back_to_draft", reason="Missing the lease").status_code == 302
    case.refresh_from_db()
    assert case.status == "draft"


def test_only_supervisors_are_offered_reopen(client, caseworker, supervisor):
    case = housing_case(status="closed")
    client.force_login(caseworker)
    assert client.get(page_url(case)).context["actions"] == []
    response = post_action(client, case, "reopen", reason="More to do")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.is_closed
    client.force_login(supervisor)
    assert [a["name"] for a in client.get(page_url(case)).context["actions"]] == ["reopen"]
    assert post_action(client, case, "reopen", reason="More to do").status_code == 302
    case.refresh_from_db()
    assert case.status == "enquiry"


def test_supervisors_get_a_link_to_the_cases_routing_and_reassignment(client, caseworker, supervisor):
    case = housing_case()
    link = reverse("supervisor-case-routing", args=[case.pk])
    client.force_login(caseworker)
    assert link not in client.get(page_url(case)).content.decode()
    client.force_login(supervisor)
    assert link in client.get(page_url(case)).content.decode()


# --- tasks -----------------------------------------------------------------------------------


def test_add_a_task_for_myself_and_complete_it(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    due = timezone.localdate() + datetime.timedelta(days=3)
    url = reverse("staff-case-task-add", args=[case.pk])
    response = client.post(url, {"task-subject": "Call the landlord", "task-due_date": due.isoformat()})
    assert response.status_code == 302
    task = Task.objects.get(case=case)
    assert (task.subject, task.due_date, task.assignee) == ("Call the landlord", due, caseworker)
    response = client.post(reverse("staff-case-task-complete", args=[case.pk, task.pk]), **HTMX)
    assert response.status_code == 200
    assert 'id="case-tasks"' in response.content.decode() and "<html" not in response.content.decode()
    task.refresh_from_db()
    assert task.status == "completed"


def test_a_refused_task_is_a_400_with_field_messages_and_nothing_saved(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    url = reverse("staff-case-task-add", args=[case.pk])
    response = client.post(url, {"task-subject": "Call", "task-due_date": yesterday.isoformat()}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The due date cannot be in the past." in html
    assert 'href="#id_task-due_date"' in html
    response = client.post(url, {"task-subject": ""})
    assert response.status_code == 400
    assert "Enter a subject." in response.content.decode()
    assert not Task.objects.exists()


def test_tasks_list_open_ones_first(client, caseworker):
    case = housing_case()
    done = Task.objects.create(case=case, subject="Done first", assignee=caseworker)
    Task.objects.filter(pk=done.pk).update(status="completed", completed_at=timezone.now())
    Task.objects.create(case=case, subject="Still to do", assignee=caseworker)
    client.force_login(caseworker)
    subjects = [task.subject for task in client.get(page_url(case)).context["tasks"]]
    assert subjects == ["Still to do", "Done first"]


# --- notes and mentions ----------------------------------------------------------------------


def test_a_note_with_a_mention_notifies_the_person(client, caseworker, make_staff):
    tara = make_staff(Role.CASEWORKER, email="tara.reilly@test.example", first_name="Tara", last_name="Reilly")
    case = housing_case()
    client.force_login(caseworker)
    url = reverse("staff-case-note-add", args=[case.pk])
    response = client.post(url, {"note-body": "Please call back, @tara.reilly"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Note added. Notified: Tara Reilly." in html
    assert "Please call back, @tara.reilly" in html  # the feed, re-rendered with the note
    note = Note.objects.get(case=case)
    assert NoteMention.objects.filter(note=note, user=tara).exists()
    assert Notification.objects.filter(recipient=tara, kind="mention").count() == 1


def test_an_empty_note_is_a_400(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    response = client.post(reverse("staff-case-note-add", args=[case.pk]), {"note-body": ""})
    assert response.status_code == 400
    assert "Enter the note." in response.content.decode()
    assert not Note.objects.exists()


def test_a_note_on_a_closed_case_is_a_409_for_a_caseworker(client, caseworker):
    case = housing_case(status="closed")
    client.force_login(caseworker)
    response = client.post(reverse("staff-case-note-add", args=[case.pk]), {"note-body": "Late news"}, **HTMX)
    assert response.status_code == 409
    assert "is closed" in response.content.decode()
    assert not Note.objects.exists()


def test_mention_suggestions_offer_the_handle_the_notes_service_resolves(client, caseworker, make_staff, applicant):
    make_staff(Role.CASEWORKER, email="tara@one.example", first_name="Tara", last_name="One")
    make_staff(Role.CASEWORKER, email="tara@two.example", first_name="Tara", last_name="Two")
    make_staff(Role.CASEWORKER, email="tom.tenby@test.example", first_name="Tom", last_name="Tenby")
    case = housing_case()
    client.force_login(caseworker)
    url = reverse("staff-case-mentions", args=[case.pk])
    html = client.get(url, {"q": "t"}).content.decode()
    # Two people share "tara": only the full email resolves to one of them.
    assert 'data-mention="tara@one.example"' in html and 'data-mention="tara@two.example"' in html
    assert 'data-mention="tom.tenby"' in html
    assert applicant.email not in html
    assert client.get(url, {"q": "zzz"}).content.decode().strip() == ""


# --- documents -------------------------------------------------------------------------------


def test_upload_a_document_and_download_it(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    url = reverse("staff-case-document-upload", args=[case.pk])
    response = client.post(url, {"document-file": upload(PDF, "lease.pdf"), "document-category": "tenancy"}, **HTMX)
    assert response.status_code == 200
    document = Document.objects.get(case=case)
    html = response.content.decode()
    assert "lease.pdf uploaded." in html
    assert reverse("document-download", args=[document.pk]) in html
    assert client.get(reverse("document-download", args=[document.pk])).status_code == 200


@pytest.mark.parametrize(
    ("content", "name", "category", "field", "message"),
    [
        (b"MZ\x90\x00 not a document", "lease.pdf", "tenancy", "file", "not"),
        (PDF, "lease.pdf", "", "category", "Choose a category."),
        (image_bytes("PNG"), "photo.pdf", "other", "file", ""),
    ],
)
def test_a_refused_upload_is_a_400_on_its_field_and_nothing_is_stored(
    client, caseworker, content, name, category, field, message
):
    case = housing_case()
    client.force_login(caseworker)
    url = reverse("staff-case-document-upload", args=[case.pk])
    response = client.post(url, {"document-file": upload(content, name), "document-category": category})
    assert response.status_code == 400
    form = response.context["document_form"]
    assert form.errors.get(field)
    assert message in " ".join(form.errors[field])
    assert f'href="#id_document-{field}"' in response.content.decode()
    assert not Document.objects.exists()


# --- reviews, referrals, appointments ----------------------------------------------------------


def test_log_a_review_updates_last_reviewed(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    url = reverse("staff-case-review-log", args=[case.pk])
    response = client.post(url, {"review-comment": REVIEW_TEMPLATE}, **HTMX)
    assert response.status_code == 400
    assert "Fill in the review template before logging the review." in response.content.decode()
    case.refresh_from_db()
    assert case.last_reviewed_at is None
    comment = "Current Status: waiting for the lease\nPending Action Items: chase\nPending Action Owner: me"
    response = client.post(url, {"review-comment": comment}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="case-summary"' in html and 'hx-swap-oob="true"' in html  # the summary refreshes too
    case.refresh_from_db()
    assert case.last_reviewed_by == caseworker and case.last_review_comment == comment


def test_refer_to_a_team_and_refusals(client, caseworker):
    case = housing_case()
    reason = ReferralReasonFactory(name="Tenancy sustainment")
    queue = QueueFactory(team=reason.team)
    other_reason = ReferralReasonFactory(name="Elsewhere")
    client.force_login(caseworker)
    url = reverse("staff-case-referral-add", args=[case.pk])
    data = {"referral-team": reason.team.pk, "referral-reason": reason.pk, "referral-comments": "Help with budgeting"}
    # A reason of another team: the service says so on the reason field.
    response = client.post(url, {**data, "referral-reason": other_reason.pk})
    assert response.status_code == 400
    assert "is not one of" in " ".join(response.context["referral_form"].errors["reason"])
    assert client.post(url, {**data, "referral-comments": ""}).status_code == 400
    assert not Referral.objects.exists()

    response = client.post(url, {**data, "referral-to_queue": queue.pk}, **HTMX)
    assert response.status_code == 200
    assert f"Referred to {reason.team.name}." in response.content.decode()
    case.refresh_from_db()
    assert case.owner_queue == queue
    # Referring again for the same reason while the first is live conflicts.
    response = client.post(url, data, **HTMX)
    assert response.status_code == 409
    assert "already has an open referral" in response.content.decode()
    assert Referral.objects.count() == 1


def test_book_an_appointment_and_refusals(client, caseworker):
    case = housing_case()
    client.force_login(caseworker)
    url = reverse("staff-case-appointment-add", args=[case.pk])
    starts = (timezone.localtime() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    data = {
        "appointment-starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "appointment-mode": "in_person",
        "appointment-location": "",
        "appointment-with_name": "Tara Reilly",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "An in-person appointment needs a place" in response.content.decode()
    assert not Appointment.objects.exists()
    response = client.post(url, {**data, "appointment-location": "Civic Centre"})
    assert response.status_code == 302
    appointment = Appointment.objects.get(case=case)
    assert (appointment.starts_at, appointment.location) == (starts, "Civic Centre")


# --- a constant number of queries ------------------------------------------------------------


def _fill(case: Case, user, n: int) -> None:
    """n rows in every section, with every relation a row shows filled in: a column a section
    leaves unread but its template shows would cost a query per row."""
    subtype = ReferralSubtypeFactory()
    reason = subtype.reason
    notes = Note.objects.bulk_create(Note(case=case, author=user, body=f"Note {i}") for i in range(n))
    NoteMention.objects.bulk_create(NoteMention(note=note, user=user) for note in notes)
    CaseActivity.objects.bulk_create(
        CaseActivity(case=case, kind="note", actor=user, summary="Note", note=note) for note in notes
    )
    Task.objects.bulk_create(Task(case=case, subject=f"Task {i}", assignee=user) for i in range(n))
    Task.objects.bulk_create(Task(case=case, subject=f"Team task {i}", assignee_team=reason.team) for i in range(n))
    Document.objects.bulk_create(
        Document(
            case=case,
            category="other",
            file=f"cases/{case.pk}/f{i}",
            original_name=f"f{i}.pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            uploaded_by=user,
        )
        for i in range(n)
    )
    Referral.objects.bulk_create(
        Referral(
            case=case,
            team=reason.team,
            reason=reason,
            subtype=subtype,
            comments="c",
            created_by=user,
            accepted_by=user,
            status=Referral.Status.ACCEPTED,
        )
        for _ in range(n)
    )
    starts = timezone.now() + datetime.timedelta(days=1)
    Appointment.objects.bulk_create(
        Appointment(case=case, starts_at=starts, mode="video", with_user=user, location="Room 1") for _ in range(n)
    )


def _messages(case: Case, n: int) -> None:
    from django.contrib.contenttypes.models import ContentType

    from communications import services as communications
    from communications.models import Message, Template

    template = Template.objects.filter(key="fill-letter").first() or communications.template_save(
        actor=None, key="fill-letter", name="Fill letter", channel="letter", body="Dear {{ recipient.name }}"
    )
    version = communications.template_current_version(template)
    regarding = ContentType.objects.get_for_model(Case)
    Message.objects.bulk_create(
        Message(
            idempotency_key=f"fill-{case.pk}-{i}",
            channel="letter",
            template_version=version,
            regarding_type=regarding,
            regarding_id=case.pk,
            recipient_name="Jo",
            status="failed" if i % 2 else "sent",
            needs_review=bool(i % 2),
        )
        for i in range(n)
    )


def _queries(client, case: Case, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page_url(case), params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("shown", [None, "referrals", "messages"])
def test_the_page_renders_in_the_same_number_of_queries_for_10_and_1000_rows(client, caseworker, shown):
    small, large = housing_case(), housing_case()
    for case, n in ((small, 10), (large, 1000)):
        _fill(case, caseworker, n)
        _messages(case, n)
    client.force_login(caseworker)
    params = {"show": shown} if shown else {}
    _queries(client, small, **params)  # warm the session and content-type caches
    small_count, large_count = _queries(client, small, **params), _queries(client, large, **params)
    print(f"case page queries (shown: {shown}): 10 rows {small_count}, 1000 rows {large_count}")
    assert small_count == large_count
    # Session, the user with their roles, the case (its tenancy, linked cases and the people it
    # names only when it has them: none here), tasks, feed, documents and the documents asked
    # for, appointments (staff read once for both forms), presence bar; a section loaded after
    # the page adds its own (referrals: the list and three pickers; messages: the list and the
    # templates).
    assert large_count <= {None: 10, "referrals": 14, "messages": 12}[shown]
    if shown is None:
        assert "Show more activity" in client.get(page_url(large)).content.decode()


def test_show_more_grows_a_section_in_place_or_reloads_the_page_without_js(client, caseworker):
    case = housing_case()
    _fill(case, caseworker, 30)
    client.force_login(caseworker)
    url = reverse("staff-case-section", args=[case.pk, "feed"])
    response = client.get(url, {"feed": "40"}, **HTMX)
    assert response.status_code == 200
    assert len(response.context["feed"]) == 30 and response.context["feed_more"] is None
    assert "<html" not in response.content.decode()
    response = client.get(url, {"feed": "40"})
    assert response.status_code == 302 and response["Location"].endswith("?feed=40#case-feed")
    assert len(client.get(page_url(case)).context["feed"]) == 20
    assert client.get(reverse("staff-case-section", args=[case.pk, "nope"]), **HTMX).status_code == 404
