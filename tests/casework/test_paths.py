"""Workflow paths, with frozen time: an automated case from open to closed with its letter;
decision branches; a task step waiting for its task; delays, fixed and until a date (with a
maximum); versions (a running case keeps its own); paths refused when they cannot work; the
delay sweep run twice advancing once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casework.models import Case, PathRun, PathStep, Task, Workflow, WorkflowPath
from casework.services import cases as case_services
from casework.services import tasks as task_services
from casework.services.paths import delays_sweep, path_problems, path_publish, path_start
from communications import services as communications
from communications.models import Message
from tests.casework.factories import CaseTypeFactory, ContactFactory, TenancyFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 11, 23, 10, tzinfo=LONDON)


def _path(case_type, *steps: dict, name="Path", auto=True) -> WorkflowPath:
    path = WorkflowPath.objects.create(case_type=case_type, name=name, starts_automatically=auto)
    for position, fields in enumerate(steps, start=1):
        PathStep.objects.create(path=path, position=position, **fields)
    path_publish(path=path)
    return path


@pytest.fixture
def statement(db):
    return communications.template_save(
        actor=None,
        key="rent-statement",
        channel="letter",
        name="Rent statement",
        subject="",
        body="Dear {{ recipient.name }},\n\nYour rent statement for case {{ case.number }}.",
    )


def test_an_automated_case_runs_from_open_to_closed_with_its_letter(caseworker, statement):
    automated = CaseTypeFactory(workflow=Workflow.AUTOMATED)
    _path(
        automated,
        {"name": "Send the statement", "kind": "communication", "template": statement},
        {"name": "Close", "kind": "complete", "outcome": "Statement sent"},
        name="Send rent statement and close",
    )
    contact = ContactFactory()
    with time_machine.travel(MONDAY, tick=False):
        case = case_services.case_create(actor=caseworker, case_type=automated, contact=contact)
    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.closure_stage) == ("closed", "resolved")
    message = Message.objects.get(regarding_id=case.pk)
    assert message.channel == "letter" and case.number in message.body
    run = PathRun.objects.get(case=case)
    assert (run.state, run.finished_at) == ("completed", MONDAY)
    feed = list(case.activities.filter(kind="path").order_by("at", "id").values_list("summary", flat=True))
    assert feed == ["Path “Send rent statement and close” started", "Path “Send rent statement and close” completed"]
    assert case.activities.get(to_status="closed").reason == "Statement sent"


@pytest.mark.parametrize(("priority", "task_subject"), [("urgent", "Call today"), ("normal", "Write to them")])
def test_a_decision_takes_the_first_branch_that_matches(caseworker, priority, task_subject):
    support = CaseTypeFactory(workflow=Workflow.SUPPORT)
    _path(
        support,
        {"name": "How urgent", "kind": "decision", "branches": "priority = urgent -> Call\nelse -> Write"},
        {"name": "Call", "kind": "task", "task_subject": "Call today"},
        {"name": "Done calling", "kind": "complete"},
        {"name": "Write", "kind": "task", "task_subject": "Write to them", "checklist": "Check the address\nPost it"},
    )
    case = case_services.case_create(actor=caseworker, case_type=support, contact=ContactFactory(), priority=priority)
    task = Task.objects.get(case=case)
    assert (task.subject, task.assignee) == (task_subject, caseworker)
    if priority == "normal":
        assert task.checklist == [{"text": "Check the address", "done": False}, {"text": "Post it", "done": False}]
    run = PathRun.objects.get(case=case)
    assert (run.state, run.task) == ("waiting_task", task)

    if task.checklist:
        task_services.task_checklist_set(actor=caseworker, task=task, done=[0, 1])
    task_services.task_complete(actor=caseworker, task=task)
    run.refresh_from_db()
    case.refresh_from_db()
    if priority == "urgent":
        assert (run.state, case.status) == ("completed", "closed")
    else:
        assert (run.state, case.status) == ("completed", "triage")  # the path ended after writing


def test_a_delay_until_a_date_wakes_on_the_date_or_at_its_maximum(caseworker):
    options = CaseTypeFactory(workflow=Workflow.HOUSING_OPTIONS)
    _path(
        options,
        {
            "name": "Wait for the tenancy to end",
            "kind": "delay",
            "until_date": "tenancy.end_date",
            "max_amount": 30,
            "max_unit": "days",
        },
        {"name": "Close", "kind": "complete"},
    )
    ending = TenancyFactory(end_date=datetime.date(2026, 12, 4))
    open_ended = TenancyFactory(end_date=None)
    with time_machine.travel(MONDAY, tick=False):
        by_date = case_services.case_create(
            actor=caseworker, case_type=options, tenancy=ending, acknowledge_existing=True
        )
        by_max = case_services.case_create(
            actor=caseworker, case_type=options, tenancy=open_ended, acknowledge_existing=True
        )
    assert PathRun.objects.get(case=by_date).wake_at == datetime.datetime(2026, 12, 4, tzinfo=LONDON)
    assert PathRun.objects.get(case=by_max).wake_at == MONDAY + datetime.timedelta(days=30)

    with time_machine.travel(datetime.datetime(2026, 12, 3, 23, 59, tzinfo=LONDON), tick=False):
        assert delays_sweep().fired == 0
    with time_machine.travel(datetime.datetime(2026, 12, 4, 0, 1, tzinfo=LONDON), tick=False):
        assert delays_sweep().fired == 1
        assert delays_sweep().fired == 0  # swept twice: advanced once
    assert Case.objects.get(pk=by_date.pk).status == "closed"
    assert Case.objects.get(pk=by_max.pk).status == "enquiry"
    with time_machine.travel(MONDAY + datetime.timedelta(days=30, minutes=1), tick=False):
        assert delays_sweep().fired == 1
    assert Case.objects.get(pk=by_max.pk).status == "closed"


def test_a_fixed_delay_counts_on_the_calendar(caseworker):
    automated = CaseTypeFactory(workflow=Workflow.AUTOMATED)
    _path(
        automated,
        {"name": "Five minutes", "kind": "delay", "delay_amount": 5, "delay_unit": "minutes"},
        {"name": "Call back", "kind": "task", "task_subject": "Call the tenant back", "task_kind": "callback"},
        name="Call-back request",
    )
    with time_machine.travel(MONDAY, tick=False):
        case = case_services.case_create(actor=caseworker, case_type=automated, contact=ContactFactory())
    assert PathRun.objects.get(case=case).wake_at == MONDAY + datetime.timedelta(minutes=5)
    assert not Task.objects.filter(case=case).exists()
    with time_machine.travel(MONDAY + datetime.timedelta(minutes=5), tick=False):
        delays_sweep()
    task = Task.objects.get(case=case)
    assert (task.kind, task.assignee) == ("callback", caseworker)  # the named officer is told (task assigned)


def test_a_running_case_keeps_the_version_it_started_on(caseworker):
    support = CaseTypeFactory(workflow=Workflow.SUPPORT)
    path = _path(support, {"name": "First", "kind": "task", "task_subject": "Version one"}, auto=False)
    case = case_services.case_create(actor=caseworker, case_type=support, contact=ContactFactory())
    path_start(actor=caseworker, case=case, path=path)
    PathStep.objects.filter(path=path).update(task_subject="Version two")
    second = path_publish(path=path)
    assert second.number == 2
    assert path_publish(path=path) == second  # unchanged steps: no new version
    run = PathRun.objects.get(case=case)
    assert run.version.number == 1
    assert run.version.steps[0]["task_subject"] == "Version one"


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([{"name": "Wait", "kind": "delay", "until_date": "tenancy.end_date"}], "needs a maximum"),
        ([{"name": "Choose", "kind": "decision", "branches": "priority = urgent -> Nowhere"}], "else -> step name"),
        (
            [{"name": "Choose", "kind": "decision", "branches": "priority = urgent -> Nowhere\nelse -> Choose"}],
            "“Nowhere” is not a step of this path.",
        ),
        (
            [{"name": "Choose", "kind": "decision", "branches": "shoe_size > 9 -> A\nelse -> A"}],
            "cannot test “shoe_size”",
        ),
        (
            [{"name": "Close", "kind": "complete"}, {"name": "After", "kind": "task", "task_subject": "x"}],
            "After: no way leads to this step.",
        ),
        ([{"name": "Send", "kind": "communication"}], "Choose the template to send."),
        ([], "Add at least one step."),
    ],
)
def test_a_path_that_cannot_work_is_refused(steps, message):
    path = WorkflowPath(case_type=CaseTypeFactory(workflow=Workflow.SUPPORT), name="Broken")
    candidates = [PathStep(path=path, position=n, **fields) for n, fields in enumerate(steps, start=1)]
    assert any(message in problem for problem in path_problems(path, candidates)), path_problems(path, candidates)


def test_closing_the_case_stops_its_path(caseworker):
    support = CaseTypeFactory(workflow=Workflow.SUPPORT)
    _path(support, {"name": "Wait", "kind": "delay", "delay_amount": 2, "delay_unit": "working_days"})
    case = case_services.case_create(actor=caseworker, case_type=support, contact=ContactFactory())
    case_services.case_transition(actor=caseworker, case=case, transition="resolve", reason="Sorted by phone")
    assert PathRun.objects.get(case=case).state == "stopped"


def _admin_form(case_type, steps: list[dict]) -> dict:
    data = {
        "case_type": str(case_type.pk),
        "name": "Arrears advice",
        "is_active": "on",
        "starts_automatically": "on",
        "description": "",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    defaults = {"task_kind": "todo", "assign_to": "owner", "mode": "automatic"}
    for n, step in enumerate(steps):
        data |= {f"steps-{n}-{key}": value for key, value in (defaults | step).items()}
    return data


def test_a_supervisor_builds_a_path_in_the_admin_and_it_is_published(client, supervisor):
    support = CaseTypeFactory(workflow=Workflow.SUPPORT)
    client.force_login(supervisor)
    add = "/admin/casework/workflowpath/add/"
    assert client.get(add).status_code == 200
    steps = [
        {"position": "1", "name": "Check", "kind": "task", "task_subject": "Check the rent account"},
        {"position": "2", "name": "Close", "kind": "complete", "outcome": "Advice given"},
    ]
    response = client.post(add, _admin_form(support, steps))
    assert response.status_code == 302, response.content.decode()[:3000]
    path = WorkflowPath.objects.get()
    assert [step["name"] for step in path.versions.get().steps] == ["Check", "Close"]

    waiting = [{"position": "1", "name": "Wait", "kind": "delay", "until_date": "tenancy.end_date"}]
    response = client.post(add, _admin_form(support, waiting) | {"name": "Never ends"})
    assert response.status_code == 200
    assert "Wait: A wait until a date needs a maximum: the date may never be set." in response.content.decode()
    assert not WorkflowPath.objects.filter(name="Never ends").exists()


def test_a_task_script_is_ticked_on_the_case_page_before_the_task_completes(client, caseworker):
    support = CaseTypeFactory(workflow=Workflow.SUPPORT)
    _path(support, {"name": "Call", "kind": "task", "task_subject": "Call them", "checklist": "Say who you are\nAsk"})
    case = case_services.case_create(actor=caseworker, case_type=support, contact=ContactFactory())
    task = Task.objects.get(case=case)
    client.force_login(caseworker)
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "Checklist for “Call them”" in page and "Say who you are" in page

    refused = client.post(f"/staff/cases/{case.pk}/tasks/{task.pk}/complete/")
    assert refused.status_code == 409
    assert "Tick every item of the task&#x27;s checklist before completing it (2 left)." in refused.content.decode()
    assert client.post(f"/staff/cases/{case.pk}/tasks/{task.pk}/checklist/", {"done": ["7"]}).status_code == 400
    response = client.post(f"/staff/cases/{case.pk}/tasks/{task.pk}/checklist/", {"done": ["0", "1"]})
    assert response.status_code == 302
    task.refresh_from_db()
    assert [item["done"] for item in task.checklist] == [True, True]
    assert client.post(f"/staff/cases/{case.pk}/tasks/{task.pk}/complete/").status_code == 302
    assert PathRun.objects.get(case=case).state == "completed"


def test_staff_start_a_path_by_hand_from_the_case_page(client, caseworker):
    support = CaseTypeFactory(workflow=Workflow.SUPPORT)
    path = _path(support, {"name": "Visit", "kind": "task", "task_subject": "Visit the home"}, auto=False)
    case = case_services.case_create(actor=caseworker, case_type=support, contact=ContactFactory())
    assert not PathRun.objects.filter(case=case).exists()
    client.force_login(caseworker)
    section = client.get(f"/staff/cases/{case.pk}/sections/clocks/", headers={"HX-Request": "true"}).content.decode()
    assert "Start a path" in section and "This case is on no path." in section
    assert client.post(f"/staff/cases/{case.pk}/paths/", {"path": path.pk}).status_code == 302
    run = PathRun.objects.get(case=case)
    assert run.state == "waiting_task"
    again = client.post(f"/staff/cases/{case.pk}/paths/", {"path": path.pk}, headers={"HX-Request": "true"})
    assert again.status_code == 409 and "is already on the path" in again.content.decode()
    section = client.get(f"/staff/cases/{case.pk}/sections/clocks/", headers={"HX-Request": "true"}).content.decode()
    assert "Path (version 1): Waiting for a task, at “Visit”" in section
