"""SLA and timeout rules in the admin: a supervisor builds a rule and its ladder; rules that
could never fire or contradict themselves are refused with a sentence; saving re-projects open
clocks (a job, after commit)."""

import pytest

from casework.models import SlaRule, Workflow
from tests.casework.factories import CaseTypeFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/casework/slarule/add/"


def _rung(n: int, kind: str, amount: str = "", unit: str = "", **actions) -> dict:
    data = {f"rungs-{n}-kind": kind, f"rungs-{n}-offset_amount": amount or "0", f"rungs-{n}-offset_unit": unit}
    return data | {f"rungs-{n}-{name}": value for name, value in actions.items()}


def _form(case_type, rungs: list[dict], **fields) -> dict:
    data = {
        "name": "Chaser within 5 working days",
        "kind": "sla",
        "is_active": "on",
        "case_type": str(case_type.pk),
        "applies_to": "case",
        "status": "chaser",
        "start_on_creation": "on",
        "task_kind": "",
        "target_amount": "5",
        "target_unit": "working_days",
        "description": "",
        "rungs-TOTAL_FORMS": str(len(rungs)),
        "rungs-INITIAL_FORMS": "0",
        "rungs-MIN_NUM_FORMS": "0",
        "rungs-MAX_NUM_FORMS": "1000",
    }
    for rung in rungs:
        data |= rung
    return data | fields


@pytest.fixture
def rental(db):
    return CaseTypeFactory(workflow=Workflow.RENTAL_TENANT)


def test_a_supervisor_sets_up_an_sla_with_its_ladder(client, supervisor, rental, django_capture_on_commit_callbacks):
    client.force_login(supervisor)
    assert client.get(ADD).status_code == 200
    ladder = [
        _rung(0, "amber", "1", "working_days", notify_owner="on"),
        _rung(1, "exceeded", raise_priority="on", add_escalation_skill="on", notify_team_leads="on"),
        _rung(2, "follow_on", "2", "working_days", notify_owner="on"),
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(ADD, _form(rental, ladder, pause_statuses=["draft"]))
    assert response.status_code == 302, response.content.decode()[:4000]
    rule = SlaRule.objects.get()
    assert (rule.status, rule.pause_statuses, rule.target_label) == ("chaser", ["draft"], "5 working days")
    assert sorted(rule.rungs.values_list("kind", flat=True)) == ["amber", "exceeded", "follow_on"]
    assert len(callbacks) == 1  # the open clocks' re-projection, queued after the save commits


@pytest.mark.parametrize(
    ("fields", "ladder", "message"),
    [
        (
            {"pause_statuses": ["chaser"]},
            [_rung(0, "exceeded", notify_owner="on")],
            "The clock starts at Chaser: pausing there too means it would never count.",
        ),
        (
            {},
            [_rung(0, "amber", "6", "working_days", notify_owner="on"), _rung(1, "exceeded", notify_owner="on")],
            "would come at once: make it shorter than the target",
        ),
        ({}, [_rung(0, "exceeded")], "This step does nothing: choose who is told or what changes."),
        ({}, [], "Add at least one step"),
        (
            {"kind": "timeout", "status": "chaser"},
            [_rung(0, "exceeded", close_case="on")],
            "Cases can only time out from Application match, Draft.",
        ),
        (
            {"kind": "timeout", "status": "draft"},
            [_rung(0, "exceeded", notify_owner="on")],
            "A timeout needs a target-exceeded step that closes the case.",
        ),
        (
            {},
            [_rung(0, "follow_on", "2", "days", notify_owner="on")],
            "Count this step in working time, like the target (5 working days).",
        ),
        (
            {"status": "assessment"},
            [_rung(0, "exceeded", notify_owner="on")],
            "is not an open chevron of this case type",
        ),
    ],
)
def test_a_rule_that_could_never_fire_is_refused_with_a_sentence(client, supervisor, rental, fields, ladder, message):
    client.force_login(supervisor)
    response = client.post(ADD, _form(rental, ladder, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SlaRule.objects.exists()


def test_a_caseworker_cannot_change_rules(client, caseworker, rental):
    client.force_login(caseworker)
    assert client.get(ADD).status_code == 302  # to the admin's login: caseworkers have no admin
    client.post(ADD, _form(rental, [_rung(0, "exceeded", notify_owner="on")]))
    assert not SlaRule.objects.exists()
