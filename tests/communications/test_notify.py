"""The GOV.UK Notify backend against a local server speaking Notify's API: letters as
precompiled PDFs, email and SMS through our Notify templates, our reference on each, status
polling, refusals and outages, and finding a message by reference after a crash."""

import base64
import datetime

import pytest
from django.utils import timezone

from casework.services import messages as case_messages
from communications import services
from communications.models import Message
from tests.casework.factories import CaseFactory, TenancyFactory


@pytest.fixture
def case(caseworker):
    tenancy = TenancyFactory()
    return CaseFactory(owner=caseworker, tenancy=tenancy, property=tenancy.property)


def _send(caseworker, case, template, key="n1") -> Message:
    message, _ = case_messages.case_message_send(actor=caseworker, case=case, template=template, key=key)
    return message


def test_a_letter_goes_to_notify_as_a_precompiled_pdf_with_our_reference(notify, caseworker, case, letter_template):
    message = _send(caseworker, case, letter_template)
    assert services.message_deliver(message.pk) == "sent"
    (received,) = notify.received
    assert received["kind"] == "letter" and received["reference"] == f"case-{case.pk}-n1"
    assert received["postage"] == "second" and received["content_bytes"] > 1000
    assert base64.b64decode(received["content"]).startswith(b"%PDF")
    message.refresh_from_db()
    assert message.backend == "notify" and message.provider_id in notify.notifications


def test_email_and_sms_go_through_our_notify_templates(notify, caseworker, case, make_template):
    email = _send(caseworker, case, make_template("email"), key="e")
    sms = _send(caseworker, case, make_template("sms"), key="s")
    assert services.message_deliver(email.pk) == "sent" and services.message_deliver(sms.pk) == "sent"
    sent_email, sent_sms = notify.received
    assert sent_email["email_address"] == case.contact.email
    assert sent_email["template_id"] == "00000000-0000-0000-0000-00000000000e"
    assert sent_email["personalisation"]["subject"] == f"About case {case.number}"
    assert sent_sms["phone_number"] == "+447700900123"
    assert sent_sms["personalisation"] == {"body": f"Case {case.number}: please call us."}


def test_polling_records_delivery_and_flags_a_failed_letter(notify, caseworker, case, letter_template, make_template):
    letter = _send(caseworker, case, letter_template, key="l")
    email = _send(caseworker, case, make_template("email"), key="e")
    for message in (letter, email):
        services.message_deliver(message.pk)
        message.refresh_from_db()
    assert services.message_poll(letter.pk) == "sent"  # still at the virus check
    notify.set_status(letter.provider_id, "validation-failed")
    notify.set_status(email.provider_id, "delivered")
    assert services.message_poll(letter.pk) == "failed"
    assert services.message_poll(email.pk) == "delivered"
    letter.refresh_from_db()
    assert letter.status == Message.Status.FAILED and letter.needs_review
    assert letter.provider_status == "validation-failed" and letter.failure == "Notify: validation-failed"
    assert case.activities.filter(summary__contains="failed and needs review").count() == 1


def test_a_message_still_on_its_way_is_polled_less_often_as_time_goes_by(notify, caseworker, case, letter_template):
    message = _send(caseworker, case, letter_template)
    services.message_deliver(message.pk)
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - datetime.timedelta(days=2))
    assert services.message_poll(message.pk) == "sent"
    message.refresh_from_db()
    assert message.next_poll_at - timezone.now() > datetime.timedelta(hours=5)  # up to 6 hours apart


def test_notify_refusing_a_message_fails_it_at_once(notify, caseworker, case, letter_template):
    notify.fail_next = [400]
    message = _send(caseworker, case, letter_template)
    assert services.message_deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.needs_review
    assert "Notify refused to take the letter: 400" in message.failure and "Address lines" in message.failure


def test_notify_down_is_retried_and_the_retry_sends(notify, caseworker, case, letter_template):
    notify.fail_next = [500]
    message = _send(caseworker, case, letter_template)
    assert services.message_deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING and "500" in message.failure
    assert services.message_deliver(message.pk) == "sent"
    assert len(notify.received) == 1 and message.attempts + 1 == Message.objects.get(pk=message.pk).attempts


def test_after_a_crash_notify_is_asked_by_reference_so_nothing_is_sent_twice(
    notify, caseworker, case, letter_template, django_capture_on_commit_callbacks
):
    handed_over = _send(caseworker, case, letter_template, key="a")
    never_sent = _send(caseworker, case, letter_template, key="b")
    services.message_deliver(handed_over.pk)
    eleven_minutes_ago = timezone.now() - datetime.timedelta(minutes=11)
    Message.objects.filter(pk__in=[handed_over.pk, never_sent.pk]).update(
        status=Message.Status.SENDING, status_changed_at=eleven_minutes_ago
    )
    assert services.message_recover(handed_over.pk) == "sent"
    with django_capture_on_commit_callbacks():
        assert services.message_recover(never_sent.pk) == "requeued"
    assert services.message_deliver(never_sent.pk) == "sent"
    assert sorted(notify.references()) == [f"case-{case.pk}-a", f"case-{case.pk}-b"]  # each once


def test_a_bad_key_is_refused_by_notify_and_the_message_fails(notify, settings, caseworker, case, letter_template):
    settings.NOTIFY_API_KEY = "test_key-" + "0" * 36 + "-" + "9" * 36
    message = _send(caseworker, case, letter_template)
    assert services.message_deliver(message.pk) == "failed"
    assert "403" in Message.objects.get(pk=message.pk).failure
