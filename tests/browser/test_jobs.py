"""A supervisor starts the staff loads recount and watches its progress bar until it is done."""

from __future__ import annotations

import re
import threading

from django.db import connection, transaction
from playwright.sync_api import expect

from assignments.models import RoutingProfile
from core.models import Job
from core.tasks import job_run


def _run_in_a_thread(job_id) -> threading.Thread:
    """The job, run by its real Celery task in another thread (as a worker would), with its own
    database connection."""

    def run():
        try:
            job_run.apply(args=[str(job_id)])
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_supervisor_starts_the_recount_and_watches_it_finish(server, signed_in, check_page, supervisor):
    page = signed_in(supervisor)
    page.goto(f"{server}/staff/jobs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jobs")
    check_page(page, "jobs")

    page.get_by_role("button", name="Recount staff loads").click()
    expect(page).to_have_url(re.compile(r"/staff/jobs/[0-9a-f-]{36}/$"))
    job = Job.objects.get(kind="routing.loads_reconcile")
    progress = page.locator(f"#job-{job.pk}")
    # No worker is running in this test: the job waits in the queue, and the page says so.
    expect(progress).to_contain_text("Queued")
    expect(progress).to_contain_text("Waiting for a worker")

    # Hold the routing table so the recount, once claimed, waits mid-way: the page must show it
    # running. Reads (the presence bar) are not blocked by this lock mode.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {RoutingProfile._meta.db_table} IN EXCLUSIVE MODE")
        worker = _run_in_a_thread(job.pk)
        expect(progress).to_contain_text("Running", timeout=10_000)  # htmx asks every 2 s
        expect(progress).to_contain_text("0% done (0 of 1)")
        expect(progress).to_contain_text("Counting offers and cases for each person")
        expect(page.get_by_role("progressbar", name=re.compile("Recount staff loads"))).to_have_attribute("value", "0")
        check_page(page, "job-running")
    worker.join(timeout=30)
    assert not worker.is_alive()

    expect(progress).to_contain_text("Done", timeout=10_000)
    expect(progress).to_contain_text("100% done (1 of 1)")
    expect(progress).to_contain_text("0 loads were wrong and are corrected.")
    expect(page.locator("#app-announcer")).to_have_text("Recount staff loads: done.")
    assert progress.get_attribute("hx-trigger") is None  # polling has stopped
    check_page(page, "job-done")

    page.get_by_role("link", name="All my jobs").click()
    expect(page.get_by_role("table", name="My recent jobs")).to_contain_text("Recount staff loads")
