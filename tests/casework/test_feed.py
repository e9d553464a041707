"""The case feed: one timeline per case, newest first, loaded in a fixed number of queries,
seen by staff only, and its paged API."""

import pytest

from casework.models import CaseActivity
from casework.selectors import work as selectors
from casework.services import notes as note_services
from casework.services import reviews as review_services
from casework.services import tasks as task_services
from casework.services.feed import feed_record
from core import errors
from core.roles import Role
from tests.casework.factories import tenant_case
from tests.casework.work_helpers import api_error

pytestmark = pytest.mark.django_db


def _fill(case, actor, chaser):
    note_services.note_add(actor=actor, case=case, body="@chaser first")
    task = task_services.task_create(actor=actor, subject="Chase", assignee=chaser, case=case)
    task_services.task_complete(actor=chaser, task=task, outcome="Done")
    review_services.case_review_log(actor=actor, case=case, comment="All in order")
    feed_record(case=case, kind=CaseActivity.Kind.LETTER, actor=None, summary="Letter 1 sent")


@pytest.fixture
def chaser(make_staff):
    return make_staff(Role.CASEWORKER, email="chaser@test.example")


def test_the_feed_is_the_cases_timeline_newest_first(caseworker, chaser):
    case, other = tenant_case(), tenant_case()
    _fill(case, caseworker, chaser)
    note_services.note_add(actor=caseworker, case=other, body="Elsewhere")
    kinds = [entry.kind for entry in selectors.case_feed(user=caseworker, case=case)]
    assert kinds == ["letter", "review_logged", "task_updated", "task_created", "note"]
    assert [e.kind for e in selectors.case_feed(user=caseworker, case=other.pk)] == ["note"]


def test_the_feed_loads_its_links_in_a_fixed_number_of_queries(caseworker, chaser, django_assert_max_num_queries):
    case = tenant_case()
    _fill(case, caseworker, chaser)
    _fill(case, chaser, caseworker)
    with django_assert_max_num_queries(3):  # the case check, the entries, the notes' mentions
        for entry in selectors.case_feed(user=caseworker, case=case):
            _ = (entry.actor, entry.document)
            if entry.note:
                _ = (entry.note.author.email, list(entry.note.mentions.all()))
            if entry.task:
                _ = (entry.task.assignee, entry.task.assignee_team)


def test_the_feed_is_for_staff_and_hides_unknown_cases(caseworker, applicant):
    own = tenant_case(applicant=applicant)
    someone_elses = tenant_case()
    with pytest.raises(errors.NotFound):
        selectors.case_feed(user=caseworker, case=someone_elses.pk + 999)
    with pytest.raises(errors.NotFound):
        selectors.case_feed(user=applicant, case=someone_elses)
    with pytest.raises(errors.PermissionDenied, match="for staff"):
        selectors.case_feed(user=applicant, case=own)
    with pytest.raises(errors.PermissionDenied):
        selectors.note_list_for(user=applicant, case=own)


def test_api_feed_is_paged_with_linked_records(client, caseworker, chaser):
    case = tenant_case()
    _fill(case, caseworker, chaser)
    client.force_login(caseworker)
    body = client.get(f"/api/v1/cases/{case.pk}/feed/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    letter, review, completed, created, note = body["results"]
    assert (letter["kind"], letter["actor"], letter["summary"]) == ("letter", None, "Letter 1 sent")
    assert review["kind_display"] == "Review logged" and review["task"]["subject"] == "Case Review"
    assert completed["reason"] == "Done" and completed["task"]["status"] == "completed"
    assert created["actor"]["id"] == caseworker.pk and created["task"]["subject"] == "Chase"
    assert note["note"]["body"] == "@chaser first" and note["note"]["author"]["id"] == caseworker.pk
    assert note["task"] is None and note["document"] is None
    assert client.get(f"/api/v1/cases/{case.pk}/feed/", {"page": 2}).status_code == 404


def test_api_feed_of_an_unknown_case_is_a_404(client, caseworker):
    client.force_login(caseworker)
    api_error(client.get("/api/v1/cases/999999/feed/"), 404, "not_found")


def test_applicants_cannot_read_the_feed_api(client, applicant):
    case = tenant_case(applicant=applicant)
    client.force_login(applicant)
    api_error(client.get(f"/api/v1/cases/{case.pk}/feed/"), 403, "permission_denied")
