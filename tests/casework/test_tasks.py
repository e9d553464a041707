"""Tasks: a caseworker's to-dos for a person or a team, their state machine, who hears about
them, the "my tasks" selector and the API."""

import datetime

import pytest
from django.utils import timezone

from casework.models import CaseActivity, Notification, Task
from casework.selectors import work as selectors
from casework.services import tasks as task_services
from core import errors
from core.audit import events_for
from core.roles import Role
from tests.casework.factories import CaseFactory, TeamFactory, team_member, tenant_case
from tests.casework.factories_work import TaskFactory
from tests.casework.work_helpers import api_error

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
S = Task.Status


@pytest.fixture
def chaser(make_staff):
    return make_staff(Role.CASEWORKER, email="chaser@test.example", first_name="Chris", last_name="Chaser")


def _nothing_written():
    assert not Task.objects.exists()
    assert not Notification.objects.exists()
    assert not CaseActivity.objects.exists()


# --- task_create -----------------------------------------------------------------------------


def test_task_create_for_a_person_on_a_case(caseworker, chaser):
    case = tenant_case()
    due = TODAY() + datetime.timedelta(days=3)
    task = task_services.task_create(
        actor=caseworker,
        subject="  Chase the  landlord ",
        description="Ask for the tenancy agreement.",
        kind=Task.Kind.REWORK,
        assignee=chaser,
        due_date=due,
        case=case,
    )
    task.refresh_from_db()
    assert (task.subject, task.kind, task.status, task.due_date) == ("Chase the landlord", "rework", S.OPEN, due)
    assert (task.assignee, task.assignee_team, task.case, task.created_by) == (chaser, None, case, caseworker)
    entry = CaseActivity.objects.get(case=case)
    assert (entry.kind, entry.task, entry.actor) == (CaseActivity.Kind.TASK_CREATED, task, caseworker)
    assert "Chris Chaser" in entry.summary
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (chaser, Notification.Kind.TASK_ASSIGNED)
    assert (notification.task, notification.case) == (task, case)
    assert case.number in notification.message and "Chase the landlord" in notification.message
    assert events_for(task).first().pgh_context["user"] == caseworker.pk


def test_task_create_for_a_team_notifies_its_active_members_but_not_the_actor(caseworker, make_staff):
    team = TeamFactory(name="Back office")
    members = [make_staff(Role.CASEWORKER) for _ in range(2)]
    gone = make_staff(Role.CASEWORKER)
    gone.is_active = False
    gone.save()
    for user in [*members, gone, caseworker]:
        team_member(team, user)
    task = task_services.task_create(actor=caseworker, subject="Verify payee", assignee_team=team, case=tenant_case())
    assert task.assignee_team == team and task.assignee is None
    recipients = set(Notification.objects.values_list("recipient", flat=True))
    assert recipients == {user.pk for user in members}
    assert "Back office (your team)" in Notification.objects.first().message


def test_a_task_on_its_own_has_no_feed_entry(caseworker, chaser):
    task = task_services.task_create(actor=caseworker, subject="Read the new policy", assignee=chaser)
    assert task.case is None
    assert not CaseActivity.objects.exists()
    assert Notification.objects.get().recipient == chaser


def test_nobody_is_notified_of_a_task_they_set_themselves(caseworker):
    task_services.task_create(actor=caseworker, subject="Call back", assignee=caseworker, case=tenant_case())
    assert Task.objects.count() == 1
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"subject": "   "}, "subject", "Enter a subject"),
        ({"subject": "x" * 201}, "subject", "at most 200 characters (you entered 201)"),
        ({"due_date": datetime.date(2000, 1, 1)}, "due_date", "cannot be in the past"),
        ({"assignee": None}, "assignee", "a person or a team"),
        ({"with_team": True}, "assignee", "not both"),
        ({"kind": Task.Kind.CASE_REVIEW}, "kind", "Log review"),
        ({"kind": "chore"}, "kind", "not a kind of task"),
    ],
)
def test_task_create_refuses_bad_input_and_writes_nothing(caseworker, chaser, overrides, field, message):
    case = tenant_case()
    kwargs = {"subject": "Call back", "assignee": chaser, "case": case}
    if overrides.pop("with_team", False):
        kwargs["assignee_team"] = TeamFactory()
    kwargs.update(overrides)
    with pytest.raises(errors.ValidationError) as caught:
        task_services.task_create(actor=caseworker, **kwargs)
    assert message in " ".join(caught.value.fields[field])
    _nothing_written()


def test_tasks_can_only_be_given_to_active_staff(caseworker, applicant, make_staff):
    gone = make_staff(Role.CASEWORKER, email="gone@test.example")
    gone.is_active = False
    gone.save()
    for user in (applicant, gone):
        with pytest.raises(errors.ValidationError) as caught:
            task_services.task_create(actor=caseworker, subject="Call back", assignee=user)
        assert "not an active staff member" in caught.value.fields["assignee"][0]
    _nothing_written()


def test_applicants_cannot_set_tasks(applicant, caseworker):
    with pytest.raises(errors.PermissionDenied):
        task_services.task_create(actor=applicant, subject="Do my case", assignee=caseworker)
    _nothing_written()


def test_a_caseworker_cannot_add_a_task_to_a_closed_case_but_a_supervisor_can(caseworker, supervisor, chaser):
    case = CaseFactory(status="closed", closure_stage="denied")
    with pytest.raises(errors.Conflict, match="is closed"):
        task_services.task_create(actor=caseworker, subject="Call back", assignee=chaser, case=case)
    _nothing_written()
    task = task_services.task_create(actor=supervisor, subject="Appeal review", assignee=chaser, case=case)
    assert task.case == case


# --- task_update -----------------------------------------------------------------------------


def test_task_update_changes_only_what_is_given(caseworker, chaser):
    task = TaskFactory(assignee=chaser, description="Old")
    due = TODAY() + datetime.timedelta(days=7)
    task_services.task_update(actor=caseworker, task=task, subject="New subject", due_date=due)
    task.refresh_from_db()
    assert (task.subject, task.description, task.due_date, task.assignee) == ("New subject", "Old", due, chaser)
    assert task.updated_by == caseworker
    entry = CaseActivity.objects.get()
    assert entry.kind == CaseActivity.Kind.TASK_UPDATED and "due date, subject" in entry.summary
    assert not Notification.objects.exists()


def test_reassigning_a_task_notifies_the_new_assignee(caseworker, chaser, make_staff):
    reviewer = make_staff(Role.CASEWORKER, email="reviewer@test.example")
    task = TaskFactory(assignee=chaser)
    task_services.task_update(actor=caseworker, task=task, assignee=reviewer)
    task.refresh_from_db()
    assert task.assignee == reviewer
    assert Notification.objects.get().recipient == reviewer
    assert "reassigned" in CaseActivity.objects.get().summary


def test_reassigning_to_a_team_clears_the_person(caseworker, chaser):
    team = TeamFactory()
    task = TaskFactory(assignee=chaser)
    task_services.task_update(actor=caseworker, task=task, assignee_team=team)
    task.refresh_from_db()
    assert (task.assignee, task.assignee_team) == (None, team)


def test_an_update_that_changes_nothing_writes_nothing(caseworker, chaser):
    task = TaskFactory(assignee=chaser, subject="Same")
    task_services.task_update(actor=caseworker, task=task, subject="Same", assignee=chaser)
    assert not CaseActivity.objects.exists() and not Notification.objects.exists()


def test_a_past_due_date_is_kept_when_not_changed(caseworker, chaser):
    task = TaskFactory(assignee=chaser, due_date=datetime.date(2020, 1, 1))
    task_services.task_update(actor=caseworker, task=task, due_date=datetime.date(2020, 1, 1), subject="Renamed")
    with pytest.raises(errors.ValidationError):
        task_services.task_update(actor=caseworker, task=task, due_date=datetime.date(2020, 1, 2))


@pytest.mark.parametrize("status", [S.COMPLETED, S.CANCELLED])
def test_a_finished_task_cannot_be_changed(caseworker, chaser, status):
    task = TaskFactory(assignee=chaser, status=status, subject="Done")
    with pytest.raises(errors.Conflict, match="can no longer be changed"):
        task_services.task_update(actor=caseworker, task=task, subject="Changed")
    task.refresh_from_db()
    assert task.subject == "Done"
    assert not CaseActivity.objects.exists()


# --- the state machine -----------------------------------------------------------------------


def test_start_then_complete_notifies_the_creator(caseworker, chaser):
    task = TaskFactory(assignee=chaser, created_by=caseworker)
    task_services.task_start(actor=chaser, task=task)
    task.refresh_from_db()
    assert task.status == S.IN_PROGRESS
    task_services.task_complete(actor=chaser, task=task, outcome=" Landlord sent the lease. ")
    task.refresh_from_db()
    assert (task.status, task.outcome, task.completed_by) == (S.COMPLETED, "Landlord sent the lease.", chaser)
    assert task.completed_at is not None
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.task) == (
        caseworker,
        Notification.Kind.TASK_COMPLETED,
        task,
    )
    summaries = list(CaseActivity.objects.order_by("id").values_list("summary", flat=True))
    assert "started" in summaries[0] and "completed" in summaries[1]
    assert CaseActivity.objects.order_by("id").last().reason == "Landlord sent the lease."


def test_completing_a_task_you_set_yourself_notifies_nobody(caseworker):
    task = TaskFactory(assignee=caseworker, created_by=caseworker)
    task_services.task_complete(actor=caseworker, task=task)
    assert Task.objects.get().status == S.COMPLETED
    assert not Notification.objects.exists()


def test_cancel_needs_a_reason_and_keeps_it(caseworker, chaser):
    task = TaskFactory(assignee=chaser, created_by=caseworker)
    with pytest.raises(errors.ValidationError) as caught:
        task_services.task_cancel(actor=caseworker, task=task, reason="  ")
    assert caught.value.fields == {"reason": ["Give a reason for cancelling the task."]}
    assert Task.objects.get().status == S.OPEN
    task_services.task_cancel(actor=caseworker, task=task, reason="Duplicate of another task")
    task.refresh_from_db()
    assert (task.status, task.outcome, task.completed_by) == (S.CANCELLED, "Duplicate of another task", caseworker)
    assert CaseActivity.objects.get().reason == "Duplicate of another task"


DISALLOWED = [
    ("task_start", S.IN_PROGRESS),
    ("task_start", S.COMPLETED),
    ("task_start", S.CANCELLED),
    ("task_complete", S.COMPLETED),
    ("task_complete", S.CANCELLED),
    ("task_cancel", S.COMPLETED),
    ("task_cancel", S.CANCELLED),
]


@pytest.mark.parametrize(("service", "status"), DISALLOWED)
def test_disallowed_transitions_are_refused_with_a_clear_message(caseworker, service, status):
    task = TaskFactory(assignee=caseworker, status=status, subject="Ring")
    extra = {"reason": "No longer needed"} if service == "task_cancel" else {}
    with pytest.raises(errors.TransitionNotAllowed) as caught:
        getattr(task_services, service)(actor=caseworker, task=task, **extra)
    assert caught.value.message.startswith(f"The task “Ring” is {Task.Status(status).label.lower()}, so you cannot")
    assert Task.objects.get().status == status
    assert not CaseActivity.objects.exists()


@pytest.mark.parametrize("service", ["task_start", "task_complete"])
def test_caseworkers_cannot_work_tasks_on_a_closed_case(caseworker, supervisor, service):
    case = CaseFactory(status="closed")
    task = TaskFactory(case=case, assignee=caseworker)
    with pytest.raises(errors.Conflict, match="is closed"):
        getattr(task_services, service)(actor=caseworker, task=task)
    assert Task.objects.get().status == S.OPEN
    getattr(task_services, service)(actor=supervisor, task=task)
    assert Task.objects.get().status != S.OPEN


def test_a_task_left_open_on_a_closed_case_can_still_be_cancelled(caseworker):
    task = TaskFactory(case=CaseFactory(status="closed"), assignee=caseworker)
    task_services.task_cancel(actor=caseworker, task=task, reason="Case closed")
    assert Task.objects.get().status == S.CANCELLED


def test_the_status_field_cannot_be_set_directly():
    task = TaskFactory()
    with pytest.raises(AttributeError):
        task.status = S.COMPLETED


@pytest.mark.parametrize("service", ["task_start", "task_complete", "task_cancel", "task_update"])
def test_applicants_cannot_work_tasks(applicant, caseworker, service):
    task = TaskFactory(assignee=caseworker)
    with pytest.raises(errors.PermissionDenied):
        getattr(task_services, service)(
            actor=applicant, task=task, **({"reason": "x"} if service == "task_cancel" else {})
        )
    assert Task.objects.get().status == S.OPEN


# --- task_list_for ---------------------------------------------------------------------------


def test_my_tasks_include_my_teams_tasks(caseworker, chaser):
    team, other_team = TeamFactory(), TeamFactory()
    team_member(team, caseworker)
    mine = TaskFactory(assignee=caseworker)
    my_teams = TaskFactory(assignee_team=team)
    TaskFactory(assignee=chaser)
    TaskFactory(assignee_team=other_team)
    assert set(selectors.task_list_for(user=caseworker, mine=True)) == {mine, my_teams}
    assert list(selectors.task_list_for(user=caseworker, team=team)) == [my_teams]
    assert selectors.task_list_for(user=caseworker).count() == 4


def test_task_list_filters_and_order(caseworker):
    case = tenant_case()
    later = TaskFactory(assignee=caseworker, case=case, due_date=TODAY() + datetime.timedelta(days=9))
    undated = TaskFactory(assignee=caseworker, case=case)
    sooner = TaskFactory(assignee=caseworker, case=case, due_date=TODAY())
    done = TaskFactory(assignee=caseworker, status=S.COMPLETED)
    assert list(selectors.task_list_for(user=caseworker, case=case)) == [sooner, later, undated]
    assert list(selectors.task_list_for(user=caseworker, status=S.COMPLETED)) == [done]
    both = selectors.task_list_for(user=caseworker, status=[S.OPEN, S.COMPLETED])
    assert both.count() == 4


def test_applicants_see_no_tasks(applicant, caseworker):
    TaskFactory(assignee=caseworker)
    assert not selectors.task_list_for(user=applicant).exists()
    with pytest.raises(errors.NotFound):
        selectors.task_get(user=applicant, task_id=Task.objects.get().pk)


# --- API -------------------------------------------------------------------------------------


@pytest.fixture
def api(client, caseworker):
    client.force_login(caseworker)
    return client


def test_api_create_a_task_on_a_case_and_read_it_back(api, caseworker, chaser):
    case = tenant_case()
    due = (TODAY() + datetime.timedelta(days=2)).isoformat()
    response = api.post(
        f"/api/v1/cases/{case.pk}/tasks/",
        {"subject": "Chase lease", "assignee": chaser.pk, "due_date": due, "kind": "rework"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["case"] == {"id": case.pk, "number": case.number, "status": case.status}
    assert body["assignee"] == {"id": chaser.pk, "name": "Chris Chaser", "email": "chaser@test.example"}
    assert (body["status"], body["kind"], body["due_date"], body["assignee_team"]) == ("open", "rework", due, None)
    assert body["created_by"]["id"] == caseworker.pk

    detail = api.get(f"/api/v1/tasks/{body['id']}/").json()
    assert detail == body
    listed = api.get(f"/api/v1/cases/{case.pk}/tasks/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]


def test_api_create_a_task_with_or_without_a_case(api, chaser):
    case = tenant_case()
    response = api.post(
        "/api/v1/tasks/", {"subject": "Ring", "assignee": chaser.pk, "case": case.pk}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["case"]["number"] == case.number
    response = api.post("/api/v1/tasks/", {"subject": "Read policy", "assignee": chaser.pk})
    assert response.status_code == 201 and response.json()["case"] is None
    missing = api.post("/api/v1/tasks/", {"subject": "Ring", "assignee": chaser.pk, "case": case.pk + 999})
    assert api_error(missing, 400, "validation_error")["fields"] == {"case": ["There is no such case."]}


def test_api_task_list_filters(api, caseworker, chaser):
    team = TeamFactory()
    team_member(team, caseworker)
    mine = TaskFactory(assignee=caseworker)
    teams = TaskFactory(assignee_team=team, status=S.IN_PROGRESS)
    TaskFactory(assignee=chaser)
    ids = lambda response: {row["id"] for row in response.json()["results"]}  # noqa: E731
    assert ids(api.get("/api/v1/tasks/", {"mine": "true"})) == {mine.pk, teams.pk}
    assert ids(api.get("/api/v1/tasks/", {"team": team.pk})) == {teams.pk}
    assert ids(api.get("/api/v1/tasks/", {"mine": "true", "status": "open"})) == {mine.pk}
    assert api.get("/api/v1/tasks/").json()["count"] == 3
    api_error(api.get("/api/v1/tasks/", {"status": "lost"}), 400, "validation_error")


def test_api_create_refusal_is_a_400_with_field_messages(api, chaser):
    case = tenant_case()
    response = api.post(f"/api/v1/cases/{case.pk}/tasks/", {"subject": " ", "assignee": chaser.pk})
    error = api_error(response, 400, "validation_error")
    assert error["fields"] == {"subject": ["Enter a subject for the task."]}
    assert not Task.objects.exists()


def test_api_closed_case_is_a_409(api, chaser):
    case = CaseFactory(status="closed")
    response = api.post(f"/api/v1/cases/{case.pk}/tasks/", {"subject": "Ring", "assignee": chaser.pk})
    assert "is closed" in api_error(response, 409, "conflict")["message"]


def test_api_update_and_transitions(api, caseworker, chaser):
    task = TaskFactory(assignee=chaser, created_by=chaser)
    url = f"/api/v1/tasks/{task.pk}/"
    response = api.patch(url, {"subject": "Renamed", "assignee": caseworker.pk}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["subject"] == "Renamed" and response.json()["assignee"]["id"] == caseworker.pk
    assert api.put(url, {"subject": "x"}, content_type="application/json").status_code == 405

    assert api.post(f"{url}start/").json()["status"] == "in_progress"
    api_error(api.post(f"{url}start/"), 409, "transition_not_allowed")
    completed = api.post(f"{url}complete/", {"outcome": "Rang them"}, content_type="application/json").json()
    assert (completed["status"], completed["outcome"]) == ("completed", "Rang them")
    assert completed["completed_by"]["id"] == caseworker.pk
    assert Notification.objects.filter(recipient=chaser, kind=Notification.Kind.TASK_COMPLETED).exists()
    error = api_error(api.post(f"{url}cancel/", {"reason": "x"}), 409, "transition_not_allowed")
    assert "completed" in error["message"]
    api_error(api.patch(url, {"subject": "Again"}, content_type="application/json"), 409, "conflict")


def test_api_cancel_needs_a_reason(api, caseworker):
    task = TaskFactory(assignee=caseworker)
    error = api_error(api.post(f"/api/v1/tasks/{task.pk}/cancel/", {"reason": ""}), 400, "validation_error")
    assert error["fields"] == {"reason": ["Give a reason for cancelling the task."]}
    assert api.post(f"/api/v1/tasks/{task.pk}/cancel/", {"reason": "Not needed"}).json()["status"] == "cancelled"


def test_api_unknown_task_is_a_404(api):
    api_error(api.get("/api/v1/tasks/999999/"), 404, "not_found")
    api_error(api.post("/api/v1/tasks/999999/start/"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/tasks/"),
        ("post", "/api/v1/tasks/"),
        ("get", "/api/v1/tasks/{task}/"),
        ("patch", "/api/v1/tasks/{task}/"),
        ("post", "/api/v1/tasks/{task}/start/"),
        ("post", "/api/v1/tasks/{task}/complete/"),
        ("post", "/api/v1/tasks/{task}/cancel/"),
        ("get", "/api/v1/cases/{case}/tasks/"),
        ("post", "/api/v1/cases/{case}/tasks/"),
    ],
)
def test_applicants_cannot_use_the_task_api(client, applicant, caseworker, method, url):
    case = tenant_case(applicant=applicant)
    task = TaskFactory(case=case, assignee=caseworker)
    client.force_login(applicant)
    response = getattr(client, method)(
        url.format(task=task.pk, case=case.pk), {"subject": "x", "reason": "x"}, content_type="application/json"
    )
    api_error(response, 403, "permission_denied")
    assert Task.objects.get().status == S.OPEN and Task.objects.count() == 1
