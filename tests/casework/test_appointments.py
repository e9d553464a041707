"""Appointments on cases and tasks: booking with its rules, changing, the three endings, closed
cases, the feed and the audit trail, the API for staff and the read-only view for applicants,
and the admin's cancel action."""

import datetime

import pytest
from django.utils import timezone

from casework.models import Appointment, CaseActivity, Task
from casework.services import appointments as appointment_services
from core import errors
from core.audit import events_for
from core.models import User
from tests.casework.factories import tenant_case
from tests.casework.factories_docs import AppointmentFactory, TaskFactory, api_error, in_hours, make_applicant

pytestmark = pytest.mark.django_db

Mode = Appointment.Mode


def book(actor, **overrides) -> Appointment:
    values = {
        "case": overrides.pop("case") if "case" in overrides else tenant_case(status="chaser"),
        "starts_at": in_hours(24),
        "ends_at": in_hours(24.5),
        "mode": Mode.PHONE,
        "location": "07700 900456",
        "with_name": "Tara Reilly",
        **overrides,
    }
    return appointment_services.appointment_create(actor=actor, **values)


def feed(case) -> list[tuple[str, str]]:
    return list(
        CaseActivity.objects.filter(case=case, kind=CaseActivity.Kind.APPOINTMENT)
        .order_by("id")
        .values_list("summary", "reason")
    )


# --- booking -----------------------------------------------------------------------------------


def test_a_phone_appointment_is_booked_scheduled_on_the_feed_and_audited(caseworker):
    case = tenant_case(status="chaser")
    starts = timezone.make_aware(datetime.datetime(2030, 3, 4, 10, 30))
    appointment = book(caseworker, case=case, starts_at=starts, ends_at=starts + datetime.timedelta(minutes=20))
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.SCHEDULED
    assert appointment.location == "07700 900456"
    assert appointment.created_by == caseworker
    assert feed(case) == [("Appointment booked: phone call on 04 Mar 2030 10:30 with Tara Reilly", "")]
    entry = CaseActivity.objects.get(case=case, kind=CaseActivity.Kind.APPOINTMENT)
    assert entry.actor == caseworker
    assert entry.data == {"appointment_id": appointment.pk, "status": "scheduled", "mode": "phone"}
    event = events_for(appointment).get()
    assert event.pgh_context["user"] == caseworker.pk
    assert event.pgh_context["action"] == "appointment_create"


def test_an_in_person_appointment_with_a_member_of_staff(caseworker, supervisor):
    appointment = book(
        caseworker, mode=Mode.IN_PERSON, location="  Civic Centre,   Room 2 ", with_user=supervisor, with_name=""
    )
    assert appointment.location == "Civic Centre, Room 2"
    assert appointment.with_user == supervisor
    assert "with Sue Pervisor" in feed(appointment.case)[0][0]


def test_a_video_appointment_needs_no_place_and_no_end(caseworker):
    appointment = book(caseworker, mode=Mode.VIDEO, location="", ends_at=None)
    assert appointment.mode == Mode.VIDEO and appointment.ends_at is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_in": -60}, "ends_at", "The appointment must end after it starts."),
        ({"ends_in": 0}, "ends_at", "The appointment must end after it starts."),
        ({"location": ""}, "location", "A phone appointment needs the number to call."),
        ({"location": "call me maybe"}, "location", "Enter the number to call"),
        ({"mode": Mode.IN_PERSON, "location": "  "}, "location", "An in-person appointment needs a place"),
        ({"mode": "carrier_pigeon"}, "mode", "Choose how the appointment happens"),
        ({"with_name": ""}, "non_field_errors", "Say who the appointment is with"),
        ({"starts_at": None}, "starts_at", "Give the date and time the appointment starts."),
        ({"starts_at": datetime.datetime(2030, 1, 1, 9), "ends_at": None}, "starts_at", "time zone"),
    ],
)
def test_booking_is_refused_with_a_clear_message_and_nothing_written(caseworker, overrides, field, message):
    case = tenant_case(status="chaser")
    overrides = dict(overrides)
    starts_at = overrides.pop("starts_at", in_hours(24))
    if "ends_in" in overrides:
        overrides["ends_at"] = starts_at + datetime.timedelta(minutes=overrides.pop("ends_in"))
    with pytest.raises(errors.ValidationError) as refused:
        book(caseworker, case=case, starts_at=starts_at, **overrides)
    assert any(message in m for m in refused.value.fields[field]), refused.value.fields
    assert not Appointment.objects.exists()
    assert feed(case) == []


def test_the_person_met_must_be_staff_when_given_as_a_user(caseworker):
    with pytest.raises(errors.ValidationError) as refused:
        book(caseworker, with_user=make_applicant(), with_name="")
    assert refused.value.fields["with_user"] == ["Choose a member of staff, or give the person's name instead."]


def test_an_appointment_needs_a_case_or_a_task(caseworker):
    with pytest.raises(errors.ValidationError) as refused:
        appointment_services.appointment_create(
            actor=caseworker, starts_at=in_hours(1), mode=Mode.VIDEO, with_name="Tara"
        )
    assert refused.value.fields == {"non_field_errors": ["An appointment belongs to a case or a task."]}


def test_a_caseworker_cannot_book_on_a_closed_case_but_a_supervisor_can(caseworker, supervisor):
    case = tenant_case(status="closed", closure_stage="denied")
    with pytest.raises(errors.Conflict, match=f"Case {case.number} is closed, so you cannot book appointments"):
        book(caseworker, case=case)
    assert not Appointment.objects.exists()
    assert book(supervisor, case=case).case == case


def test_applicants_cannot_book_appointments():
    tenant = make_applicant()
    case = tenant_case(status="chaser", applicant=tenant)
    with pytest.raises(errors.PermissionDenied):
        book(tenant, case=case)
    assert not Appointment.objects.exists()


# --- on a task ---------------------------------------------------------------------------------


def test_an_appointment_on_a_case_task_is_on_the_case_too(caseworker):
    case = tenant_case(status="chaser")
    task = TaskFactory(case=case)
    appointment = book(caseworker, case=None, task=task)
    assert appointment.case == case and appointment.task == task
    assert CaseActivity.objects.get(case=case, kind=CaseActivity.Kind.APPOINTMENT).task == task


def test_an_appointment_on_a_task_without_a_case_has_no_feed(caseworker):
    task = TaskFactory(case=None)
    appointment = appointment_services.appointment_create(
        actor=caseworker, task=task, starts_at=in_hours(2), mode=Mode.VIDEO, with_name="Housing options"
    )
    assert appointment.case is None
    assert not CaseActivity.objects.exists()


def test_a_task_on_another_case_is_refused(caseworker):
    task = TaskFactory(case=tenant_case())
    with pytest.raises(errors.ValidationError) as refused:
        book(caseworker, case=tenant_case(), task=task)
    assert refused.value.fields == {"task": ["That task belongs to a different case."]}


def test_a_finished_task_takes_no_appointments(caseworker):
    task = TaskFactory(case=tenant_case())
    Task.objects.filter(pk=task.pk).update(status="completed", completed_at=timezone.now())
    task.refresh_from_db()
    with pytest.raises(errors.Conflict, match="is completed"):
        book(caseworker, case=None, task=task)


# --- changing and ending -------------------------------------------------------------------------


def test_moving_an_appointment_is_recorded(caseworker):
    appointment = book(caseworker)
    new_start = appointment.starts_at + datetime.timedelta(days=2)
    changed = appointment_services.appointment_update(
        actor=caseworker, appointment=appointment, starts_at=new_start, ends_at=new_start + datetime.timedelta(hours=1)
    )
    changed.refresh_from_db()
    assert changed.starts_at == new_start
    assert feed(appointment.case)[-1][0].startswith("Appointment moved: phone call on")
    actions = {event.pgh_label: event.pgh_context["action"] for event in events_for(changed)}
    assert actions == {"insert": "appointment_create", "update": "appointment_update"}


def test_changing_the_mode_applies_the_rules_of_the_new_mode(caseworker):
    appointment = book(caseworker)
    with pytest.raises(errors.ValidationError) as refused:
        appointment_services.appointment_update(
            actor=caseworker, appointment=appointment, mode=Mode.IN_PERSON, location=""
        )
    assert "location" in refused.value.fields
    appointment.refresh_from_db()
    assert appointment.mode == Mode.PHONE


def test_a_change_that_changes_nothing_writes_nothing(caseworker):
    appointment = book(caseworker)
    appointment_services.appointment_update(actor=caseworker, appointment=appointment, location="07700 900456")
    assert len(feed(appointment.case)) == 1


def test_only_the_editable_fields_can_be_changed(caseworker):
    appointment = book(caseworker)
    with pytest.raises(errors.ValidationError) as refused:
        appointment_services.appointment_update(actor=caseworker, appointment=appointment, status="completed")
    assert refused.value.fields == {"status": ["This cannot be changed here."]}


@pytest.mark.parametrize(
    ("end", "status", "summary"),
    [
        ("cancel", "cancelled", "Appointment cancelled"),
        ("complete", "completed", "Appointment held"),
        ("mark_missed", "missed", "Appointment missed"),
    ],
)
def test_each_ending_sets_its_status_once(caseworker, end, status, summary):
    appointment = book(caseworker, starts_at=in_hours(-2), ends_at=in_hours(-1))
    service = getattr(appointment_services, f"appointment_{end}")
    note = {"outcome": "Agreed a plan"} if end == "complete" else {"reason": "Tenant asked to rearrange"}
    ended = service(actor=caseworker, appointment=appointment, **note)
    ended.refresh_from_db()
    assert ended.status == status
    assert ended.notes == next(iter(note.values()))
    assert feed(appointment.case)[-1] == (
        f"{summary}: phone call on {timezone.localtime(ended.starts_at):%d %b %Y %H:%M} with Tara Reilly",
        next(iter(note.values())),
    )
    for other in ("cancel", "complete", "mark_missed"):
        with pytest.raises(errors.TransitionNotAllowed, match=f"already {status}"):
            getattr(appointment_services, f"appointment_{other}")(actor=caseworker, appointment=ended)
    with pytest.raises(errors.TransitionNotAllowed):
        appointment_services.appointment_update(actor=caseworker, appointment=ended, notes="late edit")
    ended.refresh_from_db()
    assert ended.status == status
    assert len(feed(appointment.case)) == 2


def test_an_appointment_cannot_be_missed_before_it_starts(caseworker):
    appointment = book(caseworker)
    with pytest.raises(errors.Conflict, match="has not started yet"):
        appointment_services.appointment_mark_missed(actor=caseworker, appointment=appointment)
    appointment.refresh_from_db()
    assert appointment.status == "scheduled"


def test_a_closed_cases_appointments_are_read_only_to_caseworkers(caseworker):
    appointment = AppointmentFactory(case=tenant_case(status="closed", closure_stage="withdrawn"))
    with pytest.raises(errors.Conflict, match="is closed"):
        appointment_services.appointment_cancel(actor=caseworker, appointment=appointment)
    with pytest.raises(errors.Conflict, match="is closed"):
        appointment_services.appointment_update(actor=caseworker, appointment=appointment, notes="x")
    appointment.refresh_from_db()
    assert appointment.status == "scheduled" and appointment.notes == ""


# --- API ---------------------------------------------------------------------------------------


def test_staff_book_and_list_appointments_through_the_api(client, caseworker, supervisor):
    case = tenant_case(status="chaser")
    client.force_login(caseworker)
    response = client.post(
        f"/api/v1/cases/{case.pk}/appointments/",
        {
            "starts_at": "2030-05-06T14:00:00+01:00",
            "ends_at": "2030-05-06T15:00:00+01:00",
            "mode": "in_person",
            "location": "Civic Centre",
            "with_user": supervisor.pk,
            "notes": "Bring the rent statement",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "scheduled"
    assert body["with_user_name"] == "Sue Pervisor"
    assert body["case"] == case.pk
    listed = client.get(f"/api/v1/cases/{case.pk}/appointments/").json()
    assert [a["id"] for a in listed["results"]] == [body["id"]]
    assert listed["results"][0]["notes"] == "Bring the rent statement"


def test_a_refused_booking_through_the_api_is_a_400_with_the_field(client, caseworker):
    case = tenant_case(status="chaser")
    client.force_login(caseworker)
    response = client.post(
        f"/api/v1/cases/{case.pk}/appointments/",
        {"starts_at": "2030-05-06T14:00:00Z", "ends_at": "2030-05-06T13:00:00Z", "mode": "phone", "with_name": "T"},
        content_type="application/json",
    )
    assert response.status_code == 400
    error = api_error(response)
    assert error["fields"]["ends_at"] == ["The appointment must end after it starts."]
    assert error["fields"]["location"] == ["A phone appointment needs the number to call."]
    assert not Appointment.objects.exists()


def test_booking_on_a_task_of_the_case_through_the_api(client, caseworker):
    case = tenant_case(status="chaser")
    task = TaskFactory(case=case)
    client.force_login(caseworker)
    response = client.post(
        f"/api/v1/cases/{case.pk}/appointments/",
        {"starts_at": "2030-05-06T14:00:00Z", "mode": "video", "with_name": "Tara", "task": task.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["task"] == task.pk


def test_staff_change_and_end_appointments_through_the_api(client, caseworker):
    appointment = book(caseworker, starts_at=in_hours(-1), ends_at=None)
    client.force_login(caseworker)
    response = client.patch(
        f"/api/v1/appointments/{appointment.pk}/",
        {"location": "+44 7700 900999"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["location"] == "+44 7700 900999"
    response = client.post(
        f"/api/v1/appointments/{appointment.pk}/missed/", {"reason": "No answer"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "missed"
    again = client.post(f"/api/v1/appointments/{appointment.pk}/cancel/", {}, content_type="application/json")
    assert again.status_code == 409
    assert api_error(again)["code"] == "transition_not_allowed"


@pytest.mark.parametrize(("action", "status"), [("cancel", "cancelled"), ("complete", "completed")])
def test_cancel_and_complete_through_the_api(client, caseworker, action, status):
    appointment = book(caseworker)
    client.force_login(caseworker)
    response = client.post(
        f"/api/v1/appointments/{appointment.pk}/{action}/", {"reason": "As agreed"}, content_type="application/json"
    )
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == status
    assert appointment.notes == "As agreed"


def test_the_applicant_sees_their_cases_appointments_without_staff_notes(client, caseworker):
    tenant = make_applicant(User.Kind.TENANT)
    case = tenant_case(status="chaser", applicant=tenant)
    appointment = book(caseworker, case=case, with_user=caseworker, with_name="", notes="Suspected fraud: check ID")
    client.force_login(tenant)
    listed = client.get(f"/api/v1/cases/{case.pk}/appointments/")
    assert listed.status_code == 200
    result = listed.json()["results"][0]
    assert set(result) == {"id", "case", "starts_at", "ends_at", "mode", "location", "with_whom", "status"}
    assert result["with_whom"] == "Casey Worker"
    detail = client.get(f"/api/v1/appointments/{appointment.pk}/")
    assert detail.status_code == 200
    assert "notes" not in detail.json()


def test_the_applicant_cannot_change_appointments(client, caseworker):
    tenant = make_applicant(User.Kind.TENANT)
    appointment = book(caseworker, case=tenant_case(status="chaser", applicant=tenant))
    client.force_login(tenant)
    for response in (
        client.post(f"/api/v1/cases/{appointment.case_id}/appointments/", {}, content_type="application/json"),
        client.patch(f"/api/v1/appointments/{appointment.pk}/", {"notes": "x"}, content_type="application/json"),
        client.post(f"/api/v1/appointments/{appointment.pk}/cancel/", {}, content_type="application/json"),
    ):
        assert response.status_code == 403
        assert api_error(response)["message"] == "Only staff can arrange or change appointments."
    appointment.refresh_from_db()
    assert appointment.status == "scheduled"


def test_another_applicant_gets_404(client, caseworker):
    appointment = book(caseworker, case=tenant_case(status="chaser", applicant=make_applicant()))
    client.force_login(make_applicant(User.Kind.LANDLORD))
    assert client.get(f"/api/v1/cases/{appointment.case_id}/appointments/").status_code == 404
    assert client.get(f"/api/v1/appointments/{appointment.pk}/").status_code == 404


def test_anonymous_visitors_get_401(client, caseworker):
    appointment = book(caseworker)
    assert client.get(f"/api/v1/cases/{appointment.case_id}/appointments/").status_code == 401
    assert client.get(f"/api/v1/appointments/{appointment.pk}/").status_code == 401


# --- admin -------------------------------------------------------------------------------------


def test_the_admin_lists_appointments_with_filters_and_cannot_edit_them(client, supervisor):
    appointment = AppointmentFactory(case=tenant_case())
    client.force_login(supervisor)
    listing = client.get("/admin/casework/appointment/", {"status__exact": "scheduled", "mode__exact": "phone"})
    assert listing.status_code == 200
    assert f"/admin/casework/appointment/{appointment.pk}/change/".encode() in listing.content
    assert client.get("/admin/casework/appointment/add/").status_code == 403
    detail = client.get(f"/admin/casework/appointment/{appointment.pk}/change/")
    assert detail.status_code == 200
    assert b'name="status"' not in detail.content


def test_the_admin_cancel_action_calls_the_service(client, supervisor):
    case = tenant_case(status="chaser")
    scheduled = AppointmentFactory(case=case)
    held = AppointmentFactory(case=case, status=Appointment.Status.COMPLETED)
    client.force_login(supervisor)
    response = client.post(
        "/admin/casework/appointment/",
        {"action": "cancel_appointments", "_selected_action": [scheduled.pk, held.pk]},
        follow=True,
    )
    assert response.status_code == 200
    scheduled.refresh_from_db()
    held.refresh_from_db()
    assert scheduled.status == "cancelled"
    assert held.status == "completed"
    messages = [str(m) for m in response.context["messages"]]
    assert "Cancelled 1 appointment(s)." in messages
    assert any("already completed" in m for m in messages)
    assert feed(case) == [
        (f"Appointment cancelled: {appointment_services._describe(scheduled)}", "Cancelled in the admin.")
    ]
