"""The admin for tasks, notes and notifications: tasks move only through the actions (which call
the services); notes and notifications are read-only records."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from casework.models import CaseActivity, Note, Notification, Task
from tests.casework.factories import TeamFactory, tenant_case
from tests.casework.factories_work import NoteFactory, NotificationFactory, TaskFactory

pytestmark = pytest.mark.django_db

TASKS = "/admin/casework/task/"


@pytest.fixture
def admin_client(client, supervisor):
    client.force_login(supervisor)
    return client


def test_the_task_list_filters_and_searches(admin_client, caseworker):
    team = TeamFactory(name="Back office")
    case = tenant_case()
    TaskFactory(case=case, subject="Ring the landlord", assignee=caseworker)
    TaskFactory(subject="Verify payee", assignee_team=team, status=Task.Status.COMPLETED)
    page = admin_client.get(TASKS)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Ring the landlord" in content and "Verify payee" in content
    for filter_title in ("By status", "By kind", "By assignee team", "By due date"):
        assert filter_title in content
    searched = admin_client.get(TASKS, {"q": case.number}).content.decode()
    assert "Ring the landlord" in searched and "Verify payee" not in searched
    filtered = admin_client.get(TASKS, {"status__exact": "completed"}).content.decode()
    assert "Verify payee" in filtered and "Ring the landlord" not in filtered
    assert admin_client.get(TASKS, {"assignee_team__id__exact": team.pk}).status_code == 200


def test_tasks_cannot_be_added_or_edited_in_the_admin(admin_client, administrator, client, caseworker):
    task = TaskFactory(assignee=caseworker, subject="Ring")
    for user in (admin_client, client):
        if user is client:
            client.force_login(administrator)
        assert user.get(f"{TASKS}add/").status_code == 403
        assert user.post(f"{TASKS}{task.pk}/change/", {"subject": "Changed"}).status_code == 403
        assert user.get(f"{TASKS}{task.pk}/change/").status_code == 200  # view only
    task.refresh_from_db()
    assert task.subject == "Ring"


def test_mark_complete_asks_for_an_outcome_then_calls_the_service(admin_client, supervisor, caseworker):
    tasks = [TaskFactory(assignee=caseworker, created_by=caseworker) for _ in range(2)]
    selected = {"action": "mark_complete", ACTION_CHECKBOX_NAME: [t.pk for t in tasks]}
    form = admin_client.post(TASKS, selected)
    assert form.status_code == 200 and "Outcome (optional)" in form.content.decode()
    assert not Task.objects.filter(status=Task.Status.COMPLETED).exists()

    done = admin_client.post(TASKS, {**selected, "apply": "1", "text": "Sorted by phone"}, follow=True)
    assert "Mark complete: 2 done." in done.content.decode()
    for task in tasks:
        task.refresh_from_db()
        assert (task.status, task.outcome, task.completed_by) == ("completed", "Sorted by phone", supervisor)
    assert CaseActivity.objects.filter(kind=CaseActivity.Kind.TASK_UPDATED).count() == 2
    assert Notification.objects.filter(recipient=caseworker, kind="task_completed").count() == 2


def test_cancel_needs_a_reason_and_reports_refusals(admin_client, supervisor, caseworker):
    open_task = TaskFactory(assignee=caseworker)
    finished = TaskFactory(assignee=caseworker, status=Task.Status.COMPLETED, subject="Already done")
    selected = {"action": "cancel", ACTION_CHECKBOX_NAME: [open_task.pk, finished.pk], "apply": "1"}
    blank = admin_client.post(TASKS, {**selected, "text": ""})
    assert blank.status_code == 200 and "This field is required" in blank.content.decode()
    assert Task.objects.get(pk=open_task.pk).status == "open"

    done = admin_client.post(TASKS, {**selected, "text": "Raised in error"}, follow=True).content.decode()
    assert "Cancel tasks: 1 done." in done
    expected = "The task “Already done” is completed, so you cannot cancel it."
    assert f"Already done{f' ({finished.case.number}, Completed)' if finished.case else ''}: {expected}" in done
    open_task.refresh_from_db()
    assert (open_task.status, open_task.outcome) == ("cancelled", "Raised in error")
    assert Task.objects.get(pk=finished.pk).status == "completed"


def test_notes_are_read_only_in_the_admin(admin_client, caseworker):
    note = NoteFactory(author=caseworker, body="Original")
    assert admin_client.get("/admin/casework/note/").status_code == 200
    assert admin_client.get(f"/admin/casework/note/{note.pk}/change/").status_code == 200
    assert admin_client.get("/admin/casework/note/add/").status_code == 403
    assert admin_client.post(f"/admin/casework/note/{note.pk}/change/", {"body": "Changed"}).status_code == 403
    assert admin_client.post(f"/admin/casework/note/{note.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Note.objects.get().body == "Original"


def test_notifications_are_read_only_in_the_admin(client, administrator, caseworker):
    notification = NotificationFactory(recipient=caseworker, message="Hello there")
    client.force_login(administrator)
    listing = client.get("/admin/casework/notification/", {"read": "no"})
    assert listing.status_code == 200 and "Hello there" in listing.content.decode()
    assert "Hello there" not in client.get("/admin/casework/notification/", {"read": "yes"}).content.decode()
    assert client.get("/admin/casework/notification/add/").status_code == 403
    url = f"/admin/casework/notification/{notification.pk}/"
    assert client.post(f"{url}change/", {"message": "Changed"}).status_code == 403
    assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert Notification.objects.get().message == "Hello there"
