"""Log review: a completed "Case Review" task, the case's latest review stamped (and replaced by
the next), the 1000-character limit, closed cases and the API."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from casework.models import REVIEW_MAX_LENGTH, REVIEW_TEMPLATE, Case, CaseActivity, Task
from casework.services import reviews as review_services
from core import errors
from core.audit import events_for
from tests.casework.factories import CaseFactory, tenant_case
from tests.casework.work_helpers import api_error

pytestmark = pytest.mark.django_db

COMMENT = "Current Status: waiting on lease\nPending Action Items: chase landlord\nPending Action Owner: chaser"


def _assert_nothing_written(case: Case, before: Case) -> None:
    case.refresh_from_db()
    assert not Task.objects.exists()
    assert not CaseActivity.objects.exists()
    assert (case.last_reviewed_at, case.last_reviewed_by, case.last_review_comment) == (None, None, "")
    assert (case.updated_at, case.updated_by) == (before.updated_at, before.updated_by)


def test_logging_a_review(caseworker):
    case = tenant_case()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1), tick=False):
        task = review_services.case_review_log(actor=caseworker, case=case, comment=f"  {COMMENT}\n")
        now = timezone.now()
    task.refresh_from_db()
    assert (task.kind, task.subject, task.status, task.due_date) == ("case_review", "Case Review", "completed", None)
    assert (task.assignee, task.completed_by, task.created_by) == (caseworker, caseworker, caseworker)
    assert task.description == task.outcome == COMMENT
    assert task.completed_at == now
    case.refresh_from_db()
    assert (case.last_reviewed_at, case.last_reviewed_by, case.last_review_comment) == (now, caseworker, COMMENT)
    assert (case.updated_at, case.updated_by) == (now, caseworker)
    entry = CaseActivity.objects.get()
    assert (entry.kind, entry.task, entry.actor) == (CaseActivity.Kind.REVIEW_LOGGED, task, caseworker)
    contexts = [event.pgh_context for event in events_for(case)]
    assert {"user": caseworker.pk, "action": "case_review_log"} in contexts


def test_the_next_review_replaces_the_last_and_both_stay_as_tasks(caseworker, supervisor):
    case = tenant_case()
    review_services.case_review_log(actor=caseworker, case=case, comment="First review")
    review_services.case_review_log(actor=supervisor, case=case, comment="Second review")
    case.refresh_from_db()
    assert (case.last_review_comment, case.last_reviewed_by) == ("Second review", supervisor)
    assert list(Task.objects.order_by("created_at").values_list("outcome", flat=True)) == [
        "First review",
        "Second review",
    ]


def test_a_comment_of_exactly_the_limit_is_accepted(caseworker):
    comment = "x" * REVIEW_MAX_LENGTH
    review_services.case_review_log(actor=caseworker, case=tenant_case(), comment=comment)
    assert Case.objects.get().last_review_comment == comment


def test_a_comment_over_the_limit_is_refused_with_the_count_and_nothing_written(caseworker):
    case = tenant_case()
    with pytest.raises(errors.ValidationError) as caught:
        review_services.case_review_log(actor=caseworker, case=case, comment="x" * (REVIEW_MAX_LENGTH + 1))
    message = "The review comment can be at most 1000 characters (you entered 1001)."
    assert caught.value.message == message
    assert caught.value.fields == {"comment": [message]}
    _assert_nothing_written(case, before=case)


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("   ", "Enter the review comment."),
        (REVIEW_TEMPLATE, "Fill in the review template before logging the review."),
    ],
)
def test_a_blank_or_unfilled_comment_is_refused(caseworker, comment, message):
    case = tenant_case()
    with pytest.raises(errors.ValidationError, match=message):
        review_services.case_review_log(actor=caseworker, case=case, comment=comment)
    _assert_nothing_written(case, before=case)


def test_caseworkers_cannot_review_a_closed_case_but_supervisors_can(caseworker, supervisor):
    case = CaseFactory(status="closed", closure_stage="paid")
    with pytest.raises(errors.Conflict, match="is closed, so you cannot log a review"):
        review_services.case_review_log(actor=caseworker, case=case, comment=COMMENT)
    _assert_nothing_written(case, before=case)
    review_services.case_review_log(actor=supervisor, case=case, comment=COMMENT)
    assert Case.objects.get().last_reviewed_by == supervisor


def test_applicants_cannot_log_reviews(applicant):
    case = tenant_case(applicant=applicant)
    with pytest.raises(errors.PermissionDenied):
        review_services.case_review_log(actor=applicant, case=case, comment=COMMENT)
    _assert_nothing_written(case, before=case)


# --- API -------------------------------------------------------------------------------------


@pytest.fixture
def api(client, caseworker):
    client.force_login(caseworker)
    return client


def test_api_review_form_and_logging_a_review(api, caseworker):
    case = tenant_case()
    url = f"/api/v1/cases/{case.pk}/review/"
    assert api.get(url).json() == {"template": REVIEW_TEMPLATE, "max_length": 1000, "last_review": None}

    response = api.post(url, {"comment": COMMENT})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["task"]["subject"] == "Case Review" and body["task"]["status"] == "completed"
    assert body["task"]["case"] == {"id": case.pk, "number": case.number, "status": case.status}
    assert body["last_review"]["comment"] == COMMENT
    assert body["last_review"]["by"] == {"id": caseworker.pk, "name": "Casey Worker", "email": caseworker.email}

    form = api.get(url).json()
    assert form["last_review"] == body["last_review"]
    assert form["template"] == REVIEW_TEMPLATE


def test_api_over_long_review_is_a_400_with_the_message(api):
    case = tenant_case()
    response = api.post(f"/api/v1/cases/{case.pk}/review/", {"comment": "y" * 1001})
    error = api_error(response, 400, "validation_error")
    message = "The review comment can be at most 1000 characters (you entered 1001)."
    assert error == {"code": "validation_error", "message": message, "fields": {"comment": [message]}}
    assert not Task.objects.exists()


def test_api_review_on_a_closed_case_is_a_409_for_a_caseworker(api):
    case = CaseFactory(status="closed")
    api_error(api.post(f"/api/v1/cases/{case.pk}/review/", {"comment": COMMENT}), 409, "conflict")
    api_error(api.get(f"/api/v1/cases/{case.pk + 999}/review/"), 404, "not_found")


@pytest.mark.parametrize("method", ["get", "post"])
def test_applicants_cannot_use_the_review_api(client, applicant, method):
    case = tenant_case(applicant=applicant)
    client.force_login(applicant)
    api_error(
        getattr(client, method)(f"/api/v1/cases/{case.pk}/review/", {"comment": COMMENT}), 403, "permission_denied"
    )
    assert not Task.objects.exists()
