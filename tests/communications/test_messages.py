"""Sending about a case: exactly once under one key, held (flagged, with a task) when details are
missing, refused when the recipient is unusable, delivered once however often delivery runs,
retried with backoff, failed visibly, and settled after a worker dies mid-hand-over."""

import datetime
import json
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.utils import timezone

from casework.models import CaseActivity, Task
from casework.services import messages as case_messages
from communications import services
from communications.backends.base import TemporaryFailure
from communications.backends.file import FileBackend
from communications.models import Message
from communications.tasks import messages_sweep
from config.celery import app as celery_app
from core import errors
from tests.casework.factories import CaseFactory, PropertyFactory, TenancyFactory


@pytest.fixture
def case(caseworker):
    tenancy = TenancyFactory()
    return CaseFactory(owner=caseworker, tenancy=tenancy, property=tenancy.property)


def _outbox(settings) -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(settings.COMMUNICATIONS_OUTBOX.glob("*.json"))]


def test_the_same_key_twice_records_one_message(caseworker, case, letter_template, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        first, created = case_messages.case_message_send(
            actor=caseworker, case=case, template=letter_template, key="k1"
        )
        again, created_again = case_messages.case_message_send(
            actor=caseworker, case=case, template=letter_template, key="k1"
        )
    assert created and not created_again and again.pk == first.pk
    assert Message.objects.count() == 1 and len(queued) == 1  # one delivery queued
    assert first.status == Message.Status.PENDING
    assert first.template_version.number == letter_template.version
    assert first.recipient_address == [case.property.address_line_1, "Kingsford", "DB1 1AA"]
    feed = CaseActivity.objects.get(case=case, kind=CaseActivity.Kind.LETTER)
    assert feed.data == {"message_id": first.pk} and "sending" in feed.summary


def test_delivery_renders_the_pdf_hands_it_over_once_and_is_safe_to_repeat(settings, caseworker, case, letter_template):
    message, _ = case_messages.case_message_send(actor=caseworker, case=case, template=letter_template, key="k2")
    assert services.message_deliver(message.pk) == "sent"
    assert services.message_deliver(message.pk) == "skipped"  # a second delivery of the job
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.backend == "file" and message.attempts == 1
    assert message.document.startswith("letters/") and message.provider_id.startswith("file-")
    (written,) = _outbox(settings)
    assert written["reference"] == f"case-{case.pk}-k2" and written["channel"] == "letter"
    assert (settings.COMMUNICATIONS_OUTBOX / written["pdf_file"]).read_bytes().startswith(b"%PDF")
    # The file backend's word is final: the next poll marks it delivered.
    assert services.message_poll(message.pk) == "delivered"
    assert Message.objects.get(pk=message.pk).status == Message.Status.DELIVERED


def test_missing_required_details_hold_the_message_flag_it_and_set_a_task(caseworker, letter_template):
    case = CaseFactory(owner=caseworker, property=PropertyFactory())  # no tenancy: no tenancy.reference
    message, created = case_messages.case_message_send(actor=caseworker, case=case, template=letter_template, key="k3")
    assert created and message.status == Message.Status.BLOCKED and message.needs_review
    assert message.missing_fields == ["tenancy.reference"]
    assert services.message_deliver(message.pk) == "skipped"  # never handed over
    task = Task.objects.get(case=case)
    assert task.assignee == caseworker and "Tenancy reference" in task.subject
    assert CaseActivity.objects.filter(case=case, summary__contains="not sent: Tenancy reference missing").exists()
    # Once the details are there, trying again sends it.
    tenancy = TenancyFactory(property=case.property)
    case.tenancy = tenancy
    case.save()
    retried = case_messages.case_message_retry(actor=caseworker, message=message)
    assert retried.status == Message.Status.PENDING and not retried.needs_review and retried.missing_fields == []
    assert tenancy.reference in retried.body


@pytest.mark.parametrize(
    ("channel", "contact", "field", "message"),
    [
        ("email", {"email": "not-an-email"}, "recipient.email", "is not an email address"),
        ("sms", {"phone": "020 7946 0000"}, "recipient.phone", "is not a mobile phone number"),
        ("sms", {"phone": "hello"}, "recipient.phone", "is not a mobile phone number"),
    ],
)
def test_an_unusable_email_or_phone_is_refused_and_nothing_is_recorded(
    caseworker, make_template, channel, contact, field, message
):
    case = CaseFactory(owner=caseworker)
    for name, value in contact.items():
        setattr(case.contact, name, value)
    case.contact.save()
    template = make_template(channel)
    with pytest.raises(errors.ValidationError) as refused:
        case_messages.case_message_send(actor=caseworker, case=case, template=template, key="k4")
    assert message in refused.value.fields[field][0]
    assert not Message.objects.exists() and not CaseActivity.objects.filter(case=case).exists()


def test_a_text_goes_to_the_number_in_international_form(caseworker, make_template):
    case = CaseFactory(owner=caseworker)  # the factory's phone: 07700 900123
    message, _ = case_messages.case_message_send(actor=caseworker, case=case, template=make_template("sms"), key="k5")
    assert message.recipient_phone == "+447700900123" and message.body == f"Case {case.number}: please call us."


def test_a_closed_case_takes_no_new_messages_from_a_caseworker(caseworker, letter_template):
    case = CaseFactory(status="closed")
    with pytest.raises(errors.Conflict):
        case_messages.case_message_send(actor=caseworker, case=case, template=letter_template, key="k6")


def test_applicants_cannot_send(applicant, case, letter_template):
    with pytest.raises(errors.PermissionDenied):
        case_messages.case_message_send(actor=applicant, case=case, template=letter_template, key="k7")


def test_a_temporary_failure_waits_with_backoff_then_fails_visibly(monkeypatch, caseworker, case, letter_template):
    def down(self, outgoing):
        raise TemporaryFailure("The provider is down")

    monkeypatch.setattr(FileBackend, "send", down)
    message, _ = case_messages.case_message_send(actor=caseworker, case=case, template=letter_template, key="k8")
    waits = []
    for _attempt in range(services.MAX_ATTEMPTS - 1):
        assert services.message_deliver(message.pk) == "retry"
        message.refresh_from_db()
        assert message.status == Message.Status.PENDING and message.failure == "The provider is down"
        waits.append(message.next_poll_at - message.status_changed_at)
        # Not due yet: the sweep leaves it; once due, it is picked up.
        assert message.pk not in services.messages_due()["deliver"]
        assert message.pk in services.messages_due(now=message.next_poll_at)["deliver"]
    assert [round(w.total_seconds() / 60) for w in waits] == [2, 4, 8, 16, 32]
    assert services.message_deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.needs_review
    assert message.failure.startswith(f"Gave up after {services.MAX_ATTEMPTS} tries")
    assert CaseActivity.objects.filter(case=case, summary__contains="failed and needs review").exists()
    services.message_review(actor=caseworker, message=message)
    message.refresh_from_db()
    assert not message.needs_review and message.reviewed_by == caseworker


def _stuck(message: Message) -> None:
    """As a worker that died after claiming the message and before recording the hand-over."""
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, status_changed_at=timezone.now() - datetime.timedelta(minutes=11)
    )


def test_after_a_crash_a_message_the_provider_has_is_marked_sent_not_sent_again(
    settings, caseworker, case, letter_template
):
    message, _ = case_messages.case_message_send(actor=caseworker, case=case, template=letter_template, key="k9")
    assert services.message_deliver(message.pk) == "sent"
    _stuck(message)  # the hand-over happened; recording it did not
    assert services.messages_due()["recover"] == [message.pk]
    assert services.message_recover(message.pk) == "sent"
    assert len(_outbox(settings)) == 1
    assert Message.objects.get(pk=message.pk).status == Message.Status.SENT


def test_after_a_crash_a_message_the_provider_never_got_is_sent_again(
    settings, caseworker, case, letter_template, django_capture_on_commit_callbacks
):
    message, _ = case_messages.case_message_send(actor=caseworker, case=case, template=letter_template, key="k10")
    _stuck(message)  # died before the hand-over
    with django_capture_on_commit_callbacks() as queued:
        assert services.message_recover(message.pk) == "requeued"
    assert len(queued) == 1 and Message.objects.get(pk=message.pk).status == Message.Status.PENDING
    assert services.message_deliver(message.pk) == "sent"  # what the queued job does
    assert len(_outbox(settings)) == 1


def test_after_a_crash_a_backend_that_cannot_tell_fails_the_message_for_review(
    settings, caseworker, case, make_template
):
    settings.COMMUNICATIONS_BACKENDS = {**settings.COMMUNICATIONS_BACKENDS, "email": "smtp"}
    template = make_template("email")
    message, _ = case_messages.case_message_send(actor=caseworker, case=case, template=template, key="k11")
    _stuck(message)
    assert services.message_recover(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.needs_review
    assert "check with the provider before sending it again" in message.failure


def test_cancel_stops_a_waiting_message_with_a_reason(caseworker, case, letter_template):
    message, _ = case_messages.case_message_send(actor=caseworker, case=case, template=letter_template, key="k12")
    with pytest.raises(errors.ValidationError):
        services.message_cancel(actor=caseworker, message=message, reason=" ")
    services.message_cancel(actor=caseworker, message=message, reason="Sent by hand")
    assert services.message_deliver(message.pk) == "skipped"
    with pytest.raises(errors.Conflict):
        services.message_cancel(actor=caseworker, message=message, reason="again")


def test_the_sweep_settles_stuck_hand_overs_and_polls_sent_messages(caseworker, case, letter_template):
    stuck, _ = case_messages.case_message_send(actor=caseworker, case=case, template=letter_template, key="s1")
    sent, _ = case_messages.case_message_send(actor=caseworker, case=case, template=letter_template, key="s2")
    assert services.message_deliver(stuck.pk) == "sent"
    _stuck(stuck)
    assert services.message_deliver(sent.pk) == "sent"
    Message.objects.filter(pk=sent.pk).update(next_poll_at=timezone.now())
    assert messages_sweep() == {"queued": 0, "recovered": 1, "polled": 1}
    assert Message.objects.get(pk=stuck.pk).status == Message.Status.SENT
    assert Message.objects.get(pk=sent.pk).status == Message.Status.DELIVERED


@pytest.mark.worker
@pytest.mark.xdist_group("celery-worker")
@pytest.mark.django_db(transaction=True)
def test_a_committed_letter_is_delivered_by_a_real_worker_on_redis(settings, letter_template):
    tenancy = TenancyFactory()
    case = CaseFactory(tenancy=tenancy, property=tenancy.property)
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"):
        with transaction.atomic():
            message, _ = case_messages.case_message_send(actor=None, case=case, template=letter_template, key="w")
        deadline = time.monotonic() + 90  # generous: a loaded CI machine is slow, a hang still fails
        while not Message.objects.filter(pk=message.pk, status=Message.Status.SENT).exists():
            assert time.monotonic() < deadline, "the worker never sent the letter"
            time.sleep(0.2)
    assert len(_outbox(settings)) == 1
