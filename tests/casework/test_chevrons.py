"""Every transition from every chevron of every workflow: allowed exactly where the issue says,
refused everywhere else. The expected table is written out by hand from the issue, not derived
from the model, so a wrongly declared source or target fails here."""

from __future__ import annotations

import itertools

import pytest
from django_fsm import TransitionNotAllowed, can_proceed

from casework.models import WORKFLOWS, Case, CaseType, Workflow

RENTAL = {
    ("submit", "draft"): "application_match",
    ("match", "application_match"): "chaser",
    ("send_back_to_draft", "chaser"): "draft",
    ("return_to_application_match", "chaser"): "application_match",
    ("refer_to_case_manager", "chaser"): "case_manager",
    ("refer_to_reviewer", "case_manager"): "reviewer",
    ("approve_for_payment", "reviewer"): "payment",
    ("close_paid", "payment"): "closed",
    ("deny", "case_manager"): "closed",
    ("deny", "reviewer"): "closed",
    ("close_ineligible", "chaser"): "closed",
    ("close_ineligible", "case_manager"): "closed",
    ("close_ineligible", "reviewer"): "closed",
    **{("withdraw", s): "closed" for s in ("draft", "application_match", "chaser", "case_manager", "reviewer")},
    **{("close_duplicate", s): "closed" for s in ("draft", "application_match", "chaser", "case_manager", "reviewer")},
    ("time_out", "draft"): "closed",
    ("time_out", "application_match"): "closed",
}

EXPECTED: dict[str, dict[tuple[str, str], str]] = {
    Workflow.RENTAL_TENANT: RENTAL,
    Workflow.RENTAL_LANDLORD: RENTAL,
    Workflow.APPEAL: {
        ("start_review", "lodged"): "under_review",
        ("uphold", "under_review"): "closed",
        ("overturn", "under_review"): "closed",
        ("close_duplicate", "lodged"): "closed",
    },
    Workflow.ARREARS: {
        ("agree_arrangement", "early_action"): "arrangement",
        ("agree_arrangement", "notice_served"): "arrangement",
        ("break_arrangement", "arrangement"): "early_action",
        ("serve_notice", "early_action"): "notice_served",
        ("serve_notice", "arrangement"): "notice_served",
        ("refer_to_court", "notice_served"): "court",
        ("schedule_eviction", "court"): "eviction",
        **{
            (move, s): "closed"
            for move in ("resolve", "close_duplicate")
            for s in ("early_action", "arrangement", "notice_served", "court", "eviction")
        },
    },
    Workflow.HOUSING_OPTIONS: {
        ("assess", "enquiry"): "assessment",
        ("agree_housing_plan", "assessment"): "action_plan",
        **{
            (move, s): "closed"
            for move in ("resolve", "close_duplicate")
            for s in ("enquiry", "assessment", "action_plan")
        },
    },
    Workflow.SUPPORT: {
        ("start_work", "triage"): "in_progress",
        ("start_work", "on_hold"): "in_progress",
        ("put_on_hold", "in_progress"): "on_hold",
        **{
            (move, s): "closed" for move in ("resolve", "close_duplicate") for s in ("triage", "in_progress", "on_hold")
        },
    },
    Workflow.AUTOMATED: {("resolve", "open"): "closed", ("close_duplicate", "open"): "closed"},
}
# Every workflow: a closed case reopens to the chevron it closed from.
for table in EXPECTED.values():
    table[("reopen", "closed")] = "reopened"

TRANSITIONS = sorted(
    {
        "submit",
        "match",
        "send_back_to_draft",
        "return_to_application_match",
        "refer_to_case_manager",
        "refer_to_reviewer",
        "approve_for_payment",
        "close_paid",
        "deny",
        "close_ineligible",
        "withdraw",
        "close_duplicate",
        "time_out",
        "start_review",
        "uphold",
        "overturn",
        "agree_arrangement",
        "break_arrangement",
        "serve_notice",
        "refer_to_court",
        "schedule_eviction",
        "assess",
        "agree_housing_plan",
        "start_work",
        "put_on_hold",
        "resolve",
        "reopen",
    }
)

CLOSURE_STAGES = {
    "close_paid": "paid",
    "deny": "denied",
    "close_ineligible": "ineligible",
    "withdraw": "withdrawn",
    "close_duplicate": "duplicate",
    "time_out": "timed_out",
    "uphold": "upheld",
    "overturn": "overturned",
    "resolve": "resolved",
}


def _unsaved_case(workflow: str, status: str) -> Case:
    case = Case(case_type=CaseType(workflow=workflow, number_prefix="TEST"), workflow=workflow)
    case.__dict__["status"] = status  # arranging, not transitioning
    if status == "closed":
        case.closure_stage = "resolved"
        case.status_before_close = WORKFLOWS[workflow][-2]  # its last open chevron
    return case


CASES = [
    (workflow, status, name)
    for workflow in Workflow.values
    for status, name in itertools.product(WORKFLOWS[workflow], TRANSITIONS)
]


def test_every_method_in_the_table_exists():
    for name in TRANSITIONS:
        assert callable(getattr(Case, name))


def test_the_transition_list_covers_every_transition_the_model_declares():
    declared = {name for name in dir(Case) if hasattr(getattr(Case, name, None), "_django_fsm")}
    assert declared == set(TRANSITIONS)


@pytest.mark.parametrize(("workflow", "status", "name"), CASES)
def test_transition_allowed_exactly_where_expected(workflow, status, name):
    case = _unsaved_case(workflow, status)
    expected = EXPECTED[workflow].get((name, status))
    method = getattr(case, name)
    if expected is None:
        assert not can_proceed(method)
        with pytest.raises(TransitionNotAllowed):
            method()
        assert case.status == status
        return
    assert can_proceed(method)
    method()
    if expected == "reopened":
        assert case.status == WORKFLOWS[workflow][-2]
        assert (case.closure_stage, case.closed_at, case.status_before_close) == ("", None, "")
    else:
        assert case.status == expected
    if expected == "closed":
        assert case.closure_stage == CLOSURE_STAGES[name]
        assert case.status_before_close == status
        assert case.closed_at is not None


def test_suspected_fraud_is_not_a_closure_stage():
    assert "suspected_fraud" not in Case.ClosureStage.values
    assert not any("fraud" in label.lower() for label in Case.ClosureStage.labels)
    assert set(Case.ClosureStage.values) >= {"paid", "denied", "withdrawn", "duplicate", "timed_out", "ineligible"}


def test_status_cannot_be_assigned_directly():
    case = _unsaved_case(Workflow.RENTAL_TENANT, "draft")
    with pytest.raises(AttributeError):
        case.status = "chaser"
