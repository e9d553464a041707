"""Each user's notification list: order, marking read (own only), the API, and the email job
run directly (twice sends once) and through a real Celery worker on Redis."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.utils import timezone

from casework import tasks as jobs
from casework.models import Notification
from casework.selectors import work as selectors
from casework.services import notifications_read
from casework.services.notifications import notify
from config.celery import app as celery_app
from core import errors
from tests.casework.factories import tenant_case
from tests.casework.factories_work import NotificationFactory
from tests.casework.work_helpers import api_error


def _at(minutes_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=minutes_ago)


@pytest.mark.django_db
def test_the_list_is_mine_only_unread_first_then_newest(caseworker, supervisor):
    old_unread = NotificationFactory(recipient=caseworker, created_at=_at(30))
    new_read = NotificationFactory(recipient=caseworker, created_at=_at(1), read_at=_at(0))
    new_unread = NotificationFactory(recipient=caseworker, created_at=_at(5))
    older_read = NotificationFactory(recipient=caseworker, created_at=_at(60), read_at=_at(0))
    NotificationFactory(recipient=supervisor)
    assert list(selectors.notification_list_for(user=caseworker)) == [new_unread, old_unread, new_read, older_read]
    assert list(selectors.notification_list_for(user=caseworker, unread=True)) == [new_unread, old_unread]
    assert list(selectors.notification_list_for(user=caseworker, unread=False)) == [new_read, older_read]
    assert selectors.notification_unread_count(user=caseworker) == 2


@pytest.mark.django_db
def test_mark_read_is_for_my_own_notifications_only(caseworker, supervisor):
    mine = NotificationFactory(recipient=caseworker)
    theirs = NotificationFactory(recipient=supervisor)
    marked = notifications_read.notification_mark_read(actor=caseworker, notification_id=mine.pk)
    first_read = marked.read_at
    assert first_read is not None
    again = notifications_read.notification_mark_read(actor=caseworker, notification_id=mine.pk)
    assert again.read_at == first_read  # the first reading stands
    with pytest.raises(errors.NotFound, match="no such notification"):
        notifications_read.notification_mark_read(actor=caseworker, notification_id=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_mark_all_read_marks_only_my_unread(caseworker, supervisor):
    earlier = _at(10)
    read = NotificationFactory(recipient=caseworker, read_at=earlier)
    NotificationFactory.create_batch(3, recipient=caseworker)
    theirs = NotificationFactory(recipient=supervisor)
    assert notifications_read.notification_mark_all_read(actor=caseworker) == 3
    assert not Notification.objects.filter(recipient=caseworker, read_at__isnull=True).exists()
    read.refresh_from_db()
    theirs.refresh_from_db()
    assert read.read_at == earlier and theirs.read_at is None
    assert notifications_read.notification_mark_all_read(actor=caseworker) == 0


@pytest.mark.django_db
def test_notify_skips_inactive_and_repeated_recipients(caseworker, make_staff):
    gone = make_staff(email="gone@test.example")
    gone.is_active = False
    gone.save()
    created = notify(recipients=[caseworker, gone, caseworker, None], kind="case_update", message="Hello")
    assert [n.recipient for n in created] == [caseworker]


# --- the email job ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_email_job_sends_once_however_often_it_runs(caseworker):
    case = tenant_case()
    notification = NotificationFactory(recipient=caseworker, case=case, kind="mention", message="Look at this")
    assert jobs.notification_email_send(notification.pk) is True
    assert jobs.notification_email_send(notification.pk) is False
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert (email.to, email.body) == (["caseworker@test.example"], "Look at this")
    assert email.subject == f"[{case.number}] Mentioned in a note"
    notification.refresh_from_db()
    assert notification.emailed_at is not None


@pytest.mark.django_db
def test_the_email_job_for_a_missing_notification_does_nothing():
    assert jobs.notification_email_send(987654) is False
    assert mail.outbox == []


@pytest.mark.worker
@pytest.mark.xdist_group("celery-worker")
@pytest.mark.django_db(transaction=True)
def test_a_committed_notification_is_emailed_by_a_real_worker_on_redis(caseworker):
    assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.control.purge()  # nothing left over from an earlier run in this test's Redis db
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        with transaction.atomic():
            (notification,) = notify(recipients=[caseworker], kind="case_update", message="Through the worker")
        # The job is queued on commit and acknowledged late: wait on the row, not a result.
        deadline = time.monotonic() + 90  # generous: a loaded CI machine is slow, a hang still fails
        while not Notification.objects.filter(pk=notification.pk, emailed_at__isnull=False).exists():
            assert time.monotonic() < deadline, "the worker never sent the email"
            time.sleep(0.2)
    sent = [email for email in mail.outbox if email.body == "Through the worker"]
    assert len(sent) == 1 and sent[0].to == ["caseworker@test.example"]


# --- API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_list_read_and_read_all(client, caseworker, supervisor):
    case = tenant_case()
    older = NotificationFactory(recipient=caseworker, created_at=_at(10), case=case, kind="mention")
    newer = NotificationFactory(recipient=caseworker, created_at=_at(1))
    theirs = NotificationFactory(recipient=supervisor)
    client.force_login(caseworker)

    body = client.get("/api/v1/notifications/").json()
    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    row = body["results"][1]
    assert row["case"] == {"id": case.pk, "number": case.number, "status": case.status}
    assert (row["kind"], row["kind_display"], row["is_read"], row["read_at"]) == (
        "mention",
        "Mentioned in a note",
        False,
        None,
    )

    read = client.post(f"/api/v1/notifications/{older.pk}/read/")
    assert read.status_code == 200 and read.json()["is_read"] is True
    assert [r["id"] for r in client.get("/api/v1/notifications/").json()["results"]] == [newer.pk, older.pk]
    assert [r["id"] for r in client.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]] == [newer.pk]

    error = api_error(client.post(f"/api/v1/notifications/{theirs.pk}/read/"), 404, "not_found")
    assert error["message"] == "There is no such notification."
    theirs.refresh_from_db()
    assert theirs.read_at is None

    assert client.post("/api/v1/notifications/read-all/").json() == {"marked_read": 1}
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/notifications/", "/api/v1/notifications/{id}/read/"])
def test_applicants_cannot_use_the_notifications_api(client, applicant, url):
    notification = NotificationFactory(recipient=applicant)
    client.force_login(applicant)
    response = client.post(url.format(id=notification.pk)) if "read" in url else client.get(url)
    api_error(response, 403, "permission_denied")
    api_error(client.post("/api/v1/notifications/read-all/"), 403, "permission_denied")
    notification.refresh_from_db()
    assert notification.read_at is None
