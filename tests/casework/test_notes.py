"""Notes with @mentions: which handles resolve (active staff only), who is notified in-app and
by email (once), the limits, closed cases and the API."""

import pytest
from django.core import mail
from django.db import ProgrammingError, transaction

from casework import tasks as jobs
from casework.models import NOTE_MAX_LENGTH, CaseActivity, Note, NoteMention, Notification
from casework.services import notes as note_services
from core import errors
from core.roles import Role
from tests.casework.factories import CaseFactory, tenant_case
from tests.casework.work_helpers import api_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def chaser(make_staff):
    return make_staff(Role.CASEWORKER, email="chaser@demo.example", first_name="Chris", last_name="Chaser")


@pytest.fixture
def reviewer(make_staff):
    return make_staff(Role.CASEWORKER, email="reviewer@demo.example", first_name="Rae", last_name="Viewer")


def _nothing_written():
    assert not Note.objects.exists()
    assert not NoteMention.objects.exists()
    assert not Notification.objects.exists()
    assert not CaseActivity.objects.exists()


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "handles"),
    [
        ("@chaser please call", ["chaser"]),
        ("Ask @Chaser.", ["chaser"]),
        ("(cc @chaser, @reviewer)", ["chaser", "reviewer"]),
        ("@chaser then @CHASER again", ["chaser"]),
        ("write to @chaser@demo.example today", ["chaser@demo.example"]),
        ("Tenant emailed tara@example.com", []),
        ("@first.last-name+x", ["first.last-name+x"]),
        ("no mentions @ all", []),
    ],
)
def test_mention_handles(body, handles):
    assert note_services.mention_handles(body) == handles


# --- note_add --------------------------------------------------------------------------------


def test_a_mention_is_stored_and_notified_in_app_and_by_email_once(
    caseworker, chaser, django_capture_on_commit_callbacks
):
    case = tenant_case()
    with django_capture_on_commit_callbacks() as callbacks:
        note = note_services.note_add(actor=caseworker, case=case, body="  @chaser can you ring the landlord?  ")
    note.refresh_from_db()
    assert (note.body, note.author, note.case) == ("@chaser can you ring the landlord?", caseworker, case)
    assert list(note.mentions.all()) == [chaser]
    assert list(note.mention_report.resolved) == ["chaser"]

    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (chaser, Notification.Kind.MENTION)
    assert (notification.note, notification.case) == (note, case)
    assert "Casey Worker mentioned you" in notification.message and case.number in notification.message
    assert len(callbacks) == 1  # the email job is queued once the note commits

    entry = CaseActivity.objects.get()
    assert (entry.kind, entry.note, entry.actor) == (CaseActivity.Kind.NOTE, note, caseworker)

    # The email job, as a worker would run it: twice (a redelivery) sends one email.
    assert jobs.notification_email_send(notification.pk) is True
    assert jobs.notification_email_send(notification.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["chaser@demo.example"]
    assert case.number in mail.outbox[0].subject
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_several_mentions_and_the_author_is_not_notified(caseworker, chaser, reviewer):
    note = note_services.note_add(
        actor=caseworker, case=tenant_case(), body="@chaser @reviewer and me @caseworker, also @chaser"
    )
    assert set(note.mentions.all()) == {chaser, reviewer, caseworker}
    assert set(Notification.objects.values_list("recipient", flat=True)) == {chaser.pk, reviewer.pk}


def test_applicants_and_inactive_staff_are_never_mentioned(caseworker, applicant, make_staff):
    gone = make_staff(Role.CASEWORKER, email="gone@demo.example")
    gone.is_active = False
    gone.save()
    handle = applicant.email.split("@")[0]
    note = note_services.note_add(actor=caseworker, case=tenant_case(), body=f"@{handle} @{applicant.email} @gone")
    assert not note.mentions.exists()
    assert not Notification.objects.exists()
    assert set(note.mention_report.unresolved) == {handle, applicant.email, "gone"}
    assert note.body == f"@{handle} @{applicant.email} @gone"  # left as text


def test_a_shared_handle_must_be_written_as_the_full_email(caseworker, chaser, make_staff):
    other = make_staff(Role.CASEWORKER, email="chaser@other.example")
    note = note_services.note_add(actor=caseworker, case=tenant_case(), body="@chaser ...")
    assert not note.mentions.exists()
    assert "write the full email instead, e.g. @chaser@" in note.mention_report.unresolved["chaser"]
    note = note_services.note_add(actor=caseworker, case=tenant_case(), body="@Chaser@Other.Example please")
    assert list(note.mentions.all()) == [other]
    assert Notification.objects.get().recipient == other


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "Enter the note."),
        ("x" * (NOTE_MAX_LENGTH + 1), f"at most {NOTE_MAX_LENGTH:,} characters (you entered {NOTE_MAX_LENGTH + 1:,})"),
    ],
)
def test_a_blank_or_over_long_note_is_refused_and_nothing_written(caseworker, chaser, body, message):
    with pytest.raises(errors.ValidationError) as caught:
        note_services.note_add(actor=caseworker, case=tenant_case(), body=body)
    assert message in caught.value.fields["body"][0]
    _nothing_written()


def test_a_note_of_exactly_the_limit_is_accepted(caseworker):
    body = "@nobody " + "x" * (NOTE_MAX_LENGTH - 8)
    note = note_services.note_add(actor=caseworker, case=tenant_case(), body=body)
    assert len(note.body) == NOTE_MAX_LENGTH


def test_a_note_cannot_mention_more_than_fifty_people(caseworker, make_staff):
    staff = [
        make_staff(Role.CASEWORKER, email=f"person{n}@demo.example") for n in range(note_services.MAX_MENTIONS + 1)
    ]
    body = " ".join(f"@{user.email.split('@')[0]}" for user in staff)
    with pytest.raises(errors.ValidationError) as caught:
        note_services.note_add(actor=caseworker, case=tenant_case(), body=body)
    assert "at most 50 people (this one mentions 51)" in caught.value.fields["body"][0]
    _nothing_written()


def test_caseworkers_cannot_add_notes_to_a_closed_case_but_supervisors_can(caseworker, supervisor, chaser):
    case = CaseFactory(status="closed", closure_stage="paid")
    with pytest.raises(errors.Conflict, match="is closed"):
        note_services.note_add(actor=caseworker, case=case, body="@chaser late info")
    _nothing_written()
    note = note_services.note_add(actor=supervisor, case=case, body="@chaser reopen?")
    assert note.case == case and Notification.objects.get().recipient == chaser


def test_applicants_cannot_add_notes_even_to_their_own_case(applicant, chaser):
    case = tenant_case(applicant=applicant)
    with pytest.raises(errors.PermissionDenied):
        note_services.note_add(actor=applicant, case=case, body="@chaser hello")
    _nothing_written()


def test_a_note_needs_an_author():
    with pytest.raises(errors.PermissionDenied):
        note_services.note_add(actor=None, case=tenant_case(), body="From the system")
    _nothing_written()


def test_notes_are_never_edited(caseworker):
    note = note_services.note_add(actor=caseworker, case=tenant_case(), body="Original")
    with pytest.raises(ProgrammingError), transaction.atomic():
        Note.objects.filter(pk=note.pk).update(body="Rewritten")


# --- API -------------------------------------------------------------------------------------


@pytest.fixture
def api(client, caseworker):
    client.force_login(caseworker)
    return client


def test_api_add_a_note_lists_resolved_and_unresolved_handles(api, caseworker, chaser):
    case = tenant_case()
    response = api.post(f"/api/v1/cases/{case.pk}/notes/", {"body": "@chaser and @nobody: see the lease."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["body"] == "@chaser and @nobody: see the lease."
    assert body["author"] == {"id": caseworker.pk, "name": "Casey Worker", "email": "caseworker@test.example"}
    chris = {"id": chaser.pk, "name": "Chris Chaser", "email": "chaser@demo.example"}
    assert body["mentions"] == [chris]
    assert body["resolved_mentions"] == [{"handle": "chaser", "user": chris}]
    assert body["unresolved_mentions"] == [{"handle": "nobody", "reason": "No active staff member uses @nobody."}]

    listed = api.get(f"/api/v1/cases/{case.pk}/notes/").json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == body["id"] and listed["results"][0]["mentions"] == [chris]
    assert "resolved_mentions" not in listed["results"][0]


def test_api_notes_are_listed_newest_first(api, caseworker):
    case = tenant_case()
    first = note_services.note_add(actor=caseworker, case=case, body="First")
    second = note_services.note_add(actor=caseworker, case=case, body="Second")
    results = api.get(f"/api/v1/cases/{case.pk}/notes/").json()["results"]
    assert [row["id"] for row in results] == [second.pk, first.pk]


def test_api_note_refusals(api):
    case = tenant_case()
    assert api_error(api.post(f"/api/v1/cases/{case.pk}/notes/", {"body": ""}), 400, "validation_error")["fields"] == {
        "body": ["Enter the note."]
    }
    api_error(api.post(f"/api/v1/cases/{case.pk}/notes/", {}), 400, "validation_error")
    closed = CaseFactory(status="closed")
    api_error(api.post(f"/api/v1/cases/{closed.pk}/notes/", {"body": "Late"}), 409, "conflict")
    api_error(api.post(f"/api/v1/cases/{case.pk + 999}/notes/", {"body": "Lost"}), 404, "not_found")
    api_error(api.get(f"/api/v1/cases/{case.pk + 999}/notes/"), 404, "not_found")
    assert not Note.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_applicants_cannot_use_the_notes_api(client, applicant, method):
    case = tenant_case(applicant=applicant)
    client.force_login(applicant)
    response = getattr(client, method)(f"/api/v1/cases/{case.pk}/notes/", {"body": "Hello"})
    api_error(response, 403, "permission_denied")
    assert not Note.objects.exists()
