"""Appointments on the application's page: the upcoming ones listed, cancelling one (only up to
the notice period before it starts), asking to rearrange one (one open call-back task for
whoever will move it, a second refused while it is open), and nothing changeable once it is
past, cancelled or the application is closed."""

from __future__ import annotations

import pytest

from casework.models import Appointment, CaseActivity, Notification, Task
from casework.services.tasks import task_complete
from core import errors
from core.audit import events_for
from portal.services.appointments import appointment_rearrange_request
from tests.casework.factories import QueueFactory, team_member, tenant_case
from tests.casework.factories_docs import AppointmentFactory, in_hours
from tests.portal.factories import make_applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant():
    return make_applicant()


@pytest.fixture
def case(tenant):
    return tenant_case(applicant=tenant, status="chaser")


def url(appointment, action: str) -> str:
    return f"/portal/applications/{appointment.case.number}/appointments/{appointment.pk}/{action}/"


def page(case) -> str:
    return f"/portal/applications/{case.number}/"


def test_upcoming_appointments_are_listed_with_their_actions(client, tenant, case, caseworker):
    soon = AppointmentFactory(case=case, starts_at=in_hours(48), mode="in_person", location="Civic Centre, Room 4")
    AppointmentFactory(case=case, starts_at=in_hours(-48))  # past
    AppointmentFactory(case=case, starts_at=in_hours(72), status="cancelled", location="07700 900999")
    client.force_login(tenant)
    content = client.get(page(case)).content.decode()
    assert "Your appointments" in content and "Civic Centre, Room 4" in content
    assert url(soon, "cancel") in content and url(soon, "rearrange") in content
    assert "07700 900999" not in content and content.count('class="govuk-summary-card__title"') == 1


@pytest.mark.parametrize(("hours", "allowed"), [(48, True), (25, True), (23, False), (1, False)])
def test_cancelling_is_allowed_only_up_to_the_notice_period(client, tenant, case, hours, allowed):
    appointment = AppointmentFactory(case=case, starts_at=in_hours(hours))
    client.force_login(tenant)
    confirm = client.get(url(appointment, "cancel")).content.decode()
    response = client.post(url(appointment, "cancel"), {"reason": "I am working that day"})
    appointment.refresh_from_db()
    if allowed:
        assert "Cancel the appointment" in confirm
        assert response.status_code == 302 and response["Location"] == page(case)
        assert appointment.status == "cancelled" and "I am working that day" in appointment.notes
        entry = CaseActivity.objects.get(case=case, kind="appointment")
        assert entry.actor == tenant and entry.summary.startswith("Appointment cancelled")
        assert "appointment_cancel" in {(event.pgh_context or {}).get("action") for event in events_for(appointment)}
        assert "Your appointment has been cancelled." in client.get(page(case)).content.decode()
    else:
        assert "less than 24 hours away" in confirm and "Cancel the appointment" not in confirm
        assert response.status_code == 409
        assert appointment.status == "scheduled"
        assert not CaseActivity.objects.filter(case=case, kind="appointment").exists()


def test_the_notice_period_is_a_setting(client, tenant, case, settings):
    settings.PORTAL_APPOINTMENT_CHANGE_NOTICE_HOURS = 2
    appointment = AppointmentFactory(case=case, starts_at=in_hours(3))
    client.force_login(tenant)
    assert client.post(url(appointment, "cancel"), {}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


@pytest.mark.parametrize("status", ["cancelled", "completed", "missed"])
def test_a_finished_appointment_cannot_be_changed(client, tenant, case, status):
    appointment = AppointmentFactory(case=case, starts_at=in_hours(72), status=status)
    client.force_login(tenant)
    for action in ("cancel", "rearrange"):
        assert "cannot be changed" in client.get(url(appointment, action)).content.decode()
        assert client.post(url(appointment, action), {"preferred": "Mondays"}).status_code == 409
    appointment.refresh_from_db()
    assert appointment.status == status and not Task.objects.filter(case=case).exists()


def test_a_past_appointment_or_a_closed_application_cannot_be_changed(client, tenant, case):
    past = AppointmentFactory(case=case, starts_at=in_hours(-2))
    closed = tenant_case(applicant=tenant, status="closed", closure_stage="withdrawn")
    on_closed = AppointmentFactory(case=closed, starts_at=in_hours(72))
    client.force_login(tenant)
    assert "already started" in client.get(url(past, "cancel")).content.decode()
    assert "application is closed" in client.get(url(on_closed, "cancel")).content.decode()
    for appointment in (past, on_closed):
        assert client.post(url(appointment, "cancel"), {}).status_code == 409
        appointment.refresh_from_db()
        assert appointment.status == "scheduled"


def test_the_casework_service_still_refuses_applicants_without_the_portals_notice(tenant, case):
    from casework.services.appointments import appointment_cancel

    appointment = AppointmentFactory(case=case, starts_at=in_hours(72))
    with pytest.raises(errors.PermissionDenied):
        appointment_cancel(actor=tenant, appointment=appointment)


# --- rearranging ----------------------------------------------------------------------------


def test_asking_to_rearrange_makes_one_task_for_the_staff_member_and_a_second_is_refused(
    client, tenant, case, caseworker
):
    appointment = AppointmentFactory(case=case, starts_at=in_hours(72), with_user=caseworker, with_name="")
    client.force_login(tenant)
    form = client.get(url(appointment, "rearrange")).content.decode()
    assert "Which days and times would suit you?" in form
    response = client.post(url(appointment, "rearrange"), {"preferred": "Weekday mornings", "reason": "Hospital"})
    assert response.status_code == 302
    task = Task.objects.get(case=case)
    assert (task.kind, task.status, task.assignee, task.assignee_team) == ("callback", "open", caseworker, None)
    assert "Weekday mornings" in task.description and "Hospital" in task.description
    entry = CaseActivity.objects.get(case=case, kind="appointment")
    assert entry.task == task and entry.actor == tenant
    assert entry.data["appointment_id"] == appointment.pk and entry.data["rearrange_request"] is True
    assert Notification.objects.filter(recipient=caseworker, task=task).exists()
    assert {(event.pgh_context or {}).get("action") for event in events_for(task)} == {"appointment_rearrange_request"}
    appointment.refresh_from_db()
    assert appointment.status == "scheduled"  # staff move it; the request does not

    shown = client.get(page(case)).content.decode()
    assert "You have asked us to rearrange this appointment." in shown
    assert url(appointment, "rearrange") not in shown
    again = client.post(url(appointment, "rearrange"), {"preferred": "Any time"})
    assert again.status_code == 409 and "already asked" in again.content.decode()
    assert Task.objects.filter(case=case).count() == 1

    # Once staff have dealt with it, the applicant may ask again.
    task_complete(actor=caseworker, task=task, outcome="Called back, no new time suited")
    assert client.post(url(appointment, "rearrange"), {"preferred": "Any time"}).status_code == 302
    assert Task.objects.filter(case=case, status="open").count() == 1


def test_a_rearrange_request_goes_to_the_owner_or_else_the_queues_team(tenant, caseworker, supervisor):
    owned = tenant_case(applicant=tenant, status="chaser", owner=caseworker)
    queue = QueueFactory()
    team_member(queue.team, supervisor)
    queued = tenant_case(applicant=tenant, status="chaser", owner_queue=queue)
    first = appointment_rearrange_request(
        actor=tenant, appointment=AppointmentFactory(case=owned, starts_at=in_hours(72)), preferred="Fri", reason=""
    )
    second = appointment_rearrange_request(
        actor=tenant, appointment=AppointmentFactory(case=queued, starts_at=in_hours(72)), preferred="Fri", reason=""
    )
    assert (first.assignee, first.assignee_team) == (caseworker, None)
    assert (second.assignee, second.assignee_team) == (None, queue.team)
    assert Notification.objects.filter(recipient=supervisor, task=second).exists()


def test_a_rearrange_request_without_preferred_times_is_a_form_error(client, tenant, case):
    appointment = AppointmentFactory(case=case, starts_at=in_hours(72))
    client.force_login(tenant)
    response = client.post(url(appointment, "rearrange"), {"preferred": "", "reason": "x"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter the days and times that would suit you." in content and 'href="#id_preferred"' in content
    assert not Task.objects.exists()


def test_a_failed_rearrange_request_writes_nothing(tenant, case, caseworker, monkeypatch):
    import portal.services.appointments as services

    appointment = AppointmentFactory(case=case, starts_at=in_hours(72), with_user=caseworker, with_name="")

    def broken(**kwargs):
        raise RuntimeError("mail is down")

    monkeypatch.setattr(services, "notify", broken)
    with pytest.raises(RuntimeError):
        appointment_rearrange_request(actor=tenant, appointment=appointment, preferred="Mon", reason="")
    assert not Task.objects.exists() and not CaseActivity.objects.filter(kind="appointment").exists()


def test_another_applicant_cannot_ask_through_the_service(case):
    appointment = AppointmentFactory(case=case, starts_at=in_hours(72))
    with pytest.raises(errors.PermissionDenied):
        appointment_rearrange_request(
            actor=make_applicant("x@test.example"), appointment=appointment, preferred="M", reason=""
        )
    assert Appointment.objects.get(pk=appointment.pk).status == "scheduled"
