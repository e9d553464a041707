"""Long work started from the staff pages: the services, the one Celery task (run directly,
twice, and through a real worker), the permission rules and the pages."""

from __future__ import annotations

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from assignments.models import RoutingProfile
from config.celery import app as celery_app
from core import errors, jobs
from core.models import Job
from core.permissions import is_staff_member
from core.tasks import job_run

TEST_KIND = "tests.count_to"
FAILING_KIND = "tests.explode"


@pytest.fixture
def test_kinds():
    """Two kinds for these tests only: one counts to `to` reporting each step (and how many
    times it ran), one raises."""
    runs: list[str] = []

    @jobs.job_kind(TEST_KIND, label="Count", who_may_start=is_staff_member)
    def count_to(job, *, to: int):
        runs.append(str(job.pk))
        for step in range(to + 1):
            jobs.job_progress(job.pk, done=step, total=to, message=f"Step {step}")
        return {"message": f"Counted to {to}", "result_url": "/staff/"}

    @jobs.job_kind(FAILING_KIND, label="Explode", who_may_start=is_staff_member)
    def explode(job):
        jobs.job_progress(job.pk, done=1, total=3)
        raise ValueError("the letter template is missing")

    yield runs
    del jobs.JOB_KINDS[TEST_KIND]
    del jobs.JOB_KINDS[FAILING_KIND]


@pytest.mark.django_db
def test_start_records_a_queued_job_and_queues_the_task_after_commit(
    caseworker, test_kinds, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = jobs.job_start(actor=caseworker, kind=TEST_KIND, to=3)
    assert len(callbacks) == 1  # delay_on_commit: nothing is sent if the transaction rolls back
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.label == "Count"
    assert job.params == {"to": 3}
    assert job.started_by == caseworker
    assert job.percent is None


@pytest.mark.django_db
def test_the_task_run_twice_does_the_work_once(caseworker, test_kinds):
    job = jobs.job_start(actor=caseworker, kind=TEST_KIND, to=4)
    job_run.apply(args=[str(job.pk)])
    job_run.apply(args=[str(job.pk)])
    assert test_kinds == [str(job.pk)]
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total, job.percent) == (4, 4, 100)
    assert job.message == "Counted to 4"
    assert job.result_url == "/staff/"
    assert job.started_at <= job.finished_at


@pytest.mark.django_db
def test_a_failure_is_recorded_with_its_error(caseworker, test_kinds):
    job = jobs.job_start(actor=caseworker, kind=FAILING_KIND)
    job_run.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "ValueError: the letter template is missing"
    assert job.done == 1  # how far it got
    assert job.finished_at is not None
    assert not jobs.job_finish(job.pk)  # an ended job stays ended
    assert not jobs.job_fail(job.pk, error="again")


@pytest.mark.django_db
def test_progress_only_moves_a_running_job(caseworker, test_kinds):
    job = jobs.job_start(actor=caseworker, kind=TEST_KIND, to=2)
    jobs.job_progress(job.pk, done=1, total=2)
    job.refresh_from_db()
    assert job.done == 0  # still queued: nobody has claimed it


@pytest.mark.django_db
def test_who_may_start_each_kind(caseworker, supervisor, applicant):
    with pytest.raises(errors.PermissionDenied):
        jobs.job_start(actor=caseworker, kind="routing.loads_reconcile")
    with pytest.raises(errors.PermissionDenied):
        jobs.job_start(actor=applicant, kind="routing.loads_reconcile")
    with pytest.raises(errors.NotFound):
        jobs.job_start(actor=supervisor, kind="no.such.kind")
    assert [k.name for k in jobs.job_kinds_startable_by(caseworker)] == []
    assert "routing.loads_reconcile" in [k.name for k in jobs.job_kinds_startable_by(supervisor)]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_recount_corrects_wrong_loads(supervisor, make_staff):
    from assignments import services as assignment_services

    officer = make_staff(email="officer@test.example")
    assignment_services.routing_profile_set(actor=None, user=officer, skills=[], capacity=10, team="Housing options")
    RoutingProfile.objects.filter(user=officer).update(load=7)  # the counter drifted
    job = jobs.job_start(actor=supervisor, kind="routing.loads_reconcile")
    job_run.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (1, 1)
    assert job.message == "1 load was wrong and is corrected."
    assert RoutingProfile.objects.get(user=officer).load == 0


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_starter_or_a_supervisor_sees_a_job(client, caseworker, supervisor, make_staff, test_kinds):
    job = jobs.job_start(actor=caseworker, kind=TEST_KIND, to=2)
    url = reverse("job-detail", args=[job.pk])
    client.force_login(caseworker)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<progress" in html
    assert 'hx-trigger="every 2s"' in html  # queued: keeps asking
    assert "Queued" in html
    client.force_login(make_staff(email="someone.else@test.example"))
    assert client.get(url).status_code == 404
    client.force_login(supervisor)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_htmx_gets_the_partial_and_polling_stops_when_done(client, caseworker, test_kinds):
    job = jobs.job_start(actor=caseworker, kind=TEST_KIND, to=2)
    client.force_login(caseworker)
    url = reverse("job-detail", args=[job.pk])
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    jobs.job_progress(job.pk, done=1, total=4)
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<h1" not in partial
    assert 'value="25"' in partial
    assert "25% done (1 of 4)" in partial
    assert 'hx-trigger="every 2s"' in partial
    jobs.job_finish(job.pk, result_url="/staff/search/")
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    assert 'href="/staff/search/"' in done
    assert "100% done" in done


@pytest.mark.django_db
def test_the_list_shows_my_jobs_and_supervisors_get_the_recount_button(client, caseworker, supervisor, test_kinds):
    mine = jobs.job_start(actor=caseworker, kind=TEST_KIND, to=2)
    jobs.job_start(actor=supervisor, kind=TEST_KIND, to=2)
    client.force_login(caseworker)
    response = client.get(reverse("job-list"))
    assert [j.pk for j in response.context["jobs"]] == [mine.pk]
    assert "Recount staff loads" not in response.content.decode()
    assert client.post(reverse("job-start"), {"kind": "routing.loads_reconcile"}).status_code == 403
    client.force_login(supervisor)
    assert "Recount staff loads" in client.get(reverse("job-list")).content.decode()
    response = client.post(reverse("job-start"), {"kind": "routing.loads_reconcile"})
    job = Job.objects.get(kind="routing.loads_reconcile")
    assert response.status_code == 302
    assert response["Location"] == reverse("job-detail", args=[job.pk])


@pytest.mark.django_db
def test_the_list_takes_the_same_queries_for_few_and_many_jobs(client, caseworker, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(caseworker)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("job-list")).status_code == 200
        return len(captured)

    Job.objects.bulk_create(Job(kind=TEST_KIND, label="Count", started_by=caseworker) for _ in range(3))
    few = count()
    Job.objects.bulk_create(Job(kind=TEST_KIND, label="Count", started_by=caseworker) for _ in range(1000))
    assert count() == few


# --- a real worker --------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.xdist_group("celery-worker")
@pytest.mark.django_db(transaction=True)
def test_a_job_runs_through_a_real_worker_on_redis(caseworker, test_kinds):
    assert celery_app.conf.broker_url.startswith("redis://")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        job = jobs.job_start(actor=caseworker, kind=TEST_KIND, to=5)
        deadline = time.monotonic() + 90  # generous: a loaded CI machine is slow, a hang still fails
        while Job.objects.get(pk=job.pk).is_active:
            assert time.monotonic() < deadline, "the worker never finished the job"
            time.sleep(0.2)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (5, 5)
    assert test_kinds == [str(job.pk)]
