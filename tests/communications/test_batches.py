"""Bulk sending: a batch goes to each target once; killed mid-way (SIGKILL, between Notify
taking a letter and our recording it) and run again, every letter reaches Notify exactly once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from casework.models import Case, CaseActivity
from communications import batches
from communications.models import Batch, Message
from core import errors
from tests.casework.factories import CaseFactory, TenancyFactory
from tests.communications import fake_notify

ROOT = Path(__file__).resolve().parents[2]


def _cases(n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        tenancy = TenancyFactory()
        cases.append(CaseFactory(tenancy=tenancy, property=tenancy.property))
    return cases


def test_only_supervisors_make_batches_and_bad_selections_are_refused(caseworker, supervisor, letter_template):
    cases = _cases(2)
    with pytest.raises(errors.PermissionDenied):
        batches.batch_create(actor=caseworker, template=letter_template, targets=cases)
    with pytest.raises(errors.ValidationError) as refused:
        batches.batch_create(actor=supervisor, template=letter_template, targets=[])
    assert refused.value.fields == {"targets": ["Choose at least one case."]}
    with pytest.raises(errors.ValidationError):
        batches.batch_create(actor=supervisor, template=letter_template, targets=[cases[0], supervisor])
    batch = batches.batch_create(actor=supervisor, template=letter_template, targets=[*cases, cases[0]])
    assert batch.target_ids == [cases[0].pk, cases[1].pk]  # each once, in order


def test_a_batch_sends_each_once_and_a_second_run_sends_nothing(settings, supervisor, letter_template, make_template):
    cases = _cases(3)
    cases[2].contact.phone = "020 7946 0000"  # a landline: a text cannot go there
    cases[2].contact.save()
    batch = batches.batch_create(actor=supervisor, template=letter_template, targets=cases)
    seen = []
    outcome = batches.batch_send(batch.pk, progress=lambda done, total: seen.append((done, total)))
    assert outcome == {"sent": 3} and seen[-1] == (3, 3)
    assert batches.batch_send(batch.pk) == {"sent": 3}
    assert len(list(settings.COMMUNICATIONS_OUTBOX.glob("*.json"))) == 3
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.DONE
    texts = batches.batch_create(actor=supervisor, template=make_template("sms"), targets=cases)
    assert batches.batch_send(texts.pk) == {"sent": 2, "failed": 1}  # the landline is recorded, not skipped
    failed = Message.objects.get(batch=texts, status=Message.Status.FAILED)
    assert failed.needs_review and "not a mobile phone number" in failed.failure
    assert CaseActivity.objects.filter(case=cases[2], summary__contains="failed and needs review").exists()


def test_the_command_sends_a_batch_with_a_progress_bar(supervisor, letter_template, capsys):
    batch = batches.batch_create(actor=supervisor, template=letter_template, targets=_cases(2))
    call_command("send_batch", str(batch.pk))
    captured = capsys.readouterr()
    assert f"Batch {batch.pk}: 2 sent." in captured.out
    assert "2/2" in captured.err  # tqdm's bar
    with pytest.raises(Exception, match="There is no batch 0"):
        call_command("send_batch", "0")


def test_starting_twice_while_it_runs_is_refused(supervisor, letter_template, django_capture_on_commit_callbacks):
    batch = batches.batch_create(actor=supervisor, template=letter_template, targets=_cases(1))
    with django_capture_on_commit_callbacks():
        job = batches.batch_start(actor=supervisor, batch=batch)
    assert job.total == 1 and job.params == {"batch_id": batch.pk}
    with pytest.raises(errors.Conflict, match="being sent already"):
        batches.batch_start(actor=supervisor, batch=batch)


def _send_batch_process(batch_id: int, notify) -> subprocess.Popen:
    database = connection.settings_dict
    where = f"{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{where}",
        "LETTER_DELIVERY": "notify",
        "NOTIFY_API_KEY": fake_notify.API_KEY,
        "NOTIFY_BASE_URL": notify.url,
    }
    command = [sys.executable, "manage.py", "send_batch", str(batch_id)]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.django_db(transaction=True)
def test_a_batch_killed_mid_way_and_run_again_sends_every_letter_exactly_once(notify, make_template):
    from core import services
    from core.models import User
    from core.roles import Role

    supervisor = services.user_create(actor=None, email="sup@test.example", kind=User.Kind.STAFF)
    supervisor = services.staff_set_roles(actor=None, user=supervisor, roles={Role.SUPERVISOR})
    template = make_template("letter", key="bulk-letter", name="Bulk letter", required_fields=["tenancy.reference"])
    cases = _cases(12)
    batch = batches.batch_create(actor=supervisor, template=template, targets=cases)
    # Notify takes each letter, then answers only after a while: killed in that while, the run
    # leaves a letter Notify has but we have not recorded as sent.
    notify.answer_after = 0.4
    first = _send_batch_process(batch.pk, notify)
    deadline = time.monotonic() + 120
    while len(notify.received) < 4:
        assert first.poll() is None, first.stderr.read().decode()
        assert time.monotonic() < deadline, "the batch never got going"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    handed_over = len(notify.received)
    statuses = list(Message.objects.filter(batch=batch).values_list("status", flat=True))
    assert Message.Status.SENDING in statuses  # the kill caught a hand-over in the middle
    assert handed_over < len(cases)

    notify.answer_after = 0.0
    second = _send_batch_process(batch.pk, notify)
    out, err = second.communicate(timeout=180)
    assert second.returncode == 0, err.decode()
    expected = sorted(f"batch-{batch.pk}-{case.pk}" for case in cases)
    assert sorted(notify.references()) == expected  # every letter, each exactly once
    assert Message.objects.filter(batch=batch, status=Message.Status.SENT).count() == len(cases)
    assert f"Batch {batch.pk}: {len(cases)} sent." in out.decode()
