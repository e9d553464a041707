"""The bulk letters page: check a selection, send it as a batch with a progress page, resume
one that stopped; supervisors only."""

import datetime

import pytest
from django.utils import timezone

from communications.models import Batch
from core.models import Job
from tests.casework.factories import CaseFactory, CaseTypeFactory

URL = "/staff/letters/bulk/"


@pytest.fixture
def supervising(client, supervisor):
    client.force_login(supervisor)
    return client


def test_check_then_send_to_the_open_cases_chosen(supervising, letter_template, django_capture_on_commit_callbacks):
    arrears = CaseTypeFactory(workflow="arrears")
    chosen = [CaseFactory(case_type=arrears) for _ in range(3)]
    CaseFactory(case_type=arrears, status="closed")
    CaseFactory()  # another type
    assert supervising.get(URL).status_code == 200
    selection = {"template": "rent-letter", "case_type": arrears.pk}
    checked = supervising.post(URL, {**selection, "action": "check"}).content.decode()
    assert "3 open cases match." in checked and chosen[0].number in checked and "Send to 3 cases" in checked
    assert not Batch.objects.exists()
    with django_capture_on_commit_callbacks() as queued:
        response = supervising.post(URL, {**selection, "action": "send"})
    batch = Batch.objects.get()
    assert batch.target_ids == [case.pk for case in chosen] and batch.status == Batch.Status.SENDING
    assert response.status_code == 302 and response["Location"] == f"/staff/jobs/{batch.job_id}/"
    assert len(queued) == 1
    progress = supervising.get(response["Location"]).content.decode()
    assert "Send “Rent letter” to 3" in progress


def test_a_missing_template_is_refused_with_a_summary(supervising, letter_template):
    response = supervising.post(URL, {"action": "check"})
    assert response.status_code == 400 and "Choose a template." in response.content.decode()


def test_a_running_batch_is_not_started_twice_but_a_silent_one_is_resumed(
    supervising, supervisor, letter_template, django_capture_on_commit_callbacks
):
    from communications import batches

    batch = batches.batch_create(actor=supervisor, template=letter_template, targets=[CaseFactory()])
    with django_capture_on_commit_callbacks():
        first = batches.batch_start(actor=supervisor, batch=batch)
    Job.objects.filter(pk=first.pk).update(status="running")  # its worker has claimed it
    response = supervising.post(f"/staff/letters/bulk/{batch.pk}/resume/", follow=True)
    assert "This batch is being sent already." in response.content.decode()
    # No progress for longer than any letter takes: its worker died, and Resume starts it again.
    Batch.objects.filter(pk=batch.pk).update(progressed_at=timezone.now() - datetime.timedelta(minutes=11))
    with django_capture_on_commit_callbacks() as queued:
        response = supervising.post(f"/staff/letters/bulk/{batch.pk}/resume/")
    batch.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == f"/staff/jobs/{batch.job_id}/"
    assert batch.job_id != first.pk and len(queued) == 1
    assert Job.objects.get(pk=first.pk).status == "failed"  # the dead run is closed, not left running


def test_caseworkers_cannot_send_in_bulk(client, caseworker, letter_template):
    client.force_login(caseworker)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"template": "rent-letter", "action": "send"}).status_code == 403
